"""The compiled form of a run: one variant of one scenario as flat NumPy arrays, the only thing engines see.

Links are ordered by customer, then by the customer's input slot, so a
customer pulls its inputs through contiguous ranges; each supplier reaches its
customers' links through a CSR list (`out_ptr`, `out_link`).

The calendar rows (`shock_*`) are primitive shock rows (`simcore.core.primitives`)
with compiled targets. `CompiledRun.with_shocks` maps another shock table onto
a run, which is how Monte Carlo replications reuse one compiled variant.
`simcore.compile` builds runs from a chain map and a scenario variant.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from simcore.core.primitives import DAMAGE, LINK_KINDS, STEP, ShockTable

PROPORTIONAL, PRIORITY, MIXED = 0, 1, 2  # rationing rules (`CompiledRun.rationing`), docs/model.md (Rationing)
N_TIERS = 10  # priority tiers 0 .. N_TIERS - 1 (`link_tier`, `final_tier`)
CRITICAL, IMPORTANT, NONCRITICAL = 0, 1, 2  # necessity of an input slot (`slot_necessity`), docs/model.md (Necessity of inputs)
ROUNDING_SLACK = 1e-12
"""Relative rounding slack of the model's thresholds (docs/model.md, A stable steady state): an input bound short
of the need by less than this does not bind, one below this of the need allows nothing, and an order below this
of the slot's baseline daily use is no order, so that rounding never decides what a firm does."""
INT_COLUMNS = ("shock_kind", "shock_target", "shock_profile")


