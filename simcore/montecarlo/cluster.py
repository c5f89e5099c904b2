"""Chunks on a Dask cluster (`distributed`): a running scheduler (`--scheduler tcp://host:8786`), or a local
cluster started for the batch (`--dask-local N`). Workers need only simcore installed: the loaded scenario is
sent to them once (scattered), each compiles it once and keeps it, and each chunk comes back as numbers.

Dask reruns the chunks of a worker that dies on another worker; as a chunk is a pure function of
(scenario, seed, replications), the batch's numbers do not change. On SLURM, PBS, SGE or LSF, start the
cluster with dask-jobqueue and pass its scheduler address (docs/montecarlo.md, benchmarks/slurm_example.py).
"""

from __future__ import annotations

from simcore.errors import SimcoreError
from simcore.montecarlo.batch import simulate_chunk


def worker_chunk(scenario, seed: int, first: int, stop: int, engine: str):
    """A chunk on a Dask worker, its Numba threads limited to the worker's own threads."""
    import numba
    from distributed import get_worker

    numba.set_num_threads(max(1, min(get_worker().state.nthreads, numba.config.NUMBA_NUM_THREADS)))
    return simulate_chunk(scenario, seed, first, stop, engine)


def run_on_dask(scenario, seed: int, todo, engine: str, finished, scheduler: str | None = None, n_workers: int | None = None) -> None:
    """Submit every chunk of `todo`, hand each result to `finished` as it arrives."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SimcoreError('the Dask engine needs the `distributed` package: pip install "dask[distributed]"') from None
    cluster = None
    try:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise SimcoreError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        with client:
            if not todo:
                return
            remote = client.scatter(scenario, broadcast=True)
            futures = [
                client.submit(worker_chunk, remote, seed, first, stop, engine, key=f"simcore-chunk-{seed}-{first}-{stop}", retries=5, pure=False)
                for first, stop in todo
            ]
            for future in as_completed(futures):
                finished(future.result())
                future.release()
    finally:
        if cluster is not None:
            cluster.close()
