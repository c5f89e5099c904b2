"""Shock intensity over time: the one definition both engines evaluate (docs/model.md, Shocks).

Plain arithmetic on scalars so the Numba engine can compile this very function.
A shock is at full intensity in ticks `start <= t < start + duration`; from the
end on it recovers by its profile, one step per tick:

- step (0): intensity 0 at once;
- linear (1) over `param` days: `1 - (e + 1) / param`, floored at 0, where `e = t - end`;
- exponential (2) with half-life `param`: `0.5 ** ((e + 1) / param)`, written
  `exp(-ln 2 * (e + 1) / param)` so compiled and interpreted code round it alike.

A recovery-speed multiplier (a policy) divides `param`.
"""


import math

LN2 = 0.6931471805599453


def intensity(t, start, duration, profile, param):
    if t < start:
        return 0.0
    end = start + duration
    if t < end:
        return 1.0
    e = t - end
    if profile == 1:
        return max(0.0, 1.0 - (e + 1.0) / param)
    if profile == 2:
        return math.exp(-LN2 * (e + 1.0) / param)
    return 0.0