@dataclass(frozen=True, eq=False)
class CompiledRun:
    """One variant of one scenario as arrays; see docs/model.md for each quantity's meaning."""

    horizon: int
    # firms
    capacity: np.ndarray
    base_output: np.ndarray
    final_demand: np.ndarray
    # input slots (firm, input product), CSR by firm
    slot_ptr: np.ndarray
    slot_product: np.ndarray
    slot_coef: np.ndarray
    slot_necessity: np.ndarray  # CRITICAL, IMPORTANT or NONCRITICAL
    slot_target: np.ndarray
    slot_pipeline: np.ndarray
    slot_link_ptr: np.ndarray
    # links, ordered by customer and slot
    link_supplier: np.ndarray
    link_customer: np.ndarray
    link_slot: np.ndarray
    link_share: np.ndarray
    link_lead: np.ndarray
    link_tier: np.ndarray
    link_flow: np.ndarray  # baseline units per day
    link_map_index: np.ndarray  # position of the link in the chain map
    # suppliers' customer links, CSR by supplier
    out_ptr: np.ndarray
    out_link: np.ndarray
    # parameters
    tau: float
    backlog_days: float
    rationing: int  # PROPORTIONAL, PRIORITY or MIXED
    adaptive_sourcing: bool
    share_recovery: float
    final_tier: int
    # shocks, with link targets in compiled link order
    shock_kind: np.ndarray
    shock_target: np.ndarray
    shock_value: np.ndarray
    shock_start: np.ndarray
    shock_duration: np.ndarray
    shock_profile: np.ndarray
    shock_param: np.ndarray
    # chain aggregates: value weights of final-demand firms, CSR by chain ("total" first)
    chain_names: tuple[str, ...]
    chain_ptr: np.ndarray
    chain_firm: np.ndarray
    chain_weight: np.ndarray
    firm_ids: tuple[str, ...] = ()  # map order; a policy may append firms (an alternative supplier)
    firm_product: np.ndarray | None = None  # product index of each firm (the map's products): what a unit of it is worth
    # what `with_shocks` needs: where each map link went, the policies' own rows and recovery speeds
    link_position: np.ndarray | None = None  # compiled position of each map link
    policy_events: ShockTable = ShockTable.empty()  # timed policy rows, compiled targets, in the order added
    recovery_speed: np.ndarray | None = None  # per firm: divides recovery days / half-life of damage rows on it

    @property
    def n_firms(self) -> int:
        return len(self.capacity)

    @property
    def n_links(self) -> int:
        return len(self.link_supplier)

    @property
    def n_slots(self) -> int:
        return len(self.slot_coef)

    # Rationing groups (docs/model.md, Rationing): a supplier serves its book group by group, in ascending order,
    # proportionally inside a group. A firm's order is split by `link_final_goods`: the part that makes goods for
    # other firms is in `link_group`, the part that makes final goods in `link_final_goods_group`. Under mixed,
    # the groups are 0, 1 and final demand 2; under priority, with `T` tiers in use, tier k's intermediate parts
    # are group k, its final-goods parts group T + 2k and its final demand group T + 2k + 1; under proportional,
    # one group.
    @property
    def _tiers(self) -> int:
        return max(self.final_tier, int(self.link_tier.max(initial=0))) + 1

    @property
    def link_group(self) -> np.ndarray:
        if self.rationing == PRIORITY:
            return self.link_tier.astype(np.int64)
        return np.zeros(self.n_links, dtype=np.int64)

    @property
    def link_final_goods_group(self) -> np.ndarray:
        if self.rationing == PRIORITY:
            return (self._tiers + 2 * self.link_tier).astype(np.int64)
        return np.full(self.n_links, 1 if self.rationing == MIXED else 0, dtype=np.int64)

    @property
    def final_group(self) -> int:
        if self.rationing == PRIORITY:
            return self._tiers + 2 * self.final_tier + 1
        return 2 if self.rationing == MIXED else 0

    @property
    def n_groups(self) -> int:
        """Groups in use (empty groups serve nobody)."""
        if self.rationing == PRIORITY:
            return 3 * self._tiers
        return 3 if self.rationing == MIXED else 1

    @property
    def link_final_goods(self) -> np.ndarray:
        """For each link, `1 - phi`: the share of its customer's baseline output that goes to final demand (0 for a
        firm with no baseline output), the part of its orders that makes final goods (docs/model.md, Rationing)."""
        base = self.base_output[self.link_customer]
        final = self.final_demand[self.link_customer]
        return np.where(base > 0.0, np.clip(final / np.where(base > 0.0, base, 1.0), 0.0, 1.0), 0.0)

    def with_shocks(self, shocks: ShockTable) -> "CompiledRun":
        """This run on another shock table (map-level targets): its `shock_columns`."""
        return dataclasses.replace(self, **self.shock_columns(shocks))

    def shock_columns(self, shocks: ShockTable) -> dict[str, np.ndarray]:
        """The `shock_*` arrays of this run on another shock table (map-level targets): targets mapped,
        recovery speeds applied, policy events added after the shocks at equal start; rows sorted by start."""
        kind = shocks.kind
        target = link_targets(kind, shocks.target, self.link_position)
        param = shocks.param
        faster = (kind == DAMAGE) & (shocks.profile != STEP)
        if faster.any():
            param = np.where(faster, param / self.recovery_speed[np.where(faster, target, 0)], param)
        ev = self.policy_events
        cols = {
            "shock_kind": (kind, ev.kind),
            "shock_target": (target, ev.target),
            "shock_value": (shocks.value, ev.value),
            "shock_start": (shocks.start, ev.start),
            "shock_duration": (shocks.duration, ev.duration),
            "shock_profile": (shocks.profile, ev.profile),
            "shock_param": (param, ev.param),
        }
        merged = {name: np.concatenate(pair).astype(np.int64 if name in INT_COLUMNS else float) for name, pair in cols.items()}
        order = self._row_order(shocks)
        return {name: a[order] for name, a in merged.items()}

    def own_rows(self, shocks: ShockTable) -> np.ndarray:
        """Per row of `shock_columns(shocks)`: whether it is one of `shocks`' rows rather than one of this run's
        policy events (which a baseline run has too: engines/numba/partial.py)."""
        return (np.arange(len(shocks.kind) + len(self.policy_events.kind)) < len(shocks.kind))[self._row_order(shocks)]

    def _row_order(self, shocks: ShockTable) -> np.ndarray:
        """`shock_columns`' order of `shocks`' rows followed by the policy events: by start, stable."""
        return np.argsort(np.concatenate([shocks.start, self.policy_events.start]).astype(float), kind="stable")

    @property
    def chain_baseline(self) -> np.ndarray:
        """Baseline value of chain output per chain."""
        chain_of = np.repeat(np.arange(len(self.chain_names)), np.diff(self.chain_ptr))  # a chain may have no final-demand firm
        return np.bincount(chain_of, weights=self.chain_weight * self.base_output[self.chain_firm], minlength=len(self.chain_names))


def link_targets(kind: np.ndarray, target: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Shock targets with the map-level links of link kinds moved to their compiled positions."""
    on_link = np.isin(kind, LINK_KINDS)
    return np.where(on_link, position[np.where(on_link, target, 0)] if len(position) else 0, target)
