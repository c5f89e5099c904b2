"""Scenario shocks, each expanded once into primitive rows (`simcore.core.primitives`) that every engine reads.

A firm outage or a regional lockdown becomes DAMAGE rows on firms, an embargo
or a link disruption CLOSE or LEAD rows on links, a demand shock DEMAND rows;
random shocks add their rows per replication (`simcore.scenario.random`).

Adding a shock kind is one schema class and one expand function in `SHOCK_KINDS`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from simcore.chainmap import ChainMap
from simcore.core.primitives import CLOSE, DAMAGE, DEMAND, LEAD, PROFILES, STEP, ShockTable
from simcore.errors import NO_VALUE, Problem, names_hint
from simcore.scenario.distributions import typical
from simcore.scenario.schema import DemandShock, Embargo, FirmOutage, LeadTimeNoise, LinkDisruption, RandomOutage, RegionOutage, Selector


def select_firms(cmap: ChainMap, sel: Selector) -> np.ndarray:
    """Indices of the firms a selector chooses, in map order."""
    chosen = np.ones(len(cmap.firms), dtype=bool)
    if sel.ids:
        ids = set(sel.ids)
        chosen &= np.array([f in ids for f in cmap.firms.column("id")], dtype=bool)
    if sel.tags:
        chosen &= cmap.tagged(*sel.tags)
    if sel.regions:
        chosen &= cmap.in_regions(*sel.regions)
    if sel.products:
        products = set(sel.products)
        chosen &= np.isin(cmap.firm_product, [cmap.product_index[p] for p in products if p in cmap.product_index])
    if sel.chains:
        chains = set(sel.chains)
        chosen &= np.logical_or.reduce([cmap.chain_member_mask[c] for c in chains if c in cmap.chain_member_mask] or [np.zeros(len(cmap.firms), dtype=bool)])
    return np.flatnonzero(chosen)


def selector_problems(cmap: ChainMap, sel: Selector, file: str, field: str) -> list[Problem]:
    """Names in a selector that the map does not have, and selectors that choose nothing."""
    known = {  # each built only for a selector that names some (a million-firm map's ids are a big set)
        "ids": lambda: set(cmap.firms.column("id")),
        "tags": lambda: set(cmap.tags),
        "regions": lambda: set(cmap.regions),
        "products": lambda: set(cmap.product_index),
        "chains": lambda: set(cmap.chains),
    }
    problems = []
    for key, names_of in known.items():
        names = names_of() if getattr(sel, key) else set()
        for k, name in enumerate(getattr(sel, key)):
            if name not in names:
                expected = f"one of the map's {key}: {names_hint(name, names)}" if names else f"one of the map's {key} (the map has none)"
                problems.append(Problem(file, f"{field}.{key}[{k}]", name, expected))
    if not problems and len(select_firms(cmap, sel)) == 0:
        problems.append(Problem(file, field, sel.model_dump(exclude_defaults=True), "a selection that matches at least one firm"))
    return problems


def recovery_code(shock) -> tuple[int, float]:
    """A shock's recovery as (profile code, days or half-life)."""
    rec = getattr(shock, "recovery", None)
    if rec is None or rec.profile == "step":
        return STEP, 0.0
    return PROFILES[rec.profile], float(rec.days if rec.profile == "linear" else rec.half_life)


Expansion = tuple[list[tuple[int, int, float]], list[Problem]]  # (kind, target, value) rows


def _firm_outage(cmap: ChainMap, s: FirmOutage, file: str, field: str) -> Expansion:
    problems = selector_problems(cmap, s.select, file, f"{field}.select")
    return [(DAMAGE, int(k), typical(s.magnitude)) for k in select_firms(cmap, s.select)], problems


def _region_outage(cmap: ChainMap, s: RegionOutage, file: str, field: str) -> Expansion:
    problems = [Problem(file, f"{field}.regions[{k}]", r, f"one of the map's regions: {', '.join(cmap.regions)}") for k, r in enumerate(s.regions) if r not in cmap.regions]
    return [(DAMAGE, int(k), typical(s.magnitude)) for k in select_firms(cmap, Selector(regions=s.regions))], problems


