"""Random shocks: what replication `k` of a scenario draws (docs/model.md, Random shocks and replications; docs/montecarlo.md).

Replication `k` draws from its own generator, `SeedSequence(seed).spawn`
child `k` (built directly as `SeedSequence(seed, spawn_key=(k,))`), so its
shocks depend on the seed and `k` only, never on how a batch is split. Inside a
replication the scenario's shocks draw in file order:

- a deterministic shock whose `start`, `duration` or magnitude (`magnitude`,
  `factor`) is a distribution draws those, once, for all its rows;
- `random_outage` draws, per unit (firm, or region with `per = "region"`),
  a Poisson number of events in its window, their start times (uniform in the
  window), magnitudes and durations;
- `lead_time_noise` draws one factor per chosen link.

Draws are clipped to their field's range (a magnitude to [0, 1], a duration,
start or factor to >= 0, a lead-time factor so that no shipment takes longer
than simcore.limits.MAX_LEAD_TIME).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from simcore.chainmap import ChainMap
from simcore.core.primitives import DAMAGE, LEAD, STEP, ShockTable
from simcore.limits import MAX_LEAD_TIME
from simcore.scenario.distributions import draw, is_random, replication_rng
from simcore.scenario.schema import LeadTimeNoise, RandomOutage
from simcore.scenario.shocks import recovery_code, select_firms


@dataclass(frozen=True)
class Draw:
    """One replication's random part: new start/duration/value for rows of some scenario shocks, and new rows."""

    start: dict[int, float]
    duration: dict[int, float]
    value: dict[int, float]
    rows: ShockTable

    def apply(self, table: ShockTable) -> ShockTable:
        """`table` (deterministic rows, `source` = scenario shock index) with this draw's values and rows, sorted."""
        cols = {name: getattr(table, name).copy() for name in ("start", "duration", "value")}
        for name, drawn in (("start", self.start), ("duration", self.duration), ("value", self.value)):
            for source, v in drawn.items():
                cols[name][table.source == source] = v
        return (dataclasses.replace(table, **cols) + self.rows).sorted()


class ShockSampler:
    """The random part of a scenario's shocks, resolved against its map once; `draw(seed, k)` per replication."""

    def __init__(self, cmap: ChainMap, shocks, horizon: int):
        self.horizon = horizon
        self.longest_factor = None  # per map link, the lead factor that reaches MAX_LEAD_TIME: only for lead_time_noise
        self.plan = []  # (scenario shock index, shock, resolved targets)
        for n, s in enumerate(shocks):
            if isinstance(s, RandomOutage):
                self.plan.append((n, s, _units(cmap, s)))
            elif isinstance(s, LeadTimeNoise):
                self.plan.append((n, s, _noise_links(cmap, s)))
                if self.longest_factor is None:
                    self.longest_factor = MAX_LEAD_TIME / np.maximum(cmap.links.numbers("lead_time"), 1e-9)
            elif any(is_random(getattr(s, f, None)) for f in ("start", "duration", "magnitude", "factor")):
                self.plan.append((n, s, None))

    @property
    def is_random(self) -> bool:
        return bool(self.plan)

    def expected_outages(self, n_firms: int) -> list[tuple[np.ndarray, int, float]]:
        """Per `random_outage`: the expected number of events that damage each firm over the scenario (rate x window,
        each event of a unit hitting all of its firms), with the outage's recovery (profile code, days or half-life):
        what the costs of faster recovery are priced on (simcore.costs)."""
        out = []
        for _, s, units in self.plan:
            if isinstance(s, RandomOutage):
                events = np.zeros(n_firms)
                window = max((self.horizon if s.end is None else s.end) - s.start, 0.0)
                for unit in units:
                    events[unit] += s.rate * window
                out.append((events, *recovery_code(s)))
        return out

    def draw(self, seed: int, k: int) -> Draw:
        rng = replication_rng(seed, k)
        start, duration, value, rows = {}, {}, {}, []
        for n, s, targets in self.plan:
            if isinstance(s, RandomOutage):
                rows += self._outages(n, s, targets, rng)
            elif isinstance(s, LeadTimeNoise):
                factor = np.clip(draw(s.factor, rng, len(targets)), 0.0, self.longest_factor[targets])
                length = self.horizon - s.start if s.duration is None else s.duration
                rows += [(LEAD, int(l), float(f), s.start, length, STEP, 0.0, n) for l, f in zip(targets, factor)]
            else:
                for name, drawn, low, high in (("start", start, 0.0, np.inf), ("duration", duration, 0.0, np.inf)):
                    if is_random(getattr(s, name)):
                        drawn[n] = float(np.clip(draw(getattr(s, name), rng, 1)[0], low, high))
                for name, high in (("magnitude", 1.0), ("factor", np.inf)):
                    if is_random(getattr(s, name, None)):
                        value[n] = float(np.clip(draw(getattr(s, name), rng, 1)[0], 0.0, high))
        return Draw(start, duration, value, ShockTable.from_rows(rows, sort=False))

    def _outages(self, n: int, s: RandomOutage, units: list[np.ndarray], rng: np.random.Generator) -> list[tuple]:
        end = self.horizon if s.end is None else s.end
        counts = rng.poisson(s.rate * max(end - s.start, 0.0), len(units))
        total = int(counts.sum())
        times = rng.uniform(s.start, end, total)
        magnitude = np.clip(draw(s.magnitude, rng, total), 0.0, 1.0)
        duration = np.maximum(draw(s.duration, rng, total), 0.0)
        profile, param = recovery_code(s)
        unit_of = np.repeat(np.arange(len(units)), counts)
        return [
            (DAMAGE, int(firm), float(magnitude[e]), float(times[e]), float(duration[e]), profile, param, n)
            for e in range(total)
            for firm in units[unit_of[e]]
        ]


def _units(cmap: ChainMap, s: RandomOutage) -> list[np.ndarray]:
    """The units that fail together: each selected firm, or the selected firms of each region (sorted by name)."""
    firms = select_firms(cmap, s.select)
    if s.per == "firm":
        return [np.array([k]) for k in firms]
    regions = np.array([cmap.firms[k].region for k in firms])
    return [firms[regions == r] for r in sorted(set(regions.tolist()))]


def _noise_links(cmap: ChainMap, s: LeadTimeNoise) -> np.ndarray:
    n = len(cmap.firms)
    sup = np.ones(n, dtype=bool) if s.suppliers is None else np.isin(np.arange(n), select_firms(cmap, s.suppliers))
    cus = np.ones(n, dtype=bool) if s.customers is None else np.isin(np.arange(n), select_firms(cmap, s.customers))
    return np.flatnonzero(sup[cmap.link_supplier] & cus[cmap.link_customer])

