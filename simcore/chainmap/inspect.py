"""What a planner can learn from a chain map without simulating: size, regions, cycles, short boards."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

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


class BoardPairs(NamedTuple):
    """Every short board as arrays, one entry per (customer, input product) in `short_boards_of`'s row order."""

    customer: np.ndarray  # firm index
    product: np.ndarray  # product index of the input
    single: np.ndarray  # bool: one supplier
    foreign: np.ndarray  # bool: every supplier of one of the origins
    supplier: np.ndarray  # the boards' distinct suppliers, board by board in row order, each board's in link order
    supplier_ptr: np.ndarray  # board k's suppliers are supplier[supplier_ptr[k]:supplier_ptr[k + 1]]


def board_pairs(cmap: ChainMap, origins=DEFAULT_ORIGINS) -> BoardPairs:
    """The short boards of every customer (docs/model.md, Short boards), worked out on the link arrays: a big map
    has no record per firm to spare, nor a dict per board (a million-firm map has half a million boards)."""
    n, P = len(cmap.firms), len(cmap.products)
    binding = np.flatnonzero(cmap.binding_link)
    supplier = cmap.link_supplier[binding].astype(np.int64)
    pair = cmap.link_customer[binding].astype(np.int64) * P + cmap.firm_product[supplier]  # (customer, input product)
    pairs, pair_of = np.unique(pair, return_inverse=True)
    _, first = np.unique(pair_of * n + supplier, return_index=True)
    first.sort()  # each (pair, supplier) once, at its first link: the suppliers in link order
    pair_of, supplier = pair_of[first], supplier[first]
    single = np.bincount(pair_of, minlength=len(pairs)) == 1
    foreign = np.bincount(pair_of, weights=(~cmap.of_origin(tuple(origins))[supplier]).astype(float), minlength=len(pairs)) == 0  # none not of origin
    found = np.flatnonzero(single | foreign)
    customer, product = pairs[found] // P, pairs[found] % P
    place = sorted((c * P + cmap.product_index[q], k) for c, p in enumerate(cmap.products) for k, q in enumerate(p.recipe))
    keys, rank = np.array([k for k, _ in place], dtype=np.int64), np.array([r for _, r in place], dtype=np.int64)
    recipe_order = rank[np.searchsorted(keys, cmap.firm_product[customer] * P + product)]
    order = np.lexsort((recipe_order, customer))  # customers in map order, then recipe order
    found, customer, product = found[order], customer[order], product[order]
    row_of = np.full(len(pairs), -1)
    row_of[found] = np.arange(len(found))
    row = row_of[pair_of]
    by_row = np.argsort(np.where(row < 0, len(found), row), kind="stable")[: int((row >= 0).sum())]
    return BoardPairs(customer, product, single[found], foreign[found], supplier[by_row],
                      np.searchsorted(row[by_row], np.arange(len(found) + 1)))  # fmt: skip


def board_reasons(boards: BoardPairs, origins=DEFAULT_ORIGINS) -> np.ndarray:
    """Each board's reason as `short_boards_of` words it: `single-sourced`, `foreign-only` or both."""
    words = np.array(["", SINGLE, origin_label(origins), f"{SINGLE} + {origin_label(origins)}"], dtype=object)
    return words[boards.single.astype(int) + 2 * boards.foreign.astype(int)]


def short_boards_of(cmap: ChainMap, origins=DEFAULT_ORIGINS) -> list[dict]:
    """The short boards of every customer (docs/model.md, Short boards), one row per (customer, input product), in
    map order of the customers, then recipe order: a binding input whose supply to that customer (its links from
    makers of the input) comes from one firm (`single-sourced`), or from firms all of a named origin (a tag or
    region, `foreign-only`), or both. The one definition `simcore inspect`, the stress test's flags and
    `fill_short_board` use (`board_pairs` holds it as arrays)."""
    boards = board_pairs(cmap, origins)
    ids = cmap.firms.column("id")
    reasons = board_reasons(boards, origins)
    ptr = boards.supplier_ptr.tolist()
    suppliers = [ids[j] for j in boards.supplier.tolist()]
    rows = []
    for k, (i, q) in enumerate(zip(boards.customer.tolist(), boards.product.tolist())):
        product = cmap.products[q]
        rows.append({
            "product": product.id,
            "customer": ids[i],
            "chains": sorted(cmap.firm_chains(i)),
            "basic": BASIC_OF[product.category],
            "reason": reasons[k],
            "suppliers": suppliers[ptr[k] : ptr[k + 1]],
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
