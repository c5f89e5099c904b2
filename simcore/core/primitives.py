"""Primitive shock rows: the one definition of their kinds and recovery profiles, and the table that holds them.

A primitive is one of four effects on one target over time:

- DAMAGE: a firm loses `value * intensity(t)` of its capacity (the largest damage wins);
- DEMAND: a firm's final demand is multiplied by `1 + (value - 1) * intensity(t)`;
- CLOSE:  a link carries no orders or shipments while `intensity(t) > 0`;
- LEAD:   a link's lead time is multiplied by `1 + (value - 1) * intensity(t)`.

Timed policies (docs/policies.md#timing) add three more primitives to the same
calendar. Each acts once, at the first tick at or after its start, and for good
(duration, profile and param are unused):

- SOURCE:   a link becomes a source of `value` of its customer's need for the
  input: the shares of the input's other links (current and baseline) are
  multiplied by `1 - value`, this link's set to `value`, and the input's
  baseline pipeline is recomputed from the new baseline shares;
- TARGET:   `value` units are added to an input slot's target inventory;
- CAPACITY: `value` units per day are added to a firm's capacity.

`intensity(t)` follows the row's recovery profile (`simcore.core.timing`).
The codes are plain ints, so the Numba kernels read them as compile-time constants.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

DAMAGE, DEMAND, CLOSE, LEAD = 0, 1, 2, 3
SOURCE, TARGET, CAPACITY = 4, 5, 6  # set once at onset (timed policies)
LINK_KINDS = (CLOSE, LEAD, SOURCE)  # kinds whose target is a link
SET_KINDS = (SOURCE, TARGET, CAPACITY)  # kinds that act once, at onset

STEP, LINEAR, EXPONENTIAL = 0, 1, 2  # recovery profiles
PROFILES = {"step": STEP, "linear": LINEAR, "exponential": EXPONENTIAL}  # a scenario's profile names


@dataclass(frozen=True)
class ShockTable:
    """Primitive shock rows as flat arrays, sorted by start time (then by scenario order)."""

    kind: np.ndarray  # int64: one of the primitive kinds above
    target: np.ndarray  # int64: firm index (DAMAGE, DEMAND, CAPACITY), map link index (CLOSE, LEAD, SOURCE) or slot (TARGET)
    value: np.ndarray  # magnitude or factor
    start: np.ndarray
    duration: np.ndarray
    profile: np.ndarray  # int64: STEP, LINEAR or EXPONENTIAL
    param: np.ndarray  # recovery days (linear) or half-life (exponential)
    source: np.ndarray  # index of the scenario shock the row came from (timed policies: after the shocks)

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def first_start(self) -> float | None:
        return float(self.start.min()) if len(self) else None

    @classmethod
    def from_rows(cls, rows: list[tuple], sort: bool = True) -> "ShockTable":
        """Rows `(kind, target, value, start, duration, profile, param, source)`, sorted by start then source unless `sort=False`."""
        cols = list(zip(*rows)) if rows else [()] * 8
        ints = {0, 1, 5, 7}
        arrays = [np.array(c, dtype=np.int64 if i in ints else float) for i, c in enumerate(cols)]
        table = cls(*arrays)
        return table.sorted() if sort else table

    def sorted(self) -> "ShockTable":
        """Rows by start, then by source (scenario order): the order shock onsets fire."""
        order = np.lexsort((self.source, self.start))
        return ShockTable(*(getattr(self, f.name)[order] for f in dataclasses.fields(self)))

    @classmethod
    def empty(cls) -> "ShockTable":
        return cls.from_rows([])

    def __add__(self, other: "ShockTable") -> "ShockTable":
        """Both tables' rows, `other`'s after this one's (not sorted)."""
        return ShockTable(*(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in dataclasses.fields(self)))
