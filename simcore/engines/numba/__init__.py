"""The Numba engine: `run_numba(run, firm_trajectories)` reproduces `run_reference` to floating-point tolerance.

The kernels (`kernels.py` for one run, `lanes.py` for groups of replications) are compiled on first use and cached
on disk.
"""

from simcore.engines.numba.engine import run_numba

__all__ = ["run_numba"]
