"""Named distributions of scenario fields (`{ dist = "lognormal", median = 10, sigma = 0.5 }`), and the
generator each Monte Carlo replication draws from."""

from __future__ import annotations

import numpy as np

from simcore.scenario.schema import Empirical, Exponential, Fixed, LogNormal, Uniform

DISTRIBUTIONS = (Fixed, Exponential, LogNormal, Uniform, Empirical)


def is_random(value) -> bool:
    return isinstance(value, DISTRIBUTIONS)


def typical(value) -> float:
    """A number, or a distribution's central value (fixed value, mean, median, midpoint, weighted mean): what a
    single run without replications would show if it did not draw (it draws replication 0 instead)."""
    if not is_random(value):
        return float(value)
    if isinstance(value, Fixed):
        return value.value
    if isinstance(value, Exponential):
        return value.mean
    if isinstance(value, LogNormal):
        return value.median
    if isinstance(value, Uniform):
        return (value.low + value.high) / 2
    return float(np.average(value.values, weights=value.weights))


def draw(value, rng: np.random.Generator, size: int) -> np.ndarray:
    """`size` draws of a number (repeated) or a distribution."""
    if not is_random(value):
        return np.full(size, float(value))
    if isinstance(value, Fixed):
        return np.full(size, value.value)
    if isinstance(value, Exponential):
        return rng.exponential(value.mean, size)
    if isinstance(value, LogNormal):
        return value.median * np.exp(value.sigma * rng.standard_normal(size))
    if isinstance(value, Uniform):
        return rng.uniform(value.low, value.high, size)
    p = None if value.weights is None else np.asarray(value.weights) / sum(value.weights)
    return rng.choice(np.asarray(value.values, dtype=float), size=size, p=p)


def quantile(value, u: np.ndarray) -> np.ndarray:
    """The inverse CDF of a distribution at probabilities `u` in (0, 1): maps a design on the unit hypercube onto
    the input distributions (simcore.sensitivity), so indices computed on it are those of the distributions."""
    u = np.asarray(u, dtype=float)
    if not is_random(value):
        return np.full(u.shape, float(value))
    if isinstance(value, Fixed):
        return np.full(u.shape, value.value)
    if isinstance(value, Exponential):
        return -value.mean * np.log1p(-u)
    if isinstance(value, LogNormal):
        from scipy.special import ndtri

        return value.median * np.exp(value.sigma * ndtri(u))
    if isinstance(value, Uniform):
        return value.low + u * (value.high - value.low)
    order = np.argsort(value.values, kind="stable")
    values = np.asarray(value.values, dtype=float)[order]
    weights = np.ones(len(values)) if value.weights is None else np.asarray(value.weights, dtype=float)[order]
    cdf = np.cumsum(weights) / weights.sum()
    return values[np.minimum(np.searchsorted(cdf, u, side="right"), len(values) - 1)]


def support(value) -> tuple[float, float]:
    """The smallest and largest value a distribution can draw (just above 0 for exponential and lognormal)."""
    if isinstance(value, Fixed):
        return value.value, value.value
    if isinstance(value, Uniform):
        return value.low, value.high
    if isinstance(value, Empirical):
        return min(value.values), max(value.values)
    if isinstance(value, LogNormal) and value.sigma == 0:
        return value.median, value.median
    return float(np.nextafter(0.0, 1.0)), np.inf


def replication_rng(seed: int, k: int) -> np.random.Generator:
    """The generator of replication `k`: child `k` of `SeedSequence(seed)`."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(k,))))
