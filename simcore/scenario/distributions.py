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


def replication_rng(seed: int, k: int) -> np.random.Generator:
    """The generator of replication `k`: child `k` of `SeedSequence(seed)`."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(k,))))
