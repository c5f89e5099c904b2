"""What a planner can learn from a chain map without simulating: size, regions, cycles, short boards."""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx

from simcore.chainmap.model import ChainMap


def firm_graph(cmap: ChainMap) -> nx.DiGraph:
    """Firms as nodes, supply links as edges `supplier -> customer`."""
    g = nx.DiGraph()
    g.add_nodes_from(f.id for f in cmap.firms)
    g.add_edges_from((l.supplier, l.customer) for l in cmap.links)
    return g


def short_boards(cmap: ChainMap) -> list[dict]:
    """Short-board candidates (docs/model.md, The chain map): binding input products (critical or important for some
    recipe) with one supplying firm, or whose suppliers are all foreign."""
    makers: dict[str, list] = defaultdict(list)
    for f in cmap.firms:
        makers[f.product].append(f)
    used_as_input = {q for p in cmap.products for q in p.recipe if cmap.binds(p, q)}
    single_at = Counter()  # customers that buy this product from one supplier only, where it binds them
    suppliers_of: dict[tuple[str, str], int] = Counter()
    for l, binding in zip(cmap.links, cmap.binding_link):
        if binding:
            suppliers_of[l.customer, cmap.firms[cmap.firm_index[l.supplier]].product] += 1
    for (customer, product), count in suppliers_of.items():
        if count == 1:
            single_at[product] += 1
    rows = []
    for p in cmap.products:
        if p.id not in used_as_input:
            continue
        firms = makers[p.id]
        reasons = []
        if len(firms) == 1:
            reasons.append("single-sourced")
        if firms and all("foreign" in f.tags for f in firms):
            reasons.append("foreign-only")
        if reasons:
            rows.append(
                {
                    "product": p.id,
                    "name": p.name,
                    "category": p.category.value,
                    "reason": " + ".join(reasons),
                    "suppliers": ", ".join(f.id for f in firms),
                    "customers_single_sourced": single_at[p.id],
                }
            )
    return rows


def summarize(cmap: ChainMap) -> dict:
    """Size, regions, chains and cycles of a map."""
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
