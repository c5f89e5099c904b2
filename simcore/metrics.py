"""Resilience metrics from recorded trajectories (docs/model.md, Metrics).

All functions take an output series and its baseline; `start` is the time the
first shock begins (days, may be fractional). Thresholds are docs/model.md's: a
drop means output below 99% of baseline; a firm is affected below 95%.
"""

from __future__ import annotations

import math

import numpy as np

from simcore.core.compiled import CompiledRun

DROP = 0.99
AFFECTED = 0.95
METRICS = ("loss", "depth", "tts", "ttr", "fill_rate", "firms_affected")


def loss(series: np.ndarray, baseline: float) -> float:
    """Shortfall area below baseline as a fraction of baseline output over the horizon; catch-up does not offset it."""
    if baseline <= 0 or len(series) == 0:
        return 0.0
    return float(np.maximum(baseline - series, 0.0).sum() / (baseline * len(series)))


def depth(series: np.ndarray, baseline: float) -> float:
    """Lowest output as a fraction of baseline."""
    return float(series.min() / baseline) if baseline > 0 and len(series) else 1.0


def time_to_survive(series: np.ndarray, baseline: float, start: float | None) -> float:
    """Days from the shock start until output first drops below 99% of baseline; NaN if it never does."""
    if start is None:
        return math.nan
    ticks = np.arange(len(series))
    below = np.flatnonzero((ticks >= start) & (series < DROP * baseline))
    return float(below[0] - start) if len(below) else math.nan


def time_to_recover(series: np.ndarray, baseline: float, start: float | None) -> float:
    """Days from the shock start until output is back at or above 99% of baseline for good.

    0 if it never dropped; NaN if it is still below at the end of the horizon (censored).
    """
    if start is None:
        return math.nan
    ticks = np.arange(len(series))
    below = np.flatnonzero((ticks >= start) & (series < DROP * baseline))
    if not len(below):
        return 0.0
    if below[-1] == len(series) - 1:
        return math.nan
    return float(below[-1] + 1 - start)


def fill_rate(delivered: np.ndarray, demanded: np.ndarray) -> float:
    """Final demand met (late deliveries from backlog included) over final demand arisen."""
    total = float(demanded.sum())
    return float(delivered.sum() / total) if total > 0 else 1.0


def series_metrics(series: np.ndarray, baseline: float, start: float | None) -> dict[str, float]:
    return {
        "loss": loss(series, baseline),
        "depth": depth(series, baseline),
        "tts": time_to_survive(series, baseline, start),
        "ttr": time_to_recover(series, baseline, start),
    }


def batch_metrics(series: np.ndarray, baseline: float, start: np.ndarray, delivered: np.ndarray, demanded: np.ndarray) -> np.ndarray:
    """The series metrics and fill rate of many replications at once: `series` (replications, ticks), `start`
    per replication (NaN: no shock). Columns: loss, depth, tts, ttr, fill_rate; each equal to the function above
    applied to one replication (tests/metrics/test_metrics.py)."""
    R, T = series.shape
    out = np.full((R, 5), np.nan)
    if baseline > 0 and T:
        out[:, 0] = np.maximum(baseline - series, 0.0).sum(axis=1) / (baseline * T)
        out[:, 1] = series.min(axis=1) / baseline
    else:
        out[:, 0], out[:, 1] = 0.0, 1.0
    ticks = np.arange(T)
    below = (ticks >= start[:, None]) & (series < DROP * baseline)  # NaN start: never
    any_below = below.any(axis=1)
    first = np.argmax(below, axis=1)
    last = T - 1 - np.argmax(below[:, ::-1], axis=1)
    shocked = ~np.isnan(start)
    out[:, 2] = np.where(shocked & any_below, first - start, np.nan)
    out[:, 3] = np.where(~shocked, np.nan, np.where(~any_below, 0.0, np.where(last == T - 1, np.nan, last + 1 - start)))
    total = demanded.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[:, 4] = np.where(total > 0, delivered.sum(axis=1) / np.where(total > 0, total, 1.0), 1.0)
    return out


def chain_metrics(run: CompiledRun, out, starts: np.ndarray) -> np.ndarray:
    """(replications, chains, 5): loss, depth, TTS, TTR, fill rate of each chain in each replication of a batch
    (`out`: the `BatchTrajectories` of `run`; `starts`: each replication's first shock, NaN for none)."""
    metrics = np.zeros((len(starts), len(run.chain_names), 5))
    for c in range(len(run.chain_names)):
        series, delivered, demanded = (np.ascontiguousarray(a[:, :, c]) for a in (out.chain_output, out.chain_final_delivered, out.chain_final_demand))
        metrics[:, c] = batch_metrics(series, float(run.chain_baseline[c]), starts, delivered, demanded)
    return metrics
