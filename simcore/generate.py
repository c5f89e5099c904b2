"""Synthetic multi-tier chain maps for scale work (`simcore generate`).

The shape follows what firm-level supply networks look like in published data:
products in tiers (raw materials at the top of the chain, final products at
the bottom), each product using one to three products of the tier above it, a
few back edges that make cycles (machinery used to make steel), firms per
product and suppliers per firm heavy-tailed (large suppliers serve many
customers: preferential choice by a Pareto size), several regions, a share of
foreign firms, and lead times that are short at home and long from abroad.
Everything is drawn from one `numpy.random.Generator` seeded by `seed`, so a
seed determines the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simcore.chainmap.baseline import reaches
from simcore.importers.write import write_chain_map

CATEGORY_BY_TIER = ["raw_material", "basic_material", "basic_component", "core_electronic_component", "subassembly", "subassembly", "final_product"]


@dataclass(frozen=True)
class SyntheticMap:
    products: pd.DataFrame  # id, name, category
    recipes: pd.DataFrame  # product, input, units
    firms: pd.DataFrame  # id, product, region, tags, cover, headroom
    links: pd.DataFrame  # supplier, customer, share, lead_time
    demand: pd.DataFrame  # firm, units


def generate_map(n_firms: int, tiers: int = 4, seed: int = 0, regions: int = 6, suppliers_per_input: float = 3.7, foreign_share: float = 0.1) -> SyntheticMap:
    """Draw a synthetic map with about `n_firms` firms (at least one per product)."""
    if tiers < 2:
        raise ValueError("tiers must be at least 2")
    rng = np.random.default_rng(seed)
    n_products = int(np.clip(n_firms // 40, 2 * tiers, 4000))
    tier_of = np.minimum((np.arange(n_products) * tiers) // n_products, tiers - 1)

    # recipes: one to three inputs from the tier above; a few back edges make cycles
    rec_p, rec_q, rec_a = [], [], []
    for t in range(1, tiers):
        above = np.flatnonzero(tier_of == t - 1)
        for p in np.flatnonzero(tier_of == t):
            k = min(len(above), rng.integers(1, 4))
            for q in rng.choice(above, size=k, replace=False):
                rec_p.append(p), rec_q.append(q), rec_a.append(round(float(rng.uniform(0.5, 2.0)) / k, 3))
    forward_p, forward_q = np.array(rec_p), np.array(rec_q)
    for p in np.flatnonzero((tier_of < tiers - 1) & (tier_of > 0)):
        users = forward_p[forward_q == p]  # products made from p: using one of them back closes a cycle
        if len(users) and rng.random() < 0.1:
            rec_p.append(p), rec_q.append(int(rng.choice(users))), rec_a.append(0.01)
    rec_p, rec_q, rec_a = np.array(rec_p), np.array(rec_q), np.array(rec_a)

    # firms: every product has a maker; the rest are spread by a heavy-tailed popularity
    popularity = rng.pareto(1.5, n_products) + 1.0
    extra = rng.multinomial(max(n_firms - n_products, 0), popularity / popularity.sum())
    firm_product = np.repeat(np.arange(n_products), 1 + extra)
    n = len(firm_product)
    size = rng.pareto(1.2, n) + 1.0  # a firm's pull on customers
    region = rng.integers(0, regions, n)
    foreign = rng.random(n) < foreign_share
    makers = np.split(np.arange(n), np.cumsum(1 + extra)[:-1])

    # links: per (customer, input) a heavy-tailed number of suppliers chosen by size
    sup_l, cus_l, share_l = [], [], []
    for p, q in zip(rec_p, rec_q):
        customers = makers[p]
        pool = makers[q]
        k = np.minimum(1 + rng.geometric(1.0 / suppliers_per_input, len(customers)) - 1, len(pool))
        k = np.maximum(k, 1)
        weights = size[pool] / size[pool].sum()
        draws = rng.choice(pool, size=int(k.sum()), p=weights)  # with replacement; duplicates removed below
        cust = np.repeat(customers, k)
        pairs = np.unique(np.stack([cust, draws], axis=1), axis=0)
        w = rng.gamma(2.0, 1.0, len(pairs))
        total = np.bincount(pairs[:, 0], weights=w, minlength=n)[pairs[:, 0]]
        sup_l.append(pairs[:, 1]), cus_l.append(pairs[:, 0]), share_l.append(w / total)
    sup = np.concatenate(sup_l) if sup_l else np.zeros(0, dtype=int)
    cus = np.concatenate(cus_l) if cus_l else np.zeros(0, dtype=int)
    share = np.concatenate(share_l) if share_l else np.zeros(0)
    far = foreign[sup] | (region[sup] != region[cus])
    lead = np.round(np.where(foreign[sup], rng.uniform(10, 30, len(sup)), rng.lognormal(np.where(far, 1.0, 0.0), 0.5)), 1)

    # final demand: makers of final products, plus exports of firms with no supply path to final demand
    final = tier_of[firm_product] == tiers - 1
    final |= np.bincount(sup, minlength=n) == 0
    final |= ~reaches(final, sup, cus, n)
    units = np.where(final, np.round(rng.uniform(5, 50, n), 1), 0.0)

    ids = np.char.add("f", np.arange(n).astype(str))
    pids = np.char.add("p", np.arange(n_products).astype(str))
    categories = [CATEGORY_BY_TIER[min(int(round(t * (len(CATEGORY_BY_TIER) - 1) / (tiers - 1))), len(CATEGORY_BY_TIER) - 1)] for t in tier_of]
    return SyntheticMap(
        products=pd.DataFrame({"id": pids, "name": [f"product {p} (tier {t})" for p, t in zip(range(n_products), tier_of)], "category": categories}),
        recipes=pd.DataFrame({"product": pids[rec_p], "input": pids[rec_q], "units": rec_a}),
        firms=pd.DataFrame(
            {
                "id": ids,
                "product": pids[firm_product],
                "region": np.where(foreign, "overseas", np.char.add("region", region.astype(str))),
                "tags": np.where(foreign, "foreign", ""),
                "cover": np.round(rng.uniform(3, 14, n), 1),
                "headroom": np.round(rng.uniform(0.05, 0.3, n), 2),
            }
        ),
        links=pd.DataFrame({"supplier": ids[sup], "customer": ids[cus], "share": share, "lead_time": lead}),
        demand=pd.DataFrame({"firm": ids[final], "units": units[final]}),
    )


def write_map(smap: SyntheticMap, out: Path, name: str, description: str, table_format: str = "csv") -> Path:
    """Write a model file `out` with its CSV (or Parquet) tables in a folder beside it (the importers' writer)."""
    return write_chain_map(smap, out, name=name, description=description, provenance="synthetic: simcore generate", table_format=table_format)