def _embargo(cmap: ChainMap, s: Embargo, file: str, field: str) -> Expansion:
    problems = selector_problems(cmap, s.origin, file, f"{field}.origin")
    for k, p in enumerate(s.products):
        if p not in cmap.product_index:
            problems.append(Problem(file, f"{field}.products[{k}]", p, "the id of a product of the model"))
    origin = set(select_firms(cmap, s.origin).tolist())
    if s.destination is None:
        destination = set(range(len(cmap.firms))) - origin
    else:
        problems += selector_problems(cmap, s.destination, file, f"{field}.destination")
        destination = set(select_firms(cmap, s.destination).tolist())
    products = set(s.products)
    rows = [
        (CLOSE, l, 1.0)
        for l, (j, i) in enumerate(zip(cmap.link_supplier, cmap.link_customer))
        if j in origin and i in destination and cmap.firms[j].product in products
    ]
    if not problems and not rows:
        expected = "expected an embargo that closes at least one link (no selected origin firm supplies these products to a destination firm)"
        problems.append(Problem(file, field, NO_VALUE, expected))
    return rows, problems


def _link_disruption(cmap: ChainMap, s: LinkDisruption, file: str, field: str) -> Expansion:
    problems: list[Problem] = []
    index = {(link.supplier, link.customer): l for l, link in enumerate(cmap.links)}
    chosen: set[int] = set()
    for k, ref in enumerate(s.links):
        if (ref.supplier, ref.customer) in index:
            chosen.add(index[ref.supplier, ref.customer])
        else:
            problems.append(Problem(file, f"{field}.links[{k}]", f"{ref.supplier} -> {ref.customer}", "a link of the model"))
    if s.suppliers is not None or s.customers is not None:
        sup = set(range(len(cmap.firms))) if s.suppliers is None else set(select_firms(cmap, s.suppliers).tolist())
        cus = set(range(len(cmap.firms))) if s.customers is None else set(select_firms(cmap, s.customers).tolist())
        for name, sel in (("suppliers", s.suppliers), ("customers", s.customers)):
            if sel is not None:
                problems += selector_problems(cmap, sel, file, f"{field}.{name}")
        chosen |= {l for l, (j, i) in enumerate(zip(cmap.link_supplier, cmap.link_customer)) if j in sup and i in cus}
    if not problems and not chosen:
        problems.append(Problem(file, field, NO_VALUE, "expected a disruption that matches at least one link"))
    if s.lead_time_factor is None:
        return [(CLOSE, l, 1.0) for l in sorted(chosen)], problems
    return [(LEAD, l, s.lead_time_factor) for l in sorted(chosen)], problems


def _demand_shock(cmap: ChainMap, s: DemandShock, file: str, field: str) -> Expansion:
    problems = selector_problems(cmap, s.select, file, f"{field}.select")
    firms = [int(k) for k in select_firms(cmap, s.select) if cmap.final_demand[k] > 0]
    if not problems and not firms:
        problems.append(Problem(file, f"{field}.select", s.select.model_dump(exclude_defaults=True), "a selection that includes a firm with final demand"))
    return [(DEMAND, k, typical(s.factor)) for k in firms], problems


def _random_outage(cmap: ChainMap, s: RandomOutage, file: str, field: str) -> Expansion:
    """No rows: replications draw them (simcore.scenario.random)."""
    return [], selector_problems(cmap, s.select, file, f"{field}.select")


def _lead_time_noise(cmap: ChainMap, s: LeadTimeNoise, file: str, field: str) -> Expansion:
    problems = []
    for name in ("suppliers", "customers"):
        if getattr(s, name) is not None:
            problems += selector_problems(cmap, getattr(s, name), file, f"{field}.{name}")
    return [], problems


SHOCK_KINDS: dict[str, Callable[..., Expansion]] = {
    "firm_outage": _firm_outage,
    "region_outage": _region_outage,
    "embargo": _embargo,
    "link_disruption": _link_disruption,
    "demand_shock": _demand_shock,
    "random_outage": _random_outage,
    "lead_time_noise": _lead_time_noise,
}


def expand_shocks(cmap: ChainMap, shocks: list, file: str) -> tuple[ShockTable, list[Problem]]:
    """All scenario shocks as one primitive table, with the problems of every shock."""
    rows, problems = [], []
    for n, shock in enumerate(shocks):
        prims, probs = SHOCK_KINDS[shock.kind](cmap, shock, file, f"shocks[{n}]")
        problems += probs
        if not prims:
            continue
        profile, param = recovery_code(shock)
        start, duration = typical(shock.start), typical(shock.duration)
        rows += [(kind, target, value, start, duration, profile, param, n) for kind, target, value in prims]
    return ShockTable.from_rows(rows), problems
