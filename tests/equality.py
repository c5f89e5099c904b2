"""Engine equality: "the Numba engine must reproduce the reference to 1e-9 relative" (docs/model.md), at the right scale.

Both engines do the same arithmetic but sum some quantities in a different
order (a supplier's order book: the reference over its customers, Numba while
streaming the customers' inputs), so they differ in the last bits, and a long
shocked run can carry that difference along. Relative to each value alone, a
near-zero output of a large firm would fail on noise; so each recorded value is
compared to 1e-9 of its own size or of its quantity's scale, whichever is
larger: a firm's baseline output for firm trajectories, a chain's baseline for
chain trajectories, the largest of the totals (units) for the totals.
"""

from __future__ import annotations

import numpy as np

from simcore.compile import CompiledRun
from simcore.engines.trajectories import Trajectories

RTOL = 1e-9


def scales(run: CompiledRun, trajectories: Trajectories) -> dict[str, np.ndarray | float]:
    """The scale each recorded array is compared at (broadcast against the array)."""
    firm = np.maximum(run.base_output, run.final_demand)
    chain = run.chain_baseline
    totals = float(np.abs(trajectories.totals).max()) if trajectories.totals.size else 0.0
    return {
        "chain_output": chain,
        "chain_final_demand": chain,
        "chain_final_delivered": chain,
        "totals": totals,
        "start_inventory": abs(trajectories.start_inventory),
        "start_in_transit": abs(trajectories.start_in_transit),
        "firm_min_ratio": 1.0,
        "firm_output": firm,
        "firm_final_delivered": firm,
    }


def assert_same_numbers(run: CompiledRun, reference: Trajectories, other: Trajectories) -> None:
    """Every recorded array of `other` equals the reference's to 1e-9 relative (see the module docstring)."""
    a, b = reference.arrays(), other.arrays()
    assert a.keys() == b.keys()
    scale = scales(run, reference)
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        assert x.shape == y.shape, name
        tol = RTOL * np.maximum(np.abs(x), np.broadcast_to(scale[name], x.shape))
        with np.errstate(invalid="ignore"):  # inf - inf: equal infinities are caught by x == y
            same = (x == y) | (np.abs(x - y) <= tol) | (np.isnan(x) & np.isnan(y))
        if not same.all():
            at = tuple(np.argwhere(~same)[0])
            raise AssertionError(f"{name}: {np.count_nonzero(~same)} values differ beyond 1e-9 of their scale; first at {at}: {x[at]!r} vs {y[at]!r}")
