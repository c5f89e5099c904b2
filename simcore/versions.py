"""Versions of simcore and the libraries whose behaviour its numbers depend on."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("simcore", "numpy", "scipy", "simpy", "numba", "pandas", "pydantic"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
