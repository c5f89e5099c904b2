"""Batches: the numbers of replication k do not depend on how the batch is split or where it runs."""

from __future__ import annotations

import numpy as np
import pytest

from naive import RANDOM_EV, write_file
from simcore import metrics as M
from simcore.compile import compile_run, compile_variant
from simcore.engines.numba import run_numba
from simcore.montecarlo import run_batch
from simcore.montecarlo.batch import simulate_chunk
from simcore import load_scenario
from simcore.scenario.distributions import replication_rng
from simcore.core.primitives import DAMAGE, LEAD


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(write_file(tmp_path_factory.mktemp("mc"), "random.toml", RANDOM_EV))


@pytest.fixture(scope="module")
def reference_batch(scenario):
    return run_batch(scenario, 24, chunk_size=24, workers=1, progress=False)


def same(a, b) -> None:
    assert np.array_equal(a.metrics, b.metrics, equal_nan=True)
    assert np.array_equal(a.counts, b.counts)


@pytest.mark.parametrize("chunk_size, workers", [(1, 2), (5, 2), (7, 1), (24, 2)])
def test_chunk_sizes_and_threads_give_identical_numbers(scenario, reference_batch, chunk_size, workers):
    same(run_batch(scenario, 24, chunk_size=chunk_size, workers=workers, progress=False), reference_batch)


def test_a_chunk_in_the_middle_is_the_same_replications(scenario, reference_batch):
    chunk = simulate_chunk(scenario, scenario.seed, 10, 17)
    assert np.array_equal(chunk.metrics, reference_batch.metrics[10:17], equal_nan=True)


def test_replication_k_is_child_k_of_the_seed_sequence():
    spawned = np.random.SeedSequence(42).spawn(8)[5]
    a = np.random.Generator(np.random.PCG64(spawned)).random(4)
    assert np.array_equal(replication_rng(42, 5).random(4), a)


def test_each_replication_equals_a_single_run_on_its_shocks(scenario, reference_batch):
    """The batch path (drawn tables, prange kernel, vectorised metrics) against compile_run(replication=k) + run_numba + the scalar metrics."""
    for k in (0, 3, 23):
        for v, variant in enumerate(scenario.variants):
            run = compile_run(scenario, variant, replication=k)
            tr = run_numba(run, False)
            table = scenario.sampler.draw(scenario.seed, k).apply(compile_variant(scenario, variant).shocks)
            for c in range(len(run.chain_names)):
                base = float(run.chain_baseline[c])
                single = M.series_metrics(tr.chain_output[:, c], base, table.first_start)
                single["fill_rate"] = M.fill_rate(tr.chain_final_delivered[:, c], tr.chain_final_demand[:, c])
                got = dict(zip(M.METRICS, reference_batch.metrics[k, v, c]))
                for name, value in single.items():
                    assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-15, nan_ok=True), (k, variant.name, c, name)


def test_the_reference_engine_gives_the_same_batch(scenario, reference_batch):
    ref = run_batch(scenario, 2, engine="reference", progress=False)
    np.testing.assert_allclose(ref.metrics, reference_batch.metrics[:2], rtol=1e-9, atol=1e-12, equal_nan=True)


def test_identical_variants_have_zero_paired_differences(tmp_path):
    text = RANDOM_EV.split("[[variants]]")[0] + '[[variants]]\nname = "a"\n[[variants]]\nname = "b"\n'
    result = run_batch(write_file(tmp_path, "twins.toml", text), 30, progress=False)
    assert np.array_equal(result.metrics[:, 0], result.metrics[:, 1], equal_nan=True)
    d = result.statistics["b"]["total"]["d_loss"]
    assert d["mean"] == 0.0 and d["std"] == 0.0
    assert result.statistics["a"]["total"]["loss"]["std"] > 0  # the shocks do differ between replications


def test_replications_differ_and_draws_are_what_the_scenario_says(scenario):
    """Regional events hit every selected firm of the region at once; noise touches only foreign suppliers' links."""
    draws = [scenario.sampler.draw(scenario.seed, k) for k in range(200)]
    cmap = scenario.model
    region_rows = [d.rows for d in draws]
    for rows in region_rows:
        regional = rows.source == 2
        for start in np.unique(rows.start[regional]):
            hit = rows.target[regional & (rows.start == start)]
            regions = {cmap.firms[k].region for k in hit}
            assert len(regions) == 1
            region = regions.pop()
            assert set(hit.tolist()) == {k for k, f in enumerate(cmap.firms) if f.region == region}
        noise = rows.kind == LEAD
        assert all("foreign" in cmap.firms[cmap.link_supplier[l]].tags for l in rows.target[noise])
        assert np.all((rows.value[noise] >= 0.8) & (rows.value[noise] <= 1.6))
    tier2 = sum(1 for f in cmap.firms if "tier2" in f.tags)
    events = np.array([np.count_nonzero((d.rows.kind == DAMAGE) & (d.rows.source == 1)) for d in draws])
    expected = 0.004 * 60 * tier2  # Poisson: mean = rate x window x firms
    assert abs(events.mean() - expected) < 4 * np.sqrt(expected / len(draws))
    durations = np.array([d.duration[0] for d in draws])
    assert len(set(durations.tolist())) == len(draws) and np.all(durations > 0)
