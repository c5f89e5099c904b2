"""The two rules of production, each defined once: the output an input's stock allows by its necessity, and the
rounding slack of a bound (docs/model.md, Necessity of inputs; A stable steady state).

Plain arithmetic on scalars, like `timing`: the Numba kernels compile these very functions, the reference engine
calls them as Python.
"""

import math

from simcore.core.compiled import IMPORTANT, NONCRITICAL, ROUNDING_SLACK


def input_bound(stock: float, coef: float, necessity: int, base: float) -> float:
    """The output `stock` of an input (`coef` units per unit of output) allows a firm of baseline output `base`:
    a critical input binds as Leontief, an important one when short binds half-way to baseline output (Pichler
    et al. 2022), a noncritical one not at all."""
    if necessity == NONCRITICAL:
        return math.inf
    bound = stock / coef
    if necessity == IMPORTANT and bound < base:
        bound = 0.5 * (bound + base)
    return bound


def within_slack(wanted: float, bound: float) -> float:
    """`min(wanted, bound)` up to rounding: a bound short of `wanted` by less than ROUNDING_SLACK of it does not
    bind, and one below ROUNDING_SLACK of it allows nothing (a residue of rounding in a stock is not production).
    Two selects, no branches, so that the lanes kernel's loops over lanes vectorise."""
    y = wanted if bound >= wanted * (1.0 - ROUNDING_SLACK) else bound
    return y if bound > wanted * ROUNDING_SLACK else 0.0
