"""A shock or a timed policy that would start after the last day is an input error, not a silent no-op."""

from __future__ import annotations

import pytest

from simcore import load_scenario
from simcore.errors import InputError

from naive import VALID_MODEL, write_file


def scenario_text(horizon: int, shock_start: float, policy_start: float) -> str:
    return f"""
[scenario]
name = "late"
model = "model.toml"
horizon = {horizon}

[[shocks]]
kind = "firm_outage"
select = {{}}
start = {shock_start}
duration = 3

[[variants]]
name = "as-is"

[[variants]]
name = "late stock"
[[variants.policies]]
kind = "safety_stock"
select = {{}}
extra_cover = 3
start = {policy_start}
"""


def test_starts_on_the_last_day_are_fine(tmp_path):
    write_file(tmp_path, "model.toml", VALID_MODEL)
    load_scenario(write_file(tmp_path, "s.toml", scenario_text(30, 29, 29)))


def test_starts_after_the_last_day_are_problems(tmp_path):
    write_file(tmp_path, "model.toml", VALID_MODEL)
    with pytest.raises(InputError) as err:
        load_scenario(write_file(tmp_path, "s.toml", scenario_text(30, 29.5, 40)))
    fields = {p.field: p for p in err.value.problems}
    assert set(fields) == {"shocks[0].start", "variants[1].policies[0].start"}
    assert "before the horizon (30 days: ticks 0 to 29)" in fields["shocks[0].start"].expected
