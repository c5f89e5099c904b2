"""Run a batch of replications: in this process on all local cores (default), or on a Dask cluster.

The batch is cut into chunks of consecutive replications; each chunk is
`simulate_chunk` (a pure function), wherever it runs. Chunks are saved as they
finish (simcore.montecarlo.store) and reduced in replication order at the end,
so every number is the same for any chunk size, worker count or cluster.

Embedded default: chunks run one after another in this process, each spread
over Numba's threads (`prange` over replications; `workers` sets how many).
Against a process pool (benchmarks/montecarlo.py) throughput is level; the
threads need no start-up, no pickling and one copy of the compiled scenario.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simcore.api import load_scenario
from simcore.errors import InputError, Problem
from simcore.limits import MAX_REPLICATIONS, replications_expectation
from simcore.montecarlo.batch import Chunk, fingerprint, simulate_chunk
from simcore.montecarlo.cluster import plan_chunks, progress_bar, run_tasks
from simcore.montecarlo.result import BatchResult, Reduction
from simcore.montecarlo.store import ChunkStore
from simcore.scenario import Scenario

DEFAULT_CHUNK = 250


def run_batch(
    scenario: Scenario | str | Path,
    replications: int,
    seed: int | None = None,
    out: Path | None = None,
    engine: str = "numba",
    chunk_size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    resume: bool = False,
    progress: bool | None = None,
) -> BatchResult:
    """Replications `0 .. replications - 1` of every variant, on common random numbers.

    `out`: folder for the chunks (and `--resume`); None keeps them in memory.
    `workers`: Numba threads for the embedded default (default: all cores).
    `scheduler`: address of a running Dask scheduler; `dask_local`: start a
    local Dask cluster of that many workers. `progress`: a bar (None: only
    when stderr is a terminal).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    seed = scenario.seed if seed is None else seed
    _check(replications, chunk_size, workers, dask_local, scheduler)
    if replications > MAX_REPLICATIONS:
        raise InputError([Problem("command line", "--replications", replications, replications_expectation(replications, len(scenario.variants), len(scenario.model.chain_members)))])
    chunk_size = chunk_size or DEFAULT_CHUNK
    chunks = plan_chunks(replications, chunk_size)
    store = None
    done: set = set()
    if out is not None:
        manifest = {"fingerprint": fingerprint(scenario, seed, engine), "seed": seed, "replications": replications, "chunk_size": chunk_size, "engine": engine}
        store = ChunkStore(out, manifest)
        store.open(resume)
        done = store.done() & set(chunks)
    reduction = Reduction(replications)
    todo = [c for c in chunks if c not in done]
    bar = progress_bar(replications, "rep", scenario.name, progress, initial=sum(b - a for a, b in done))

    def finished(chunk: Chunk) -> None:
        if store is not None:
            store.save(chunk)
        reduction.add(chunk)  # in any order: metrics go to their rows, counts are integers
        bar.update(chunk.stop - chunk.first)

    try:
        run_tasks(simulate_chunk, scenario, [(seed, a, b, engine) for a, b in todo], finished, "chunk", workers, scheduler, dask_local)
    finally:
        bar.close()
    for c in sorted(done):  # chunks of an earlier (resumed) run
        reduction.add(store.load(*c))
    return reduction.result(scenario, engine, seed)


def _check(replications, chunk_size, workers, dask_local, scheduler) -> None:
    import numba

    problems = []
    for name, value, low in (("--replications", replications, 1), ("--chunk-size", chunk_size, 1), ("--workers", workers, 1), ("--dask-local", dask_local, 1)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < low):
            problems.append(Problem("command line", name, value, f"an integer >= {low}"))
    if workers is not None and isinstance(workers, int) and workers > numba.config.NUMBA_NUM_THREADS:
        problems.append(Problem("command line", "--workers", workers, f"at most {numba.config.NUMBA_NUM_THREADS} (the cores Numba may use)"))
    if scheduler is not None and dask_local is not None:
        problems.append(Problem("command line", "--dask-local", dask_local, "either --scheduler or --dask-local, not both"))
    if problems:
        raise InputError(problems)

