"""Small chain maps for tests: written as real model files, loaded through the real loader.

`chain_maps()` is a hypothesis strategy of random productive maps (any product
may use any other, so cycles anywhere; several suppliers per input with random
shares; fractional lead times; per-link priorities; named chains);
`shock_rows()` draws primitive shock rows of every kind for a loaded map.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from simcore.chainmap import ChainMap, load_model
from simcore.core.primitives import CLOSE, DAMAGE, DEMAND, EXPONENTIAL, LEAD, LINEAR, STEP


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def model_toml(products: list[dict], firms: list[dict], links: list[dict], demand: list[dict], defaults: dict | None = None, parameters: dict | None = None) -> str:
    """A model file's text from plain records (see docs/formats.md)."""
    lines = ['[model]', 'name = "test map"', ""]
    for table, values in (("defaults", defaults), ("parameters", parameters)):
        if values:
            lines.append(f"[{table}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
            lines.append("")
    for table, records in (("products", products), ("firms", firms), ("links", links), ("demand", demand)):
        for rec in records:
            lines.append(f"[[{table}]]")
            lines += [f"{k} = {toml_value(v)}" for k, v in rec.items()]
            lines.append("")
    return "\n".join(lines)


def write_model(folder: Path, *args, name: str = "model.toml", **kwargs) -> Path:
    path = Path(folder) / name
    path.write_text(model_toml(*args, **kwargs))
    return path


def build_model(*args, **kwargs) -> ChainMap:
    """Write a model to a temporary folder and load it."""
    with tempfile.TemporaryDirectory() as tmp:
        return load_model(write_model(Path(tmp), *args, **kwargs))


CATEGORIES = ["raw_material", "basic_material", "basic_component", "subassembly", "final_product", "service"]
LEADS = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0]), st.floats(0.0, 4.0))


@st.composite
def chain_maps(draw, max_firms: int = 30, max_products: int = 7, max_makers: int = 5):
    """Productive maps: any product may use any other (cycles allowed) with coefficients summing to < 0.9,
    several suppliers per input with random shares, fractional lead times, random covers and headroom."""
    n_products = draw(st.integers(1, max_products))
    n_makers = [draw(st.integers(1, max_makers)) for _ in range(n_products)]
    while sum(n_makers) > max_firms:
        n_makers[n_makers.index(max(n_makers))] -= 1
    products = []
    for p in range(n_products):
        others = [q for q in range(n_products) if q != p]
        inputs = draw(st.lists(st.sampled_from(others), max_size=min(3, len(others)), unique=True)) if others else []
        coefs = [draw(st.floats(0.01, 0.85 / len(inputs))) for _ in inputs]
        product = {"id": f"p{p}", "category": draw(st.sampled_from(CATEGORIES)), "recipe": {f"p{q}": a for q, a in zip(inputs, coefs)}}
        if draw(st.booleans()):
            product["chains"] = draw(st.lists(st.sampled_from(["c1", "c2"]), min_size=1, unique=True))
        products.append(product)
    makers = {p: [f"f{p}_{k}" for k in range(n_makers[p])] for p in range(n_products)}
    firms = []
    for p, ids in makers.items():
        for fid in ids:
            firm = {"id": fid, "product": f"p{p}", "region": draw(st.sampled_from(["east", "west"]))}
            if draw(st.booleans()):
                firm["cover"] = draw(st.one_of(st.sampled_from([0.0, 1.0, 2.5]), st.floats(0.0, 8.0)))
            if draw(st.booleans()):
                firm["headroom"] = draw(st.floats(0.0, 0.5))
            if draw(st.booleans()):
                firm["priority"] = draw(st.integers(0, 9))
            recipe = products[p]["recipe"]
            if recipe and draw(st.booleans()):
                firm["cover_by_input"] = {draw(st.sampled_from(sorted(recipe))): draw(st.floats(0.0, 6.0))}
            firms.append(firm)
    links = []
    for p in range(n_products):
        for customer in makers[p]:
            for q in products[p]["recipe"]:
                qi = int(q[1:])
                chosen = draw(st.lists(st.sampled_from(makers[qi]), min_size=1, max_size=min(3, len(makers[qi])), unique=True))
                weights = [draw(st.floats(0.05, 1.0)) for _ in chosen]
                for s, w in zip(chosen, weights):
                    link = {"supplier": s, "customer": customer, "share": w / sum(weights), "lead_time": draw(LEADS)}
                    if draw(st.integers(0, 3)) == 0:
                        link["priority"] = draw(st.integers(0, 9))
                    links.append(link)
    # final demand: at random, then to every firm without a supply path to final demand
    demand = {f["id"]: draw(st.floats(1.0, 50.0)) for f in firms if draw(st.booleans())}
    customers = {f["id"]: [] for f in firms}
    for link in links:
        customers[link["supplier"]].append(link["customer"])
    for f in firms:
        reached, frontier = set(), [f["id"]]
        while frontier:
            k = frontier.pop()
            if k not in reached:
                reached.add(k)
                frontier += customers[k]
        if not reached & demand.keys():
            demand[f["id"]] = draw(st.floats(1.0, 50.0))
    cmap = build_model(products, firms, links, [{"firm": k, "units": u} for k, u in demand.items()], defaults={"cover": draw(st.floats(0.0, 6.0))})
    return cmap


@st.composite
def shock_rows(draw, cmap, horizon: int, max_rows: int = 8):
    """Random primitive shock rows of every kind and profile on a loaded map (for ShockTable.from_rows)."""
    table = []
    for k in range(draw(st.integers(0, max_rows))):
        kind = draw(st.sampled_from([DAMAGE, DEMAND, CLOSE, LEAD] if len(cmap.links) else [DAMAGE, DEMAND]))
        target = draw(st.integers(0, len(cmap.firms) - 1)) if kind in (DAMAGE, DEMAND) else draw(st.integers(0, len(cmap.links) - 1))
        value = {
            DAMAGE: draw(st.floats(0.05, 1.0)),
            DEMAND: draw(st.floats(0.0, 3.0)),
            CLOSE: 1.0,
            LEAD: draw(st.floats(1.01, 5.0)),
        }[kind]
        profile = draw(st.sampled_from([STEP, LINEAR, EXPONENTIAL]))
        param = 0.0 if profile == STEP else draw(st.floats(0.5, 12.0))
        start = draw(st.one_of(st.integers(0, horizon).map(float), st.floats(0.0, float(horizon))))
        duration = draw(st.one_of(st.integers(1, horizon).map(float), st.floats(0.1, float(horizon))))
        table.append((kind, target, value, start, duration, profile, param, k))
    return table


