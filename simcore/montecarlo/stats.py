"""Summary statistics of replications (docs/model.md, Metrics): mean, standard deviation, 95% confidence interval of the
mean, quantiles, and for loss VaR95 and CVaR95; the same for paired differences between variants."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def describe(values: np.ndarray, tail: bool = False) -> dict:
    """Statistics of the finite values (a TTS is NaN when output never dropped, a TTR when it never recovered:
    `missing` counts those). `tail` adds VaR95 (the 95% quantile) and CVaR95 (the mean at or above it)."""
    x = np.asarray(values, dtype=float)
    finite = x[np.isfinite(x)]
    n = len(finite)
    out = {"n": int(n), "missing": int(len(x) - n)}
    if n == 0:
        out.update({"mean": math.nan, "std": math.nan, "ci95": [math.nan, math.nan], **{_q(q): math.nan for q in QUANTILES}})
        return out
    mean = float(finite.mean())
    std = float(finite.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.975, n - 1) * std / math.sqrt(n)) if n > 1 else math.nan
    out.update({"mean": mean, "std": std, "ci95": [mean - half, mean + half]})
    out.update({_q(q): float(v) for q, v in zip(QUANTILES, np.quantile(finite, QUANTILES))})
    if tail:
        var = float(np.quantile(finite, 0.95))
        out["var95"] = var
        out["cvar95"] = float(finite[finite >= var].mean())
    return out


def _q(q: float) -> str:
    return f"q{round(q * 100):02d}"


def quantile_bands(counts: np.ndarray, width: float, quantiles=QUANTILES) -> np.ndarray:
    """Quantiles from histogram counts (..., bins) of values rounded to multiples of `width` (bin `b` holds
    the values nearest `b * width`): the q-quantile is the centre of the first bin where the cumulative count
    reaches `q` of the total, so it is within `width / 2` of the exact (lower) empirical quantile."""
    cum = np.cumsum(counts, axis=-1)
    total = cum[..., -1:]
    out = np.empty(counts.shape[:-1] + (len(quantiles),))
    for j, q in enumerate(quantiles):
        out[..., j] = np.argmax(cum >= np.maximum(q * total, 1), axis=-1) * width
    return out
