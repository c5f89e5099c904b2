"""Monte Carlo batches: replications of random shocks on common random numbers, local or on Dask (docs/montecarlo.md)."""

from simcore.montecarlo.result import BatchResult
from simcore.montecarlo.runner import run_batch

__all__ = ["BatchResult", "run_batch"]
