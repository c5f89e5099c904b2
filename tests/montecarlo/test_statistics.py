"""Monte Carlo statistics against a loss distribution known in closed form.

One firm making a raw material (no inputs, so no buffers matter) sells d a day
to final demand; from day s it stops completely for an exponential duration D
with mean mu (step recovery). Output is 0 in ticks s .. s + ceil(D) - 1 and at
or above baseline otherwise (catch-up does not offset the loss), so

    loss = min(K, m) / T,  K = ceil(D),  m = T - s,

with K geometric: P(K >= k) = exp(-(k - 1) / mu). Hence
E[min(K, m)] = (1 - exp(-m / mu)) / (1 - exp(-1 / mu)), and the q-quantile of K
is the smallest k with 1 - exp(-k / mu) >= q, i.e. ceil(-mu ln(1 - q)).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from naive import write_model
from simcore.montecarlo import run_batch
from simcore.montecarlo.stats import describe

T, S, MU, N = 100, 10, 12.0, 4000


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("closed_form")
    write_model(folder, [{"id": "ore", "category": "raw_material"}], [{"id": "F", "product": "ore", "region": "r"}], [], [{"firm": "F", "units": 5.0}])
    (folder / "s.toml").write_text(
        f'[scenario]\nname = "exponential outage"\nmodel = "model.toml"\nhorizon = {T}\nseed = 2024\n\n'
        f'[[shocks]]\nkind = "firm_outage"\nselect = {{ ids = ["F"] }}\nstart = {S}\nduration = {{ dist = "exponential", mean = {MU} }}\n'
    )
    return run_batch(folder / "s.toml", N, progress=False)


def k_quantile(q: float) -> float:
    return min(math.ceil(-MU * math.log(1 - q)), T - S)


def test_every_replication_loss_is_its_outage_length(batch):
    loss = batch.metrics[:, 0, 0, 0]
    assert np.allclose(loss * T, np.round(loss * T), atol=1e-9)  # whole ticks
    assert set(np.round(loss * T).astype(int)) <= set(range(1, T - S + 1))


def test_mean_loss_matches_the_formula_within_its_confidence_interval(batch):
    m = T - S
    exact = (1 - math.exp(-m / MU)) / (1 - math.exp(-1 / MU)) / T
    s = batch.statistics["as-is"]["total"]["loss"]
    assert s["n"] == N
    assert s["ci95"][0] <= exact <= s["ci95"][1], (s["ci95"], exact)
    assert s["ci95"][1] - s["ci95"][0] < 0.1 * exact  # and the interval is informative


@pytest.mark.parametrize("q", [0.25, 0.5, 0.75, 0.95])
def test_quantiles_match_the_formula_within_their_confidence_intervals(batch, q):
    """Distribution-free 95% interval of a quantile: the order statistics at ranks N q -/+ 1.96 sqrt(N q (1 - q))."""
    loss = np.sort(batch.metrics[:, 0, 0, 0])
    half = 1.96 * math.sqrt(N * q * (1 - q))
    low, high = loss[int(math.floor(N * q - half))], loss[int(math.ceil(N * q + half))]
    assert low <= k_quantile(q) / T <= high, (q, low * T, high * T, k_quantile(q))


def test_var95_and_cvar95(batch):
    s = batch.statistics["as-is"]["total"]["loss"]
    assert s["var95"] == pytest.approx(k_quantile(0.95) / T, abs=1.5 / T)
    tail = batch.metrics[:, 0, 0, 0][batch.metrics[:, 0, 0, 0] >= s["var95"]]
    assert s["cvar95"] == pytest.approx(tail.mean()) and s["cvar95"] >= s["var95"]


def test_tts_is_one_day_and_ttr_the_outage_length(batch):
    """TTS: the firm drops in the shock's first tick (0 days of survival); TTR = K when the outage ends in time."""
    tts, ttr, loss = batch.metrics[:, 0, 0, 2], batch.metrics[:, 0, 0, 3], batch.metrics[:, 0, 0, 0]
    assert np.all(tts == 0.0)
    censored = np.round(loss * T) == T - S
    np.testing.assert_array_equal(ttr[~censored], np.round(loss * T)[~censored])
    assert np.all(np.isnan(ttr[censored]))


def test_describe_against_scipy():
    x = np.random.default_rng(0).lognormal(0, 1, 500)
    d = describe(np.append(x, np.nan), tail=True)
    assert d["n"] == 500 and d["missing"] == 1
    lo, hi = stats.t.interval(0.95, 499, loc=x.mean(), scale=stats.sem(x))
    assert d["ci95"] == pytest.approx([lo, hi])
    assert d["q50"] == pytest.approx(np.median(x)) and d["std"] == pytest.approx(x.std(ddof=1))
