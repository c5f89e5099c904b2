"""Uncertain parameters in the Monte Carlo: draws as specified, one world per replication whatever the split, the
same world for every variant, and a degenerate distribution giving exactly the plain scenario's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from simcore import load_scenario
from simcore.compile import compile_variant
from simcore.montecarlo import run_batch
from simcore.montecarlo.batch import simulate_chunk

from .common import VARIANTS, scenario_file

UNCERTAIN = """
[[uncertain]]
field = "cover"
select = { ids = ["C"] }
value = { dist = "lognormal", median = 3, sigma = 0.4 }

[[uncertain]]
field = "safety_stock.extra_cover"
value = { dist = "uniform", low = 0, high = 8 }

[[uncertain]]
field = "lead_time"
value = { dist = "empirical", values = [1, 2, 3], weights = [2, 1, 1] }

[[uncertain]]
field = "shocks[0].magnitude"
value = { dist = "uniform", low = 0.5, high = 1 }
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(scenario_file(tmp_path_factory.mktemp("unc"), VARIANTS + UNCERTAIN, duration='{ dist = "uniform", low = 5, high = 30 }'))


@pytest.fixture(scope="module")
def reference(scenario):
    return run_batch(scenario, 24, chunk_size=24, workers=1, progress=False)


def test_draws_have_the_specified_moments(scenario):
    drawn = np.array([scenario.uncertainty.draw(scenario.seed, k) for k in range(4000)])
    cover, extra, lead, magnitude = drawn.T
    assert np.median(cover) == pytest.approx(3, rel=0.05)
    assert np.log(cover).std() == pytest.approx(0.4, rel=0.05)
    assert extra.mean() == pytest.approx(4, abs=0.15) and extra.var() == pytest.approx(64 / 12, rel=0.08)
    assert np.mean(lead == 1) == pytest.approx(0.5, abs=0.03) and set(lead) == {1, 2, 3}
    assert 0.5 <= magnitude.min() and magnitude.max() <= 1 and magnitude.mean() == pytest.approx(0.75, abs=0.01)


def test_the_uncertain_stream_is_its_own(scenario):
    """Replication k draws its parameters from SeedSequence(seed, spawn_key=(k, 1)), apart from its shocks' (k,)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(scenario.seed, spawn_key=(5, 1))))
    a = scenario.uncertainty.draw(scenario.seed, 5)
    assert a[0] == 3 * np.exp(0.4 * rng.standard_normal(1)[0])  # the first entry's draw, in file order
    assert a[1] == rng.uniform(0, 8, 1)[0]
    assert not np.array_equal(a, scenario.uncertainty.draw(scenario.seed, 6))


def test_a_world_carries_the_drawn_values(scenario):
    values = scenario.uncertainty.draw(scenario.seed, 3)
    world = scenario.uncertainty.world(scenario, values)
    assert world.model.firms[1].cover == values[0]
    assert world.model.links[0].lead_time == values[2]
    assert world.shock_specs[0].magnitude == values[3]
    stock = compile_variant(world, "stock")
    assert stock.policies[0].extra_cover == values[1]
    plain = compile_variant(world, "as-is")
    assert plain.run.slot_target[0] == pytest.approx(values[0] * 10.0)
    assert stock.run.slot_target[0] == pytest.approx((values[0] + values[1]) * 10.0)
    assert scenario.model.firms[1].cover == 3.0  # the scenario itself is untouched


@pytest.mark.parametrize("chunk_size, workers", [(1, 2), (5, 1), (7, 2)])
def test_identical_for_any_chunking_and_threads(scenario, reference, chunk_size, workers):
    other = run_batch(scenario, 24, chunk_size=chunk_size, workers=workers, progress=False)
    assert np.array_equal(other.metrics, reference.metrics, equal_nan=True)
    assert np.array_equal(other.counts, reference.counts)


def test_a_chunk_in_the_middle_is_the_same_replications(scenario, reference):
    chunk = simulate_chunk(scenario, scenario.seed, 10, 17)
    assert np.array_equal(chunk.metrics, reference.metrics[10:17], equal_nan=True)


def test_replications_differ_and_every_variant_sees_the_same_world(scenario, reference):
    loss = reference.metrics[:, :, 0, 0]
    assert len(np.unique(loss[:, 0])) > 10
    drawn = np.array([scenario.uncertainty.draw(scenario.seed, k) for k in range(24)])
    # as-is does not use the extra cover: its loss depends on the world's other inputs only, and stock never loses more
    assert np.all(loss[:, 1] <= loss[:, 0] + 1e-12)
    assert np.corrcoef(drawn[:, 1], loss[:, 0] - loss[:, 1])[0, 1] > 0.3


def test_on_dask_the_numbers_are_the_same(scenario, reference):
    pytest.importorskip("distributed")
    other = run_batch(scenario, 24, chunk_size=8, dask_local=1, progress=False)
    assert np.array_equal(other.metrics, reference.metrics, equal_nan=True)


PLAIN = VARIANTS
FIXED = VARIANTS + """
[[uncertain]]
field = "cover"
select = { ids = ["C"] }
value = { dist = "fixed", value = 3 }

