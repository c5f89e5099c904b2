"""The policy registry: named interventions a scenario variant switches on (docs/model.md, Policies).

A variant lists its policies as `[[variants.policies]]` tables, `kind = "..."`
plus the policy's settings (docs/policies.md). Each policy is

- a settings model (`Policy` subclass: `extra="forbid"`, documented defaults,
  the money rates every policy may override), and
- pure functions applied at compile time: `edit_map(cmap, settings) -> cmap`
  for policies that change the map itself (dual sourcing adds links and
  re-solves the baseline), `apply(run, cmap, settings) -> run` for those that
  change the compiled arrays (targets, capacities, tiers, rationing rule,
  recovery parameters of shock rows).

Engines only read `CompiledRun` arrays, so both run every policy identically
without knowing policies exist. `simcore.compile` calls `edit_map` (every
map-changing policy, in order), compiles, then `apply` (every array-changing
policy, in order), after the variant's `[[variants.firms]]` overrides.

`fill_short_board` with `top = N` takes the N worst of the model's short-board
candidates by a stress test. Ranking runs a batch, which is no business of
compiling: the scenario's loader ranks once, with the function its caller
hands in (`simcore.load_scenario` hands in `simcore.knockouts.ranked_losses`, and
`rank_under_scenario` for `rank = "scenario"`, which the loader applies once the shocks are read),
and each such policy carries the ranking (`FillShortBoard.with_ranking`).

Adding a policy is one settings class, its functions and one `PolicyKind`
entry in `POLICIES`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Callable, Literal

import numpy as np
from pydantic import ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from simcore.chainmap import ChainMap
from simcore.chainmap.baseline import NotProductive, solve_outputs, technical_matrix
from simcore.chainmap.inspect import origin_problems, short_boards, short_boards_of
from simcore.chainmap.schema import Firm, Id, LeadTime, Link, NonNeg, Positive
from simcore.core.compiled import PRIORITY, CompiledRun
from simcore.core.primitives import CAPACITY, DAMAGE, LINEAR, SOURCE, STEP, TARGET, ShockTable
from simcore.errors import NO_VALUE, Problem
from simcore.scenario.schema import CostRates, IdList, PolicySpec, Priority, Selector
from simcore.scenario.shocks import select_firms, selector_problems

RankProducts = Callable[[ChainMap, list[str]], list]  # products ordered by a stress test, worst first (or (product, loss) pairs)
RankScenario = Callable[[object, list[str]], list[tuple[str, float]]]  # (scenario, products) -> (product, loss avoided), largest first
Share = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]


# --- settings -------------------------------------------------------------------
class Policy(PolicySpec, CostRates):
    """Fields every policy has: its own money rates (`CostRates`: None, the scenario's `[costs]`; see `simcore.costs`)
    and when it takes effect."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    start: NonNeg = 0.0  # day the policy takes effect, through the event calendar; 0: in place from the start


def _exactly_one(model, a: str, b: str, what: str):
    """Neither given: a problem of the whole policy (both given is reported at the second, see `_not_with`)."""
    if getattr(model, a) is None and getattr(model, b) is None:
        raise ValueError(f"one of `{a}` or `{b}` ({what})")
    return model


def _not_with(other: str):
    """A field validator: this field may not be given together with `other` (declared before it)."""

    def check(value, info: ValidationInfo):
        if value is not None and info.data.get(other) not in (None, []):
            raise ValueError(f"either `{other}` or `{info.field_name}`, not both")
        return value

    return check


class SafetyStock(Policy):
    """Raise (or set) the inventory cover of the selected firms' inputs."""

    kind: Literal["safety_stock"] = "safety_stock"
    select: Selector
    inputs: IdList = []  # input products; [] means every input
    cover: NonNeg | None = None  # days, replacing the firms' cover of those inputs
    extra_cover: NonNeg | None = None  # days added to it

    _cover_alone = field_validator("extra_cover")(_not_with("cover"))

    @model_validator(mode="after")
    def _one_cover(self):
        return _exactly_one(self, "cover", "extra_cover", "days of cover, or days added")


class SpareCapacity(Policy):
    """Raise (or set) the capacity headroom of the selected firms."""

    kind: Literal["spare_capacity"] = "spare_capacity"
    select: Selector
    headroom: NonNeg | None = None  # fraction of baseline output, replacing the firms' headroom
    extra_headroom: NonNeg | None = None  # fraction of baseline output added

    _headroom_alone = field_validator("extra_headroom")(_not_with("headroom"))

    @model_validator(mode="after")
    def _one_headroom(self):
        return _exactly_one(self, "headroom", "extra_headroom", "a headroom fraction, or a fraction added")


class StabilizeChainMaster(Policy):
    """Priority, cover and faster recovery for the chain masters, optionally for their suppliers too."""

    kind: Literal["stabilize_chain_master"] = "stabilize_chain_master"
    select: Selector = Selector(tags=["chain_master"])
    priority: Priority = 0  # rationing tier of the links into a supported firm (never lowers a tier)
    set_rationing: bool = True  # switch the variant to `rationing = "priority"` (tiers matter only then)
    extra_cover: NonNeg = 0.0  # days added to every input of a supported firm
    recovery_speed: Positive = 1.0  # divides the recovery days / half-life of damage to a supported firm
    extend_to_tiers: Annotated[int, Field(ge=0, le=2)] = 0  # also support tier-1 (1) and tier-2 (2) suppliers

    @field_validator("start")
    @classmethod
    def _in_place(cls, value):
        if value != 0:
            raise ValueError("0: priority contracts, cover and recovery plans of chain masters are in place before a shock (docs/policies.md#timing)")
        return value


class DualSourcing(Policy):
    """Give single-sourced inputs a second supplier: the largest other maker of the product."""

    kind: Literal["dual_sourcing"] = "dual_sourcing"
    select: Selector = Selector()  # the customers; default every firm
    products: IdList = []  # input products; [] means every input
    share: Share = 0.3  # of the customer's need, taken from the incumbent
    lead_time: LeadTime | None = None  # of the new link; default the incumbent's
    from_: Selector | None = Field(None, alias="from")  # makers the second supplier may be chosen from


MODE_FIELDS = {
    "capacity": {"extra_headroom"},
    "safety_stock": {"extra_cover"},
    "dual_sourcing": {"share", "lead_time", "from_"},
    "alternative_supplier": {"share", "lead_time", "capacity", "region", "tags", "qualification_days", "ramp_up_days"},
}
ALTERNATIVE_PREFIX = "alt_"  # id of the new firm: prefix + product id


class FillShortBoard(Policy):
    """Capacity, safety stock, a second supplier or a new alternative supplier for named products or the top short boards."""

    kind: Literal["fill_short_board"] = "fill_short_board"
    products: IdList = []
    top: Annotated[int, Field(ge=1)] | None = None  # the N short boards whose knock-out costs the chain most
    mode: Literal["capacity", "safety_stock", "dual_sourcing", "alternative_supplier"]
    extra_headroom: NonNeg = 0.2  # mode capacity: added at every maker of the product
    extra_cover: NonNeg = 7.0  # mode safety_stock: days added at every customer of the product
    share: Share = 0.3  # modes dual_sourcing and alternative_supplier: of each customer's need, moved to the new supplier
    lead_time: LeadTime | None = None  # of the new links; default each customer's main incumbent's
    from_: Selector | None = Field(None, alias="from")
    capacity: Positive = 0.5  # mode alternative_supplier: units/day, as a fraction of the product's baseline output
    region: Id = "domestic"  # of the new firm
    tags: IdList = []  # of the new firm
    qualification_days: NonNeg = 30.0  # after `start`, before the new firm takes orders
    ramp_up_days: NonNeg = 0.0  # from qualification, linear rise of the new firm's capacity to `capacity`
    rank: Literal["stress", "scenario"] = "stress"  # with `top`: by the generic knock-out test, or under the scenario's shocks
    origins: IdList = ["foreign"]  # tags or regions whose supply alone makes a short board (docs/model.md, Short boards)

    _ranked: tuple[str, ...] | None = PrivateAttr(None)  # with `top`: the model's short boards, worst first
    _scores: tuple[float, ...] | None = PrivateAttr(None)  # the loss by which each was ranked

    _top_alone = field_validator("top")(_not_with("products"))

    @field_validator("extra_headroom", "extra_cover", "share", "lead_time", "from_", "capacity", "region", "tags", "qualification_days", "ramp_up_days")
    @classmethod
    def _of_the_mode(cls, value, info: ValidationInfo):
        """A setting of another mode would silently do nothing: reject it (fields given only; defaults are not checked)."""
        mode = info.data.get("mode")
        if mode is not None and info.field_name not in MODE_FIELDS[mode]:
            owners = " or ".join(repr(m) for m, fields in MODE_FIELDS.items() if info.field_name in fields)
            raise ValueError(f"no `{info.field_name.rstrip('_')}` with mode {mode!r} (it is a setting of mode {owners})")
        return value

    @model_validator(mode="after")
    def _what(self):
        if not self.products and self.top is None:
            raise ValueError("one of `products` (a list of product ids) or `top` (a number of short-board candidates)")
        return self

    @field_validator("rank", "origins")
    @classmethod
    def _only_with_top(cls, value, info: ValidationInfo):
        """A ranking setting with named `products` would silently do nothing."""
        if info.data.get("products"):
            raise ValueError(f"no `{info.field_name}` with `products` (it chooses among the short boards for `top`)")
        return value

    def with_ranking(self, ranked, scores=None) -> "FillShortBoard":
        """This policy with the model's short boards ranked worst first, which `top` takes from, and the loss each
        was ranked by (`scores`, in the same order, when the ranking gives them)."""
        copy = self.model_copy()
        copy._ranked = tuple(ranked)
        copy._scores = None if scores is None else tuple(float(x) for x in scores)
        return copy

    @property
    def needs_scenario_ranking(self) -> bool:
        return self.top is not None and self.rank == "scenario" and self._ranked is None

    @property
    def chosen_products(self) -> list[str]:
        """The products it works on: named, or the `top` worst short boards of its ranking."""
        if self.products:
            return list(self.products)
        if self._ranked is None:
            raise ValueError("fill_short_board with `top` has no ranking of the short boards: load the scenario with simcore.load_scenario")
        return list(self._ranked[: self.top])

    def picks(self, cmap: ChainMap) -> list[dict]:
        """What it works on and why, one entry per chosen product (docs/policies.md#fill_short_board): the product,
        why it was chosen (named; or its rank among the short boards and the loss it was ranked by), the reasons
        it is a short board, the customers whose short board it is and their suppliers, the new firm (mode
        `alternative_supplier`) or second suppliers (mode `dual_sourcing`)."""
        rows = short_boards_of(cmap, self.origins)
        out = []
        for n, q in enumerate(self.chosen_products):
            mine = [r for r in rows if r["product"] == q]
            if self.products:
                why = "named in `products`"
            else:
                basis = "a 30-day knock-out of its makers (rank = \"stress\")" if self.rank == "stress" else "the scenario's shocks on its supply (rank = \"scenario\")"
                measure = "chain loss" if self.rank == "stress" else "chain loss through it"
                score = f": {measure} {self._scores[n]:.2%}" if self._scores is not None else ""
                why = f"short board {n + 1} of {len(self._ranked)} (top = {self.top}) by {basis}{score}"
            pick = {
                "product": q,
                "mode": self.mode,
                "why": why,
                "reason": " + ".join(dict.fromkeys(x for r in mine for x in r["reason"].split(" + "))) or "not a short board",
                "customers": [r["customer"] for r in mine],
                "suppliers": list(dict.fromkeys(s for r in mine for s in r["suppliers"])),
            }
            if not self.products and self._scores is not None:
                pick["score"] = self._scores[n]
            if self.mode == "alternative_supplier":
                pick["new_firm"] = ALTERNATIVE_PREFIX + q
            elif self.mode == "dual_sourcing":
                plan = dual_sourcing_plan(cmap, range(len(cmap.firms)), [q], self.from_)
                pick["second_suppliers"] = [f"{cmap.firms[b].id} -> {cmap.links[l].customer}" for l, b in plan]
            elif self.mode == "capacity":
                pick["makers"] = [f.id for f in cmap.firms if f.product == q]
            out.append(pick)
        return out


# --- helpers on the compiled run -------------------------------------------------
def _mask(n: int, idx) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[np.asarray(idx, dtype=np.int64)] = True
    return m


def slot_firm(run: CompiledRun) -> np.ndarray:
    """The firm of each input slot."""
    return np.repeat(np.arange(run.n_firms), np.diff(run.slot_ptr))


def _with_cover(run: CompiledRun, slots: np.ndarray, days: float, absolute: bool = False) -> CompiledRun:
    """Targets of the chosen slots set to, or raised by, `days` of baseline use."""
    use = run.slot_coef * run.base_output[slot_firm(run)]
    target = run.slot_target.copy()
    if absolute:
        target[slots] = days * use[slots]
    else:
        target[slots] = target[slots] + days * use[slots]
    return dataclasses.replace(run, slot_target=target)


def _with_headroom(run: CompiledRun, firms: np.ndarray, fraction: float, absolute: bool = False) -> CompiledRun:
    capacity = run.capacity.copy()
    if absolute:
        capacity[firms] = run.base_output[firms] * (1.0 + fraction)
    else:
        capacity[firms] = capacity[firms] + fraction * run.base_output[firms]
    return dataclasses.replace(run, capacity=capacity)


def _schedule(run: CompiledRun, rows) -> CompiledRun:
    """The run with primitive rows `(kind, target, value, start, duration, profile, param)` (compiled targets)
    added to its policy events, after those already there."""
    if not rows:
        return run
    return dataclasses.replace(run, policy_events=run.policy_events + ShockTable.from_rows([(*row, 0) for row in rows], sort=False))


def _from(run: CompiledRun, changed: CompiledRun, start: float) -> CompiledRun:
    """`changed` from day 0, or from `start` on: the run with its target and capacity changes as timed rows."""
    if start <= 0:
        return changed
    rows = [(TARGET, s, d, start, 0.0, STEP, 0.0) for s, d in _changes(run.slot_target, changed.slot_target)]
    rows += [(CAPACITY, i, d, start, 0.0, STEP, 0.0) for i, d in _changes(run.capacity, changed.capacity)]
    return _schedule(run, rows)


def _changes(before: np.ndarray, after: np.ndarray) -> list[tuple[int, float]]:
    delta = after - before
    return [(int(k), float(delta[k])) for k in np.flatnonzero(delta)]


def _product_ids(cmap: ChainMap, names) -> np.ndarray:
    return np.array([cmap.product_index[q] for q in names], dtype=np.int64)


def _inputs_of(cmap: ChainMap, firms) -> set[str]:
    return {q for k in firms for q in cmap.products[cmap.firm_product[k]].recipe}


# --- safety_stock, spare_capacity -------------------------------------------------
def _safety_stock(run: CompiledRun, cmap: ChainMap, s: SafetyStock) -> CompiledRun:
    slots = _mask(run.n_firms, select_firms(cmap, s.select))[slot_firm(run)]
    if s.inputs:
        slots &= np.isin(run.slot_product, _product_ids(cmap, s.inputs))
    changed = _with_cover(run, slots, s.cover if s.cover is not None else s.extra_cover, absolute=s.cover is not None)
    return _from(run, changed, s.start)


def _spare_capacity(run: CompiledRun, cmap: ChainMap, s: SpareCapacity) -> CompiledRun:
    firms = _mask(run.n_firms, select_firms(cmap, s.select))
    changed = _with_headroom(run, firms, s.headroom if s.headroom is not None else s.extra_headroom, absolute=s.headroom is not None)
    return _from(run, changed, s.start)


# --- stabilize_chain_master -----------------------------------------------------
def supported_firms(cmap: ChainMap, select: Selector, tiers: int) -> np.ndarray:
    """The selected firms and, for `tiers` 1 or 2, their tier-1 (and tier-2) suppliers, as a mask."""
    support = _mask(len(cmap.firms), select_firms(cmap, select))
    frontier = support.copy()
    for _ in range(tiers):
        up = _mask(len(cmap.firms), cmap.link_supplier[frontier[cmap.link_customer]])
        frontier = up & ~support
        support |= up
    return support


def _stabilize(run: CompiledRun, cmap: ChainMap, s: StabilizeChainMaster) -> CompiledRun:
    support = supported_firms(cmap, s.select, s.extend_to_tiers)
    into = support[run.link_customer]
    changes = {"link_tier": np.where(into, np.minimum(run.link_tier, s.priority), run.link_tier).astype(np.int64)}
    if s.set_rationing:
        changes["rationing"] = PRIORITY
    if s.recovery_speed != 1.0:  # applied to the damage rows by CompiledRun.with_shocks
        speed = run.recovery_speed.copy()
        speed[np.flatnonzero(support)] *= s.recovery_speed
        changes["recovery_speed"] = speed
    run = dataclasses.replace(run, **changes)
    if s.extra_cover:
        run = _with_cover(run, support[slot_firm(run)], s.extra_cover)
    return run


# --- dual_sourcing ----------------------------------------------------------------
def dual_sourcing_plan(cmap: ChainMap, customers, products, source: Selector | None) -> list[tuple[int, int]]:
    """(incumbent link, second supplier) pairs: for each chosen customer (map order) and input (recipe order)
    bought from a single supplier, the maker of that input with the largest baseline output that is neither
    the incumbent nor the customer (first in map order on a tie), among the `source` firms when given."""
    products = set(products) if products else None
    allowed = _mask(len(cmap.firms), select_firms(cmap, source)) if source is not None else np.ones(len(cmap.firms), dtype=bool)
    by_need: dict[tuple[int, str], list[int]] = defaultdict(list)
    for l, (j, i) in enumerate(zip(cmap.link_supplier, cmap.link_customer)):
        by_need[int(i), cmap.firms[j].product].append(l)
    makers: dict[str, list[int]] = defaultdict(list)
    for k, f in enumerate(cmap.firms):
        makers[f.product].append(k)
    plan = []
    for i in sorted(int(k) for k in customers):
        for q in cmap.products[cmap.firm_product[i]].recipe:
            links = by_need.get((i, q), [])
            if (products is not None and q not in products) or len(links) != 1:
                continue
            incumbent = int(cmap.link_supplier[links[0]])
            candidates = [m for m in makers[q] if m not in (incumbent, i) and allowed[m]]
            if candidates:
                plan.append((links[0], max(candidates, key=lambda m: (cmap.outputs[m], -m))))
    return plan


def add_second_suppliers(cmap: ChainMap, plan: list[tuple[int, int]], share: float, lead_time: float | None, start: float = 0.0) -> ChainMap:
    """The map with each planned link added (appended, so map link indices stay valid) and `share` of the
    incumbent's share moved to it: from day 0 with the baseline outputs re-solved as the loader solves them,
    or from `start` on (the link waits with share 0; the baseline is unchanged; a SOURCE row moves the share)."""
    if not plan:
        return cmap
    links = list(cmap.links)
    sup, cus, coef = list(cmap.link_supplier), list(cmap.link_customer), list(cmap.link_coef)
    rows = []
    for l, b in plan:
        inc = links[l]
        lead = inc.lead_time if lead_time is None else lead_time
        if start > 0:
            rows.append((SOURCE, len(links), share, start, 0.0, STEP, 0.0))
            links.append(_standby_link(cmap.firms[b].id, inc.customer, lead, inc.priority))
        else:
            links[l] = inc.model_copy(update={"share": inc.share * (1.0 - share)})
            links.append(Link(supplier=cmap.firms[b].id, customer=inc.customer, share=inc.share * share, lead_time=lead, priority=inc.priority))
        sup.append(b)
        cus.append(cmap.link_customer[l])
        coef.append(cmap.link_coef[l])
    sup_a, cus_a, coef_a = (np.array(sup, dtype=np.int64), np.array(cus, dtype=np.int64), np.array(coef, dtype=float))
    if rows:
        return dataclasses.replace(cmap, links=tuple(links), link_supplier=sup_a, link_customer=cus_a, link_coef=coef_a, scheduled=cmap.scheduled + tuple(rows))
    shares = np.array([link.share for link in links])
    outputs = solve_outputs(technical_matrix(len(cmap.firms), sup_a, cus_a, shares * coef_a), cmap.final_demand)
    return dataclasses.replace(cmap, links=tuple(links), link_supplier=sup_a, link_customer=cus_a, link_coef=coef_a, outputs=outputs)


def _standby_link(supplier: str, customer: str, lead_time: float, priority: int | None) -> Link:
    """A link that carries nothing until a SOURCE row gives it a share (the schema's share > 0 is for map files)."""
    return Link.model_construct(supplier=supplier, customer=customer, share=0.0, lead_time=lead_time, priority=priority)


def _dual_sourcing(cmap: ChainMap, s: DualSourcing) -> ChainMap:
    plan = dual_sourcing_plan(cmap, select_firms(cmap, s.select), s.products, s.from_)
    return add_second_suppliers(cmap, plan, s.share, s.lead_time, s.start)


# --- fill_short_board -------------------------------------------------------------
def ranked(cmap: ChainMap, policy: Policy, rank_products: RankProducts | None) -> Policy:
    """`policy`, and a `fill_short_board` with `top` given the ranking of the map's short-board candidates of
    `simcore inspect` (`short_boards`, of its `origins`) by `rank_products` (a by-product stress test,
    `simcore.knockouts.rank_products`: products worst first, or (product, loss) pairs). With `rank = "scenario"`
    it is left unranked here: the loader ranks it under the scenario's shocks once they are read."""
    if not isinstance(policy, FillShortBoard) or policy.top is None:
        return policy
    if policy.rank == "scenario":
        return policy  # ranked once the scenario's shocks are read (simcore.scenario.load, `scenario_ranking`)
    if rank_products is None:
        raise ValueError("fill_short_board with `top` needs a ranking of the short boards: load the scenario with simcore.load_scenario")
    order = rank_products(cmap, [row["product"] for row in short_boards(cmap, policy.origins)])
    if order and isinstance(order[0], tuple):  # (product, loss) pairs
        return policy.with_ranking([q for q, _ in order], [x for _, x in order])
    return policy.with_ranking(order)


def _fill_map(cmap: ChainMap, s: FillShortBoard) -> ChainMap:
    if s.mode == "alternative_supplier":
        return add_alternative_suppliers(cmap, s)
    if s.mode != "dual_sourcing":
        return cmap
    plan = dual_sourcing_plan(cmap, range(len(cmap.firms)), s.chosen_products, s.from_)
    return add_second_suppliers(cmap, plan, s.share, s.lead_time, s.start)


def _fill_run(run: CompiledRun, cmap: ChainMap, s: FillShortBoard) -> CompiledRun:
    products = _product_ids(cmap, s.chosen_products)
    if s.mode == "capacity":
        return _from(run, _with_headroom(run, np.isin(cmap.firm_product, products), s.extra_headroom), s.start)
    if s.mode == "safety_stock":
        return _from(run, _with_cover(run, np.isin(run.slot_product, products), s.extra_cover), s.start)
    return run


def customers_of(cmap: ChainMap, product: str) -> list[int]:
    """Firms (map order) that use `product` as an input and buy it in the map."""
    return [k for k, f in enumerate(cmap.firms) if k not in cmap.open_inputs and product in cmap.products[cmap.firm_product[k]].recipe]


def add_alternative_suppliers(cmap: ChainMap, s: FillShortBoard) -> ChainMap:
    """A new firm per product, `alt_<product>`: a standby supplier with no baseline output, whose own inputs come
    from outside the map. From `start + qualification_days` on it has `capacity` (ramping up linearly over
    `ramp_up_days`) and takes `share` of every customer's need for the product (SOURCE rows)."""
    firms, links = list(cmap.firms), list(cmap.links)
    sup, cus, coef = list(cmap.link_supplier), list(cmap.link_customer), list(cmap.link_coef)
    firm_product = list(cmap.firm_product)
    open_inputs, rows = set(cmap.open_inputs), list(cmap.scheduled)
    onset = s.start + s.qualification_days
    for q in s.chosen_products:
        p = cmap.product_index[q]
        new = len(firms)
        firms.append(Firm(id=ALTERNATIVE_PREFIX + q, name=f"alternative supplier of {q}", product=q, region=s.region, tags=list(s.tags)))
        firm_product.append(p)
        open_inputs.add(new)
        capacity = s.capacity * float(cmap.outputs[cmap.firm_product == p].sum())
        rows.append((CAPACITY, new, capacity, onset, 0.0, STEP, 0.0))
        if s.ramp_up_days > 0:
            rows.append((DAMAGE, new, 1.0, onset, 0.0, LINEAR, s.ramp_up_days))
        for i in customers_of(cmap, q):
            incumbents = [l for l in range(len(cmap.links)) if cmap.link_customer[l] == i and cmap.firm_product[cmap.link_supplier[l]] == p]
            main = max(incumbents, key=lambda l: (cmap.links[l].share, -l))
            lead = cmap.links[main].lead_time if s.lead_time is None else s.lead_time
            rows.append((SOURCE, len(links), s.share, onset, 0.0, STEP, 0.0))
            links.append(_standby_link(firms[new].id, cmap.firms[i].id, lead, None))
            sup.append(new)
            cus.append(i)
            coef.append(cmap.products[cmap.firm_product[i]].recipe[q])
    return dataclasses.replace(
        cmap,
        firms=tuple(firms),
        links=tuple(links),
        final_demand=np.append(cmap.final_demand, np.zeros(len(firms) - len(cmap.firms))),
        outputs=np.append(cmap.outputs, np.zeros(len(firms) - len(cmap.firms))),
        firm_product=np.array(firm_product, dtype=cmap.firm_product.dtype),
        link_supplier=np.array(sup, dtype=np.int64),
        link_customer=np.array(cus, dtype=np.int64),
        link_coef=np.array(coef, dtype=float),
        open_inputs=frozenset(open_inputs),
        scheduled=tuple(rows),
    )


# --- checks against the map (at load time) ---------------------------------------
def _product_problems(cmap: ChainMap, names, firms, file: str, field: str, role: str = "of some selected firm") -> list[Problem]:
    """Unknown products, and products that no chosen firm uses as an input (the setting would do nothing)."""
    used = _inputs_of(cmap, firms)
    problems = []
    for k, q in enumerate(names):
        if q not in cmap.product_index:
            problems.append(Problem(file, f"{field}[{k}]", q, "the id of a product of the model"))
        elif len(firms) and q not in used:
            problems.append(Problem(file, f"{field}[{k}]", q, f"an input {role} ({', '.join(sorted(used)) or 'they use no inputs'})"))
    return problems


def _check_safety_stock(cmap: ChainMap, s: SafetyStock, file: str, field: str) -> list[Problem]:
    problems = selector_problems(cmap, s.select, file, f"{field}.select")
    return problems + _product_problems(cmap, s.inputs, select_firms(cmap, s.select), file, f"{field}.inputs")


def _check_select(cmap: ChainMap, s, file: str, field: str) -> list[Problem]:
    return selector_problems(cmap, s.select, file, f"{field}.select")


def _dual_problems(cmap: ChainMap, plan, share: float, file: str, field: str, what: str) -> list[Problem]:
    if not plan:
        return [Problem(file, field, NO_VALUE, f"expected a policy that adds at least one supplier link: {what}")]
    try:
        add_second_suppliers(cmap, plan, share, None)
    except NotProductive as exc:
        return [Problem(file, field, NO_VALUE, f"expected a map that stays productive with the second suppliers added: {exc}")]
    return []


def _check_dual_sourcing(cmap: ChainMap, s: DualSourcing, file: str, field: str) -> list[Problem]:
    problems = selector_problems(cmap, s.select, file, f"{field}.select")
    if s.from_ is not None:
        problems += selector_problems(cmap, s.from_, file, f"{field}.from")
    customers = select_firms(cmap, s.select)
    problems += _product_problems(cmap, s.products, customers, file, f"{field}.products")
    if problems:
        return problems
    plan = dual_sourcing_plan(cmap, customers, s.products, s.from_)
    what = "no selected customer buys the chosen inputs from a single supplier while another (allowed) maker exists"
    return _dual_problems(cmap, plan, s.share, file, field, what)


def _check_fill_short_board(cmap: ChainMap, s: FillShortBoard, file: str, field: str) -> list[Problem]:
    problems = origin_problems(cmap, s.origins, file, f"{field}.origins")
    if problems:
        return problems
    if s.needs_scenario_ranking:
        return problems  # checked again once ranked under the scenario's shocks
    if s.from_ is not None:
        problems += selector_problems(cmap, s.from_, file, f"{field}.from")
    if s.products:
        problems += _product_problems(cmap, s.products, range(len(cmap.firms)), file, f"{field}.products", role="of some firm")
    elif not s.chosen_products:
        expected = "a map with short-board candidates (`simcore inspect` lists none); name `products` instead"
        problems.append(Problem(file, f"{field}.top", s.top, expected))
    if not problems and s.mode == "alternative_supplier":
        for q in s.chosen_products:
            if ALTERNATIVE_PREFIX + q in cmap.firm_index:
                problems.append(Problem(file, field, ALTERNATIVE_PREFIX + q, "a map without a firm of that id: it is the id given to the new supplier of " + q))
    if problems or s.mode != "dual_sourcing":
        return problems
    products = s.chosen_products
    makers = {q: [f.id for f in cmap.firms if f.product == q] for q in products}
    if s.products:
        for k, q in enumerate(s.products):
            if len(makers[q]) < 2:
                expected = (
                    f"a product with a second maker to buy from (only {', '.join(makers[q])} makes it; "
                    "mode 'alternative_supplier' adds a new firm instead)"
                )
                problems.append(Problem(file, f"{field}.products[{k}]", q, expected))
        if problems:
            return problems
    plan = dual_sourcing_plan(cmap, range(len(cmap.firms)), products, s.from_)
    single = [q for q in products if len(makers[q]) < 2]
    what = f"no customer of {', '.join(products)} buys it from a single supplier while another (allowed) maker exists"
    return _dual_problems(cmap, plan, s.share, file, field, what + (f" ({', '.join(single)}: one maker only)" if single else ""))


# --- the registry ----------------------------------------------------------------
@dataclass(frozen=True)
class PolicyKind:
    """One named policy: its settings, its map checks and its effect (on the map, on the compiled run, or both)."""

    settings: type[Policy]
    check: Callable[[ChainMap, Policy, str, str], list[Problem]]
    edit_map: Callable[[ChainMap, Policy], ChainMap] | None = None
    apply: Callable[["CompiledRun", ChainMap, Policy], "CompiledRun"] | None = None


POLICIES: dict[str, PolicyKind] = {
    "safety_stock": PolicyKind(SafetyStock, _check_safety_stock, apply=_safety_stock),
    "spare_capacity": PolicyKind(SpareCapacity, _check_select, apply=_spare_capacity),
    "stabilize_chain_master": PolicyKind(StabilizeChainMaster, _check_select, apply=_stabilize),
    "dual_sourcing": PolicyKind(DualSourcing, _check_dual_sourcing, edit_map=_dual_sourcing),
    "fill_short_board": PolicyKind(FillShortBoard, _check_fill_short_board, edit_map=_fill_map, apply=_fill_run),
}


def resolve(spec: PolicySpec) -> Policy:
    """A variant's policy entry as its validated settings (already so when it came through `load_scenario`)."""
    entry = POLICIES.get(spec.kind)
    if entry is None:
        raise KeyError(f"unknown policy {spec.kind!r}; known: {', '.join(sorted(POLICIES))}")
    if isinstance(spec, entry.settings):
        return spec
    return entry.settings.model_validate(spec.model_dump(by_alias=True))


def short_board_picks(cmap: ChainMap, variants) -> dict[str, list[dict]]:
    """Per variant with a `fill_short_board`: what each such policy picked and why (`FillShortBoard.picks`), in
    policy order; the `short_board_picks` of summary.json."""
    out: dict[str, list[dict]] = {}
    for v in variants:
        picks = [pick for spec in v.policies if spec.kind == "fill_short_board" for pick in resolve(spec).picks(cmap)]
        if picks:
            out[v.name] = picks
    return out


def pick_line(pick: dict) -> str:
    """One pick as one printed line."""
    firms = {"new_firm": "new firm", "second_suppliers": "second suppliers", "makers": "makers"}
    extra = "".join(f"; {label} {pick[k] if isinstance(pick[k], str) else ', '.join(pick[k]) or 'none'}" for k, label in firms.items() if k in pick)
    return (
        f"{pick['product']} ({pick['reason']}; {pick['mode']}): {pick['why']}; short board of {', '.join(pick['customers']) or 'no customer'}"
        f" (supplied by {', '.join(pick['suppliers']) or '-'}){extra}"
    )
