"""metrics.py: loss, depth, TTS, TTR and fill rate (docs/model.md) of trajectories small enough to check by hand,
and the vectorised forms against the naive day-by-day references of tests/naive.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from naive import naive_depth, naive_fill_rate, naive_loss, naive_ttr, naive_tts
from simcore import metrics as M

# baseline 10 a day; the shock starts on day 2; output dips on days 3..6 (day 5 at 9.95 is not a drop: >= 99%)
SERIES = np.array([10.0, 10.0, 10.0, 6.0, 4.0, 9.95, 9.8, 10.0, 10.0, 10.0])


def test_metrics_of_a_ten_day_dip():
    got = M.series_metrics(SERIES, 10.0, 2.0)
    # shortfall 4 + 6 + 0.05 + 0.2 = 10.25 over 10 days x 10 a day
    assert got["loss"] == pytest.approx(0.1025, rel=1e-15)
    assert got["depth"] == 0.4
    assert got["tts"] == 1.0  # day 3 is the first below 9.9
    assert got["ttr"] == 5.0  # day 6 is the last below: back for good on day 7 = 2 + 5


def test_fractional_start_counts_from_the_start_itself():
    got = M.series_metrics(SERIES, 10.0, 2.5)
    assert (got["tts"], got["ttr"]) == (0.5, 4.5)


def test_a_dip_before_the_shock_starts_is_not_a_drop():
    series = np.array([10.0, 5.0, 10.0, 10.0, 8.0, 10.0])
    assert M.time_to_survive(series, 10.0, 3.0) == 1.0  # day 4, not day 1
    assert M.time_to_recover(series, 10.0, 3.0) == 2.0
    assert M.loss(series, 10.0) == pytest.approx((5.0 + 2.0) / 60.0, rel=1e-15)  # the loss counts every day


def test_catch_up_does_not_offset_the_loss():
    assert M.loss(np.array([10.0, 5.0, 15.0, 10.0]), 10.0) == 5.0 / 40.0


def test_never_dropping_censored_and_unshocked_runs():
    flat = np.full(8, 10.0)
    assert math.isnan(M.time_to_survive(flat, 10.0, 2.0)) and M.time_to_recover(flat, 10.0, 2.0) == 0.0
    still_down = np.array([10.0, 10.0, 3.0, 3.0, 3.0])
    assert M.time_to_survive(still_down, 10.0, 1.0) == 1.0 and math.isnan(M.time_to_recover(still_down, 10.0, 1.0))
    got = M.series_metrics(still_down, 10.0, None)  # no shock: no TTS, no TTR, but the loss and depth are there
    assert math.isnan(got["tts"]) and math.isnan(got["ttr"])
    assert got["loss"] == pytest.approx(21.0 / 50.0, rel=1e-15) and got["depth"] == 0.3


def test_fill_rate_counts_late_deliveries():
    demanded = np.full(10, 10.0)
    delivered = np.array([10.0, 10.0, 10.0, 6.0, 4.0, 8.0, 10.0, 12.0, 10.0, 10.0])  # 12: backlog served late
    assert M.fill_rate(delivered, demanded) == 0.9
    assert M.fill_rate(np.zeros(3), np.zeros(3)) == 1.0  # no demand arisen: nothing unmet


def test_a_zero_baseline_has_no_loss():
    assert M.loss(np.zeros(4), 0.0) == 0.0 and M.depth(np.zeros(4), 0.0) == 1.0


def test_batch_metrics_equal_the_scalar_metrics():
    rng = np.random.default_rng(3)
    series = np.clip(10 + rng.normal(0, 2, (50, 40)).cumsum(axis=1) * 0.1, 0, None)
    starts = rng.choice([np.nan, 0.0, 3.5, 12.0], 50)
    delivered, demanded = rng.uniform(0, 1, (50, 40)), rng.uniform(0.5, 1, (50, 40))
    got = M.batch_metrics(series, 10.0, starts, delivered, demanded)
    for r in range(50):
        start = None if np.isnan(starts[r]) else starts[r]
        one = M.series_metrics(series[r], 10.0, start)
        expected = [one["loss"], one["depth"], one["tts"], one["ttr"], M.fill_rate(delivered[r], demanded[r])]
        np.testing.assert_array_equal(got[r], expected)


# output levels around the 99% threshold, so drops, near misses and recoveries all occur
LEVELS = st.sampled_from([0.0, 3.0, 9.8, 9.9, 9.95, 10.0, 12.0]) | st.floats(0.0, 12.0)


@given(
    series=st.lists(LEVELS, min_size=1, max_size=30),
    start=st.none() | st.sampled_from([0.0, 2.0, 4.5]) | st.floats(0.0, 35.0),
    baseline=st.sampled_from([10.0, 0.0]),
    demand=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=30),
)
def test_the_metrics_equal_the_naive_references(series, start, baseline, demand):
    x = np.array(series)
    got = M.series_metrics(x, baseline, start)
    assert got["loss"] == pytest.approx(naive_loss(series, baseline), rel=1e-12, abs=1e-15)
    assert got["depth"] == naive_depth(series, baseline)
    for key, naive in (("tts", naive_tts), ("ttr", naive_ttr)):
        expected = naive(series, baseline, start)
        assert (math.isnan(got[key]) and math.isnan(expected)) or got[key] == expected, key
    delivered = np.array(demand) * 0.7
    assert M.fill_rate(delivered, np.array(demand)) == pytest.approx(naive_fill_rate(delivered, demand), rel=1e-12)
    batch = M.batch_metrics(x[None, :], baseline, np.array([np.nan if start is None else start]), delivered[None, :], np.array(demand)[None, :])
    np.testing.assert_allclose(batch[0, :4], [got["loss"], got["depth"], got["tts"], got["ttr"]], rtol=1e-12, atol=1e-15)
