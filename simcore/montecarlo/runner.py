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

from contextlib import nullcontext
from pathlib import Path
from typing import Callable

import numpy as np

from simcore.api import load_scenario
from simcore.atomic import OutputError
from simcore.errors import NO_VALUE, InputError, Problem
from simcore.limits import MAX_REPLICATIONS, replications_expectation
from simcore.montecarlo.batch import Chunk, chunk_shapes, fingerprint, simulate_chunk
from simcore.montecarlo.cluster import Interrupted, executor, plan_chunks, progress_bar
from simcore.montecarlo.result import BatchResult, Reduction
from simcore.montecarlo.store import ChunkStore, read_manifest
from simcore.scenario import Scenario

DEFAULT_CHUNK = 250


def run_batch(
    scenario: Scenario | str | Path,
    replications: int | None = None,
    seed: int | None = None,
    out: Path | None = None,
    engine: str | None = None,
    chunk_size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    resume: bool = False,
    progress: bool | None = None,
    security=None,
    overwrite: bool = False,
    notes: Callable[[str], None] | None = None,
    cluster: Callable | None = None,
) -> BatchResult:
    """Replications `0 .. replications - 1` of every variant, on common random numbers.

    `out`: folder for the chunks (and `--resume`); None keeps them in memory.
    `resume`: continue the batch in `out`; its settings (replications, chunk
    size, seed, engine) are read from the folder unless given. `overwrite`:
    replace whatever `out` holds. `workers`: Numba threads for the embedded
    default (default: all cores). `scheduler`: address of a running Dask
    scheduler (`security`: a `distributed.Security` for TLS); `dask_local`:
    start a local Dask cluster of that many workers. `progress`: a bar (None:
    only when stderr is a terminal). `notes`: called with a line for the user
    (chunks reused, results replaced). `cluster`: an open `executor(...)` to run
    the chunks on instead (several batches on one cluster, as `simcore optimize` runs them).

    Nothing is written to `out` before the cluster is reached; Ctrl-C raises
    `Interrupted` saying how many chunks are saved and how to resume.
    """
    from simcore.engines import DEFAULT_ENGINE

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    _check(replications, chunk_size, workers, dask_local, scheduler)
    saved = read_manifest(out) if out is not None and resume else None
    if saved is not None:  # the batch's own settings, unless given (a different one given is refused below)
        replications = saved["replications"] if replications is None else replications
        chunk_size, seed, engine = chunk_size or saved["chunk_size"], saved["seed"] if seed is None else seed, engine or saved["engine"]
    if replications is None and not (resume and out is not None):
        raise InputError([Problem("command line", "--replications", NO_VALUE, "is needed: the number of replications (an integer >= 1)")])
    seed = scenario.seed if seed is None else seed
    engine = engine or DEFAULT_ENGINE
    if replications is not None and replications > MAX_REPLICATIONS:  # None: --resume without a batch, refused by the store below
        raise InputError([Problem("command line", "--replications", replications, replications_expectation(replications, len(scenario.variants), len(scenario.model.chain_members)))])
    chunk_size = chunk_size or DEFAULT_CHUNK
    store = note = None
    if out is not None:
        manifest = {"fingerprint": fingerprint(scenario, seed, engine), "seed": seed, "replications": replications, "chunk_size": chunk_size, "engine": engine}
        store = ChunkStore(out, manifest, chunk_shapes(scenario, chunk_size))
        note = store.check(resume, overwrite)  # writes nothing; the batch.json there decides
    chunks = plan_chunks(replications, chunk_size)
    reduction = Reduction(replications)
    with nullcontext(cluster) if cluster is not None else executor(workers, scheduler, dask_local, security) as run, store.owned(resume, overwrite) if store else nullcontext():
        if store is not None and note and notes:
            notes(note)
        done = sorted(store.done() & set(chunks)) if store else []
        for c in done:  # chunks of an earlier run, checked before any work
            reduction.add(store.load(*c))
        if resume and notes:
            notes(f"resuming the batch in {out}/: {len(done)} of {len(chunks)} chunks reused, {len(chunks) - len(done)} to run")
        todo = sorted(set(chunks) - set(done))
        saved_count = [len(done)]
        bar = progress_bar(replications, "rep", scenario.name, progress, initial=sum(b - a for a, b in done))

        def finished(chunk: Chunk) -> None:
            if store is not None:
                store.save(chunk)
                saved_count[0] += 1
            reduction.add(chunk)  # in any order: metrics go to their rows, counts are integers
            bar.update(chunk.stop - chunk.first)

        def left() -> str:
            return f"{saved_count[0]} of {len(chunks)} chunks are saved in {out}/; `simcore run {scenario.file} --out {out} --resume` runs the other {len(chunks) - saved_count[0]}"

        try:
            run(simulate_chunk, scenario, [(seed, a, b, engine) for a, b in todo], finished, "chunk")
        except KeyboardInterrupt:
            raise Interrupted("interrupted: " + (left() if store else "nothing was saved (no --out)")) from None
        except OutputError as exc:
            raise OutputError(exc.path, exc.reason, left()) from None
        finally:
            bar.close()
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