[[uncertain]]
field = "headroom"
value = { dist = "fixed", value = 0 }

[[uncertain]]
field = "lead_time"
value = { dist = "fixed", value = 1 }

[[uncertain]]
field = "safety_stock.extra_cover"
value = { dist = "fixed", value = 4 }

[[uncertain]]
field = "shocks[0].start"
value = { dist = "fixed", value = 5 }
"""


def test_a_degenerate_distribution_gives_exactly_the_plain_numbers(tmp_path):
    duration = '{ dist = "uniform", low = 5, high = 30 }'
    plain = load_scenario(scenario_file(tmp_path, PLAIN, duration, "plain.toml"))
    fixed = load_scenario(scenario_file(tmp_path, FIXED, duration, "fixed.toml"))
    assert not plain.uncertainty and len(fixed.uncertainty.entries) == 5
    a = run_batch(plain, 12, chunk_size=12, workers=1, progress=False)
    b = run_batch(fixed, 12, chunk_size=5, workers=1, progress=False)
    assert np.array_equal(a.metrics, b.metrics, equal_nan=True)
    assert np.array_equal(a.counts, b.counts)


def test_a_single_run_is_replication_0s_world(scenario, reference):
    from simcore.api import run

    result = run(scenario)
    loss = result.comparison().set_index(["variant", "chain"]).loss
    for v, variant in enumerate(reference.variants):
        assert loss[variant, "total"] == reference.metrics[0, v, 0, 0]


def test_resume_and_the_fingerprint(scenario, reference, tmp_path):
    """A batch resumed in its folder gives the same numbers; other uncertain distributions are another batch."""
    import dataclasses

    from simcore.montecarlo.batch import fingerprint

    out = tmp_path / "batch"
    run_batch(scenario, 24, chunk_size=8, out=out, workers=1, progress=False)
    (out / "chunks" / f"{8:09d}-{16:09d}.npz").unlink()
    resumed = run_batch(scenario, out=out, resume=True, workers=1, progress=False)
    assert np.array_equal(resumed.metrics, reference.metrics, equal_nan=True)
    first = scenario.uncertainty.entries[0]
    other = dataclasses.replace(scenario.uncertainty, entries=(dataclasses.replace(first, value=first.value.model_copy(update={"sigma": 0.5})), *scenario.uncertainty.entries[1:]))
    assert fingerprint(dataclasses.replace(scenario, uncertainty=other), scenario.seed, "numba") != fingerprint(scenario, scenario.seed, "numba")


def test_a_sensitivity_design_on_dask_gives_the_same_rows(scenario):
    pytest.importorskip("distributed")
    from simcore.sensitivity import sensitivity

    here = sensitivity(scenario, samples=16, versus="stock", workers=1, progress=False)
    there = sensitivity(scenario, samples=16, versus="stock", dask_local=1, progress=False)
    assert np.array_equal(here.loss, there.loss)
