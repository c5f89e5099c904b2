"""Two identical variants give identical results: a paired difference of exactly zero, with either engine."""

from __future__ import annotations

import numpy as np
import pytest

import simcore
from naive import build_scenario

from . import test_dual_sourcing

POLICIES = """
[[variants.policies]]
kind = "stabilize_chain_master"
select = { ids = ["C"] }
extra_cover = 1.5
recovery_speed = 2
extend_to_tiers = 1
[[variants.policies]]
kind = "dual_sourcing"
select = { ids = ["C2"] }
share = 0.4
[[variants.policies]]
kind = "spare_capacity"
select = { regions = ["south"] }
extra_headroom = 0.3
"""

BODY = """
[[shocks]]
kind = "firm_outage"
select = { ids = ["S1", "S2"] }
magnitude = 0.7
start = 4
duration = 8
recovery = { profile = "linear", days = 5 }

[[variants]]
name = "as-is"
[[variants]]
name = "twin a"
""" + POLICIES + """
[[variants]]
name = "twin b"
""" + POLICIES


@pytest.mark.parametrize("engine", ["reference", "numba"])
def test_identical_variants_have_a_zero_paired_difference(tmp_path, engine):
    sc = build_scenario(tmp_path, test_dual_sourcing.MAP, BODY, 40)
    result = simcore.run(sc, engine=engine)
    a, b = (next(v for v in result.variants if v.variant == name) for name in ("twin a", "twin b"))
    for key, value in a.trajectories.arrays().items():
        np.testing.assert_array_equal(b.trajectories.arrays()[key], value, err_msg=key)
    table = result.metrics().set_index(["variant", "chain"])
    twin_a, twin_b = table.loc["twin a"].to_numpy(float), table.loc["twin b"].to_numpy(float)
    np.testing.assert_array_equal(twin_b, twin_a)  # NaN (e.g. a TTS that never happens) on both sides counts as equal
    paired = twin_b - twin_a
    assert np.all(paired[~np.isnan(twin_a)] == 0.0)
    assert not table.loc["twin a"].equals(table.loc["as-is"])  # the policies do something
