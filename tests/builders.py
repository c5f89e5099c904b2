"""Small chain maps for tests: written as real model files, loaded through the real loader.

`chain_maps()` is a hypothesis strategy of random productive maps (several
suppliers per input, cycles, fractional lead times); `shock_tables()` draws
primitive shocks of every kind for a loaded map.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from simcore.chainmap import ChainMap, load_model
from simcore.scenario.shocks import CLOSE, DAMAGE, DEMAND, LEAD, ShockTable


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


LEAD_TIMES = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]


@st.composite
def chain_maps(draw, max_products: int = 5, max_makers: int = 3) -> ChainMap:
    """Random productive chain maps: products in tiers (inputs from lower tiers), optional back edges
    making cycles, 1..max_makers firms per product, random shares, lead times, covers and headroom."""
    n_products = draw(st.integers(2, max_products))
    products = []
    for p in range(n_products):
        recipe = {}
        if p > 0:
            inputs = draw(st.lists(st.integers(0, p - 1), min_size=1, max_size=min(3, p), unique=True))
            recipe = {f"p{q}": draw(st.sampled_from([0.25, 0.5, 1.0, 2.0])) for q in inputs}
        if p < n_products - 1 and draw(st.booleans()) and p > 0:  # a back edge: a cycle through a higher product
            q = draw(st.integers(p + 1, n_products - 1))
            recipe[f"p{q}"] = 0.02
        products.append({"id": f"p{p}", "category": "subassembly" if p else "raw_material", "recipe": recipe})
    makers = {p: [f"f{p}_{k}" for k in range(draw(st.integers(1, max_makers)))] for p in range(n_products)}
    firms = []
    for p, ids in makers.items():
        for fid in ids:
            firm = {"id": fid, "product": f"p{p}", "region": draw(st.sampled_from(["east", "west"]))}
            firm["cover"] = draw(st.sampled_from([0.0, 1.0, 2.5, 5.0]))
            firm["headroom"] = draw(st.sampled_from([0.0, 0.1, 0.5]))
            firms.append(firm)
    links = []
    for p in range(n_products):
        for customer in makers[p]:
            for q in products[p]["recipe"]:
                qi = int(q[1:])
                chosen = draw(st.lists(st.sampled_from(makers[qi]), min_size=1, max_size=len(makers[qi]), unique=True))
                weights = [draw(st.integers(1, 4)) for _ in chosen]
                for s, w in zip(chosen, weights):
                    links.append({"supplier": s, "customer": customer, "share": w / sum(weights), "lead_time": draw(st.sampled_from(LEAD_TIMES))})
    # every firm needs a path to final demand: the top product's makers have final demand, and so has
    # every firm that does not reach one through its customers (nobody buys from it, or a closed cycle)
    top = {f["id"] for f in firms if f["product"] == f"p{n_products - 1}"}
    with_demand, reached = set(top), set(top)
    for f in firms:
        grown = True
        while grown:
            before = len(reached)
            reached |= {link["supplier"] for link in links if link["customer"] in reached}
            grown = len(reached) > before
        if f["id"] not in reached:
            reached.add(f["id"])
            with_demand.add(f["id"])
    demand = [{"firm": f["id"], "units": float(draw(st.integers(5, 20)))} for f in firms if f["id"] in with_demand]
    return build_model(products, firms, links, demand)


@st.composite
def shock_tables(draw, cmap: ChainMap, horizon: int, max_shocks: int = 4) -> ShockTable:
    """Random primitive shocks of every kind on a loaded map."""
    rows = []
    for n in range(draw(st.integers(0, max_shocks))):
        kind = draw(st.sampled_from([DAMAGE, DEMAND, CLOSE, LEAD]))
        if kind in (DAMAGE, DEMAND):
            target = draw(st.integers(0, len(cmap.firms) - 1))
        else:
            target = draw(st.integers(0, len(cmap.links) - 1))
        value = {
            DAMAGE: draw(st.sampled_from([0.3, 0.7, 1.0])),
            DEMAND: draw(st.sampled_from([0.5, 1.5, 2.0])),
            CLOSE: 1.0,
            LEAD: draw(st.sampled_from([1.5, 3.0])),
        }[kind]
        profile = 0 if kind == CLOSE else draw(st.sampled_from([0, 1, 2]))
        param = {0: 0.0, 1: float(draw(st.integers(1, 10))), 2: draw(st.sampled_from([1.0, 3.5]))}[profile]
        start = draw(st.sampled_from([0.0, 1.0, 2.5, 5.0, 10.0]))
        duration = draw(st.sampled_from([1.0, 3.0, 7.5, float(horizon)]))
        rows.append((kind, target, value, start, duration, profile, param, n))
    return ShockTable.from_rows(rows)
