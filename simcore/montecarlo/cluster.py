"""Where tasks run: here on Numba's threads, or on a Dask cluster (`distributed`): a running scheduler (`--scheduler tcp://host:8786`), or a local
cluster started for the job (`--dask-local N`). Workers need only simcore installed: the shared input (a loaded
scenario, a stress-test setup) is sent to them once (scattered), each task is a pure function of it and a few
numbers, and results come back as arrays.

Dask reruns the tasks of a worker that dies on another worker; as each task is a pure function, the numbers do
not change. On SLURM, PBS, SGE or LSF, start the cluster with dask-jobqueue and pass its scheduler address
(docs/montecarlo.md, benchmarks/slurm_example.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial
from typing import Callable, Iterator

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


class Interrupted(SimcoreError):
    """Ctrl-C: what was saved and how to go on (the CLI exits 130, as a shell does for SIGINT)."""

    exit_status = 130


def dask_security(ca: str | None = None, cert: str | None = None, key: str | None = None):
    """`distributed.Security` for TLS to a scheduler (client side), or None when no file is given (then Dask's own
    configuration applies: `distributed.comm.tls.*`). Each file must exist; all three are needed together."""
    from pathlib import Path

    from simcore.errors import NO_VALUE, InputError, Problem

    given = {"--tls-ca": ca, "--tls-cert": cert, "--tls-key": key}
    if not any(given.values()):
        return None
    problems = [Problem("command line", k, v, "a file (PEM) that exists") for k, v in given.items() if v and not Path(v).is_file()]
    problems += [Problem("command line", k, NO_VALUE, "is needed with the other --tls-* options (CA, certificate and key)") for k, v in given.items() if not v]
    if problems:
        raise InputError(problems)
    from distributed import Security

    return Security(tls_ca_file=str(ca), tls_client_cert=str(cert), tls_client_key=str(key), require_encryption=True)


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None, security=None) -> Iterator:
    """A client of the scheduler at `scheduler` (a garbage address is an InputError, an unreachable one a
    SimcoreError), or of a local cluster of `n_workers` started for the job and bound to 127.0.0.1."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SimcoreError('the Dask engine needs the `distributed` package: pip install "dask[distributed]"') from None
    from simcore.errors import InputError, Problem

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s", security=security)
        except ValueError as exc:
            raise InputError([Problem("command line", "--scheduler", scheduler, f"a Dask scheduler address such as tcp://host:8786 ({exc})")]) from None
        except OSError as exc:
            raise SimcoreError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    if security is not None:
        raise InputError([Problem("command line", "--tls-ca", security.tls_ca_file, "--scheduler with it (a --dask-local cluster listens on 127.0.0.1 only)")])
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        yield client


def map_on_dask(client, func: Callable, shared, tasks: list[tuple], finished: Callable, name: str) -> None:
    """Run `func(shared, *task)` for every task on the cluster of `client`; hand each result to `finished` as it arrives.

    `shared` travels inside a task of its own (not scattered), so the scheduler can compute it again if every
    worker holding it dies, and tasks simply wait while the cluster has no workers yet (SLURM jobs in the queue).
    Keys carry a token unique to this call, so two batches on one scheduler never share results.
    """
    import uuid

    from distributed import as_completed

    if not tasks:
        return
    token = uuid.uuid4().hex[:12]
    remote = client.submit(_shared, shared, key=f"simcore-{name}-shared-{token}", pure=False)
    if client.scheduler_info()["workers"]:
        # a copy on every worker: otherwise the scheduler sends the tasks where the input is, and the other
        # workers wait for work stealing (a 1,000-replication batch took 1.6x the embedded time)
        client.replicate([remote])
    waiting = iter(tasks)
    running: set = set()

    def top_up(done) -> None:
        """Submit tasks until `in_flight(client)` are running or waiting on the cluster: the client and the scheduler
        hold a bounded number of futures and results, whatever the number of tasks (a 100,000-replication batch)."""
        for task in waiting:
            future = client.submit(on_worker, func, remote, *task, key=f"simcore-{name}-{token}-{'-'.join(map(str, task))}", retries=5, pure=False)
            running.add(future)
            done.add(future)
            if len(running) >= in_flight(client):
                return

    done = as_completed()
    try:
        top_up(done)
        for future in done:
            running.discard(future)
            finished(future.result())
            future.release()
            top_up(done)
    finally:
        client.cancel(list(running))  # Ctrl-C or a failed save: the cluster stops working for a batch that has gone


IN_FLIGHT_PER_THREAD = 2  # tasks on the cluster per worker thread: one running, one ready to start as it finishes
MIN_IN_FLIGHT = 4  # while the cluster has no workers yet (SLURM jobs in the queue)


def in_flight(client) -> int:
    """How many tasks `map_on_dask` keeps on the cluster at once: two per worker thread now on it (a cluster that
    grows gets more), at least `MIN_IN_FLIGHT`."""
    threads = sum(client.nthreads().values())
    return max(MIN_IN_FLIGHT, IN_FLIGHT_PER_THREAD * threads)


def _run_here(func: Callable, shared, tasks: list[tuple], finished: Callable, name: str, workers: int | None = None) -> None:
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(workers or numba.config.NUMBA_NUM_THREADS)
    try:
        for task in tasks:
            finished(func(shared, *task))
    finally:
        numba.set_num_threads(before)


@contextmanager
def executor(workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None, security=None) -> Iterator[Callable]:
    """`run(func, shared, tasks, finished, name)`: every `func(shared, *task)`, each result handed to `finished`: here,
    one task after another, each spread over `workers` Numba threads (default all cores); or on Dask with `scheduler`
    or `dask_local`. The cluster is reached on entry, so a caller writes nothing before its tasks can run."""
    if scheduler is None and dask_local is None:
        yield partial(_run_here, workers=workers)
        return
    with dask_client(scheduler, dask_local, security) as client:
        yield partial(map_on_dask, client)


def run_tasks(func: Callable, shared, tasks: list[tuple], finished: Callable, name: str,
              workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None, security=None) -> None:  # fmt: skip
    """`executor(...)` for one call."""
    with executor(workers, scheduler, dask_local, security) as run:
        run(func, shared, tasks, finished, name)
