"""Engines: functions `(CompiledRun, firm_trajectories) -> Trajectories` with the same semantics."""

from __future__ import annotations

from typing import Callable

from simcore.core.compiled import CompiledRun
from simcore.engines.trajectories import BatchTrajectories, Trajectories

Engine = Callable[[CompiledRun, bool], Trajectories]
ENGINES = ("numba", "reference")
DEFAULT_ENGINE = "numba"


def get_engine(name: str) -> Engine:
    """The engine called `name`; the Numba engine is imported only when asked for, so its compile cost is paid only then."""
    if name == "numba":
        from simcore.engines.numba import run_numba

        return run_numba
    if name == "reference":
        from simcore.engines.reference import run_reference

        return run_reference
    raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")


BatchEngine = Callable[..., BatchTrajectories]


def get_batch_engine(name: str) -> BatchEngine:
    """`(run, shock tables, partial=False) -> BatchTrajectories`: one replication per table (simcore.montecarlo);
    `partial`: simulate only what each table's shocks reach, where that pays (the Numba engine; the same numbers)."""
    if name == "numba":
        from simcore.engines.numba.engine import run_numba_batch

        return run_numba_batch
    if name == "reference":
        from simcore.engines.reference import run_reference

        return lambda run, shocks, partial=False: BatchTrajectories.stack([run_reference(run.with_shocks(t), False) for t in shocks])
    raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
