"""The two rules of time, each defined once: when a shipment can be used, and how strong a shock row is on a tick.

Plain arithmetic on scalars, so that the Numba kernels compile these very
functions (`njit(cache=True)(timing.intensity)`) while the compiler and the
reference engine call them as Python.
"""

import math

from simcore.core.primitives import EXPONENTIAL, LINEAR

LN2 = 0.6931471805599453


def arrival_tick(t, lead):
    """Tick from which a shipment sent in tick `t` with lead time `lead` can be used: the first at or after
    `t + lead`, never `t` itself (docs/model.md)."""
    return max(int(t) + 1, math.ceil(t + lead))


def intensity(t, start, duration, profile, param):
    """A shock row's intensity in tick `t` (docs/model.md).

    Full in ticks `start <= t < start + duration`; from the end on it recovers
    by its profile, one step per tick:

    - STEP: 0 at once;
    - LINEAR over `param` days: `1 - (e + 1) / param`, floored at 0, where `e = t - end`;
    - EXPONENTIAL with half-life `param`: `0.5 ** ((e + 1) / param)`, written
      `exp(-ln 2 * (e + 1) / param)` so compiled and interpreted code round it alike.

    A recovery-speed multiplier (a policy) divides `param`.
    """
    if t < start:
        return 0.0
    end = start + duration
    if t < end:
        return 1.0
    e = t - end
    if profile == LINEAR:
        return max(0.0, 1.0 - (e + 1.0) / param)
    if profile == EXPONENTIAL:
        return math.exp(-LN2 * (e + 1.0) / param)
    return 0.0
