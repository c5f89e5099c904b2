"""What a run will cost before it starts (`simcore run SCENARIO --dry-run`): measured here, then extrapolated.

Speed depends on the machine, its load and the map far more than on any constant we could ship, so the estimate
is a small measurement on this machine: the scenario's load and compile, then a calibration of the engine on
the scenario itself (a single run: every variant over its first `CALIBRATION_DAYS` days; a batch: one short chunk
of replications; each after a warm-up that loads the compiled kernels). Simulation time grows linearly with the
days and with the replications (docs/montecarlo.md; benchmarks/README.md, Scaling, shows it from 1,000 to
100,000), so the whole is

    start-up + load + compile + loading the kernels + (replications / calibrated) x calibration time + writing
    the tables.

Memory: the peak of this process so far (the map, the compiled runs, one chunk's engine state) plus what the
results keep: a batch holds its metrics table (replications x variants x chains x metrics), the daily
quantile counts and one slice of its replications table (it is written slice by slice); a single run its chain
trajectories and, where the scenario's `[output]` asks for them, its per-firm trajectories and their tables.
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import time
from dataclasses import dataclass

from simcore.scenario import Scenario

CALIBRATION = 16  # replications of the calibration chunk (fewer if the batch is smaller)
CALIBRATION_DAYS = 60  # days of a single run's calibration (its whole horizon if shorter): a tick costs about the same all through a run
ROW_SECONDS = 1.5e-6  # writing one row of a tidy table (Arrow CSV, ~7 columns), measured on the flagship's tables
ROW_BYTES = 200  # one tidy-table row in memory while it is built and written (pandas frame + Arrow copy)


@dataclass(frozen=True)
class Estimate:
    """Measured parts (seconds, bytes) and the extrapolation of one run or batch of a scenario."""

    firms: int
    days: int
    variants: int
    chains: int
    replications: int | None  # None: one deterministic run
    startup_s: float  # imports, from the command's start to the scenario's load
    load_s: float
    compile_s: float
    warmup_s: float  # the first engine call: loading the compiled kernels from the cache (or compiling them)
    calibrated: int  # replications the calibration ran (1 for a single run)
    calibration_s: float  # for every variant
    peak_bytes: int  # of this process after the calibration
    firm_rows: bool = True  # a single run records and writes per-firm trajectories (the scenario's [output])
    calibrated_days: int | None = None  # days a single run's calibration simulated (None: all of them)

    @property
    def simulate_s(self) -> float:
        days = self.days / self.calibrated_days if self.calibrated_days else 1.0
        return self.calibration_s * (self.replications or 1) / self.calibrated * days

    @property
    def rows(self) -> int:
        """Rows of the tidy tables written: per-chain and, if recorded, per-firm trajectories (a single run); a
        batch writes one row per replication, variant and chain."""
        if self.replications is None:
            return self.days * self.variants * ((self.firms if self.firm_rows else 0) + self.chains)
        return self.replications * self.variants * self.chains

    @property
    def write_s(self) -> float:
        return self.rows * ROW_SECONDS

    @property
    def total_s(self) -> float:
        return self.startup_s + self.load_s + self.compile_s + self.warmup_s + self.simulate_s + self.write_s

    @property
    def result_bytes(self) -> int:
        from simcore.montecarlo.batch import BINS, METRICS
        from simcore.montecarlo.result import SLICE

        if self.replications is None:
            return self.rows * ROW_BYTES
        table = min(self.replications, SLICE) * self.variants * self.chains  # rows of the one slice of replications.csv built at a time
        return self.replications * self.variants * self.chains * len(METRICS) * 8 + self.variants * self.chains * self.days * BINS * 8 + table * ROW_BYTES

    @property
    def firm_days_per_s(self) -> float:
        days = self.calibrated_days or self.days
        return self.firms * days * self.variants * self.calibrated / self.calibration_s if self.calibration_s > 0 else float("inf")

    def lines(self, threads: int) -> list[str]:
        what = "one run" if self.replications is None else f"{self.replications:,} replications"
        return [
            f"estimate: {what} of {self.variants} variants on {self.firms:,} firms x {self.days} days ({self.chains} chains), {threads} threads",
            f"  measured here: start-up {self.startup_s:.2f} s, load {self.load_s:.2f} s, compile {self.compile_s:.2f} s, kernels {self.warmup_s:.2f} s, "
            f"{self._calibration} {self.calibration_s:.3f} s "
            f"({self.firm_days_per_s / 1e6:.1f} M firm-days/s)",
            f"  expected: simulation {_seconds(self.simulate_s)}, tables {_seconds(self.write_s)}, about {_seconds(self.total_s)} in all; "
            f"results about {_bytes(self.result_bytes)} in memory, peak about {_bytes(self.peak_bytes + self.result_bytes)}",
            "  figures are not counted (--no-plots skips them); nothing was written (--dry-run)",
        ]

    @property
    def _calibration(self) -> str:
        if self.replications is not None:
            return f"{self.calibrated} replications of every variant"
        if self.calibrated_days and self.calibrated_days < self.days:
            return f"the first {self.calibrated_days} days of every variant"
        return "one run of every variant"


def estimate(scenario: Scenario, replications: int | None = None, engine: str = "numba", startup_s: float = 0.0, load_s: float = 0.0, seed: int | None = None) -> Estimate:
    """Measure `scenario`'s compile and a calibration run on this machine and extrapolate to `replications`
    (`startup_s`, `load_s`: what the caller measured before)."""
    from simcore.compile import compile_variant
    from simcore.engines import get_engine
    from simcore.montecarlo.batch import prepare, simulate_chunk

    t0 = time.perf_counter()
    compiled = prepare(scenario) if replications is not None else tuple(compile_variant(scenario, v) for v in scenario.variants)
    compile_s = time.perf_counter() - t0
    seed = scenario.seed if seed is None else seed
    record_firms = scenario.output.firm_trajectories
    days = min(scenario.horizon, CALIBRATION_DAYS)
    if replications is None:
        simulate = get_engine(engine)
        runs = [dataclasses.replace(c.run.with_shocks(c.shocks if not scenario.is_random else scenario.drawn_shocks(c.shocks, 0, seed)), horizon=days) for c in compiled]
        t0 = time.perf_counter()
        simulate(dataclasses.replace(runs[0], horizon=1), record_firms)  # loads the kernels
        warmup_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for run in runs:
            simulate(run, record_firms)
        calibrated = 1
    else:
        calibrated = min(replications, CALIBRATION)
        t0 = time.perf_counter()
        simulate_chunk(scenario, seed, 0, 1, engine)  # loads the kernels
        warmup_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        simulate_chunk(scenario, seed, 0, calibrated, engine)
    calibration_s = time.perf_counter() - t0
    return Estimate(
        firms=len(scenario.model.firms),
        days=scenario.horizon,
        variants=len(scenario.variants),
        chains=len(compiled[0].run.chain_names),
        replications=replications,
        startup_s=startup_s,
        load_s=load_s,
        compile_s=compile_s,
        warmup_s=warmup_s,
        calibrated=calibrated,
        calibration_s=calibration_s,
        peak_bytes=peak_rss(),
        firm_rows=record_firms,
        calibrated_days=days if replications is None else None,
    )


def peak_rss() -> int:
    """Peak resident memory of this process, in bytes (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _seconds(s: float) -> str:
    if s < 60:
        return f"{s:.1f} s"
    if s < 3600:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def _bytes(n: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} B"
