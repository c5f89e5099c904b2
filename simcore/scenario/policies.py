"""The policy registry: named interventions a scenario variant switches on (MODEL.md §5).

A policy is a pure function `(compiled run, chain map, settings) -> compiled run`
registered under its name; the named policies of MODEL.md §5 are added here.
Until then a variant changes parameters and per-firm settings directly
(`[variants.parameters]`, `[[variants.firms]]`).
"""

from __future__ import annotations

from typing import Callable

POLICIES: dict[str, Callable] = {}
