"""What a planner can learn from a chain map without simulating: size, regions, cycles, short boards."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from simcore.chainmap.model import ChainMap
from simcore.chainmap.schema import Category
from simcore.errors import Problem, names_hint


def firm_graph(cmap: ChainMap):
    """Firms as nodes, supply links as edges `supplier -> customer` (a networkx DiGraph)."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(f.id for f in cmap.firms)
    g.add_edges_from((l.supplier, l.customer) for l in cmap.links)
    return g


# The five basics (工业"五基") a short board belongs to, by its product's category (docs/model.md, Short boards).
FIVE_BASICS = ("core components", "key basic materials", "basic processes", "industrial software", "technology base")
OTHER_BASIC = "not a basic"  # a final product bought as an input, or a service (logistics, retail)
BASIC_OF = {
    Category.raw_material: "key basic materials",
    Category.basic_material: "key basic materials",
    Category.basic_component: "core components",
    Category.core_electronic_component: "core components",
    Category.subassembly: "core components",
    Category.basic_process: "basic processes",
    Category.industrial_software: "industrial software",
    Category.technology_base: "technology base",
    Category.service: OTHER_BASIC,
    Category.final_product: OTHER_BASIC,
}
SINGLE = "single-sourced"
DEFAULT_ORIGINS = ("foreign",)


def origin_label(origins=DEFAULT_ORIGINS) -> str:
    """The reason a board whose suppliers are all of `origins` carries: `foreign-only`, `foreign/overseas_us-only`."""
    return "/".join(origins) + "-only"


def origin_problems(cmap: ChainMap, origins, file: str, field: str) -> list[Problem]:
    """Named origins the map has no firm of (neither a tag nor a region): they would silently match nothing.
    The default, `foreign`, is not checked: a map without foreign firms simply has no foreign-only boards."""
    if tuple(origins) == DEFAULT_ORIGINS:
        return []
    known = set(cmap.tags) | set(cmap.regions)
    return [
        Problem(file, f"{field}[{k}]", o, f"a tag or region of the map's firms: {names_hint(o, known)}")
        for k, o in enumerate(origins)
        if o not in known
    ]


def short_boards_of(cmap: ChainMap, origins=DEFAULT_ORIGINS) -> list[dict]:
    """The short boards of every customer (docs/model.md, Short boards), one row per (customer, input product), in
    map order of the customers, then recipe order: a binding input whose supply to that customer (its links from
    makers of the input) comes from one firm (`single-sourced`), or from firms all of a named origin (a tag or
    region, `foreign-only`), or both. The one definition `simcore inspect`, the stress test's flags and
    `fill_short_board` use. Worked out on the link arrays; only the rows found are built (a big map has no
    record per firm to spare)."""
    origins = tuple(origins)
    n, P = len(cmap.firms), len(cmap.products)
    binding = np.flatnonzero(cmap.binding_link)
    supplier = cmap.link_supplier[binding].astype(np.int64)
    pair = cmap.link_customer[binding].astype(np.int64) * P + cmap.firm_product[supplier]  # (customer, input product)
    pairs, pair_of = np.unique(pair, return_inverse=True)
    _, first = np.unique(pair_of * n + supplier, return_index=True)
    first.sort()  # each (pair, supplier) once, at its first link: the suppliers in link order
    pair_of, supplier = pair_of[first], supplier[first]
    single = np.bincount(pair_of, minlength=len(pairs)) == 1
    foreign = np.bincount(pair_of, weights=(~cmap.of_origin(origins)[supplier]).astype(float), minlength=len(pairs)) == 0  # none not of origin
    found = np.flatnonzero(single | foreign)
    if not found.size:
        return []
    customer, product = pairs[found] // P, pairs[found] % P
    place = {c * P + cmap.product_index[q]: k for c, p in enumerate(cmap.products) for k, q in enumerate(p.recipe)}
    recipe_order = np.array([place[int(c) * P + int(q)] for c, q in zip(cmap.firm_product[customer], product)])
    found = found[np.lexsort((recipe_order, customer))]  # customers in map order, then recipe order
    kept = np.isin(pair_of, found)
    order = np.argsort(pair_of[kept], kind="stable")
    by_pair = np.split(supplier[kept][order], np.flatnonzero(np.diff(pair_of[kept][order])) + 1)
    suppliers_of = dict(zip(np.unique(pair_of[kept]).tolist(), by_pair))
    ids = cmap.firms.column("id")
    rows = []
    for g in found.tolist():
        i, q = divmod(int(pairs[g]), P)
        product = cmap.products[q]
        reasons = ([SINGLE] if single[g] else []) + ([origin_label(origins)] if foreign[g] else [])
        rows.append({
            "product": product.id,
            "customer": ids[i],
            "chains": sorted(cmap.firm_chains(i)),
            "basic": BASIC_OF[product.category],
            "reason": " + ".join(reasons),
            "suppliers": [ids[j] for j in suppliers_of[g].tolist()],
        })  # fmt: skip
    return rows


def short_boards(cmap: ChainMap, origins=DEFAULT_ORIGINS, rows: list[dict] | None = None) -> list[dict]:
    """The products that are a short board of at least one customer (`short_boards_of`), in map order: their
    category and basic, the reasons, the customers whose short board they are and the suppliers concerned."""
    rows = short_boards_of(cmap, origins) if rows is None else rows
    by_product: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_product[r["product"]].append(r)
    out = []
    for p in cmap.products:
        mine = by_product.get(p.id)
        if not mine:
            continue
        reasons = [x for x in (SINGLE, origin_label(origins)) if any(x in r["reason"].split(" + ") for r in mine)]
        out.append(
            {
                "product": p.id,
                "name": p.name,
                "category": p.category.value,
                "basic": BASIC_OF[p.category],
                "reason": " + ".join(reasons),
                "customers": len(mine),
                "suppliers": ", ".join(dict.fromkeys(s for r in mine for s in r["suppliers"])),
            }
        )
    return out


def short_board_suppliers(cmap: ChainMap, origins=DEFAULT_ORIGINS, rows: list[dict] | None = None) -> dict[str, np.ndarray]:
    """Per firm (map order): whether it is the one supplier of some customer's short board (`single`), and whether
    it supplies a short board whose suppliers are all of the named origins (`origin_only`): the stress test's flags."""
    rows = short_boards_of(cmap, origins) if rows is None else rows
    single = np.zeros(len(cmap.firms), dtype=bool)
    origin_only = np.zeros(len(cmap.firms), dtype=bool)
    label = origin_label(origins)
    for r in rows:
        ks = [cmap.firm_index[s] for s in r["suppliers"]]
        reasons = r["reason"].split(" + ")
        if SINGLE in reasons:
            single[ks] = True
        if label in reasons:
            origin_only[ks] = True
    return {"single": single, "origin_only": origin_only}


def summarize(cmap: ChainMap) -> dict:
    """Size, regions, chains and cycles of a map."""
    import networkx as nx

    g = firm_graph(cmap)
    cyclic = [c for c in nx.strongly_connected_components(g) if len(c) > 1 or any(g.has_edge(n, n) for n in c)]
    return {
        "name": cmap.name,
        "products": len(cmap.products),
        "firms": len(cmap.firms),
        "links": len(cmap.links),
        "regions": dict(sorted(Counter(f.region for f in cmap.firms).items())),
        "tags": dict(sorted(Counter(t for f in cmap.firms for t in f.tags).items())),
        "chains": list(cmap.chains),
        "cyclic_groups": [sorted(c) for c in cyclic],
        "final_demand_firms": int((cmap.final_demand > 0).sum()),
    }
