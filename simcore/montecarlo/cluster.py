"""Where tasks run: here on Numba's threads, or on a Dask cluster (`distributed`): a running scheduler (`--scheduler tcp://host:8786`), or a local
cluster started for the job (`--dask-local N`). Workers need only simcore installed: the shared input (a loaded
scenario, a stress-test setup) is sent to them once (scattered), each task is a pure function of it and a few
numbers, and results come back as arrays.

Dask reruns the tasks of a worker that dies on another worker; as each task is a pure function, the numbers do
not change. On SLURM, PBS, SGE or LSF, start the cluster with dask-jobqueue and pass its scheduler address
(docs/montecarlo.md, benchmarks/slurm_example.py).
"""

from __future__ import annotations

from typing import Callable

from simcore.errors import SimcoreError


def progress_bar(total: int, unit: str, desc: str, progress: bool | None, initial: int = 0):
    """A tqdm bar on stderr; `progress` None: shown only when stderr is a terminal."""
    import sys

    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit=unit, desc=desc, disable=None if progress is None else not progress, file=sys.stderr)


def plan_chunks(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """Tasks `(first, stop)` of at most `chunk_size` consecutive items out of `n`."""
    return [(a, min(a + chunk_size, n)) for a in range(0, n, chunk_size)]


def on_worker(func: Callable, shared, *args):
    """`func(shared, *args)` on a Dask worker, on one Numba thread: a worker may run several tasks at once (one
    per Dask thread), and Numba threads on top would oversubscribe the cores and enter a parallel region from
    several threads at once; `simulate` releases the GIL, so the tasks of a worker run in parallel."""
    import numba

    numba.set_num_threads(1)  # per calling thread
    return func(shared, *args)


def _shared(value):
    return value


def map_on_dask(func: Callable, shared, tasks: list[tuple], finished: Callable, name: str, scheduler: str | None = None, n_workers: int | None = None) -> None:
    """Run `func(shared, *task)` for every task on the cluster; hand each result to `finished` as it arrives.

    `shared` travels inside a task of its own (not scattered), so the scheduler can compute it again if every
    worker holding it dies, and tasks simply wait while the cluster has no workers yet (SLURM jobs in the queue).
    Keys carry a token unique to this call, so two batches on one scheduler never share results.
    """
    import uuid

    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SimcoreError('the Dask engine needs the `distributed` package: pip install "dask[distributed]"') from None
    cluster = None
    token = uuid.uuid4().hex[:12]
    try:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise SimcoreError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0")
            client = Client(cluster)
        with client:
            if not tasks:
                return
            remote = client.submit(_shared, shared, key=f"simcore-{name}-shared-{token}", pure=False)
            if client.scheduler_info()["workers"]:
                # a copy on every worker: otherwise the scheduler sends the tasks where the input is, and the other
                # workers wait for work stealing (a 1,000-replication batch took 1.6x the embedded time)
                client.replicate([remote])
            futures = [
                client.submit(on_worker, func, remote, *task, key=f"simcore-{name}-{token}-{'-'.join(map(str, task))}", retries=5, pure=False)
                for task in tasks
            ]
            for future in as_completed(futures):
                finished(future.result())
                future.release()
    finally:
        if cluster is not None:
            cluster.close()


def run_tasks(func: Callable, shared, tasks: list[tuple], finished: Callable, name: str,
              workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None) -> None:  # fmt: skip
    """Every `func(shared, *task)`, each result handed to `finished`: here, one task after another, each spread
    over `workers` Numba threads (default all cores); or on Dask with `scheduler` or `dask_local`."""
    if scheduler is not None or dask_local is not None:
        map_on_dask(func, shared, tasks, finished, name, scheduler=scheduler, n_workers=dask_local)
        return
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(workers or numba.config.NUMBA_NUM_THREADS)
    try:
        for task in tasks:
            finished(func(shared, *task))
    finally:
        numba.set_num_threads(before)
