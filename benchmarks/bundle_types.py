"""Flat arguments, a plain tuple or a named tuple for a Numba kernel's arrays: the machine code and the time.

    python benchmarks/bundle_types.py

One loop of the kernels' kind (a gather through an index array into an output), compiled three ways: the arrays as
flat arguments, as a plain tuple, as a named tuple (the kernels' bundles, `simcore/engines/numba/bundles.py`).
Prints whether the named tuple's machine code is the plain tuple's (symbol names aside), the instruction counts,
and the time of 4,000 calls on 5,000 elements in one jitted driver, interleaved, medians of 15 repeats. Nothing is
written.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import NamedTuple

import numpy as np
from numba import njit


class Arrays(NamedTuple):
    a: np.ndarray
    b: np.ndarray
    idx: np.ndarray
    out: np.ndarray


@njit
def flat(a, b, idx, out):
    for i in range(len(a)):
        out[i] = a[i] * b[idx[i]] + out[i] * 0.5


@njit
def plain(arrays):
    a, b, idx, out = arrays
    for i in range(len(a)):
        out[i] = a[i] * b[idx[i]] + out[i] * 0.5


@njit
def named(arrays):
    a, b, idx, out = arrays.a, arrays.b, arrays.idx, arrays.out
    for i in range(len(a)):
        out[i] = a[i] * b[idx[i]] + out[i] * 0.5


@njit
def calls_flat(a, b, idx, out, k):
    for _ in range(k):
        flat(a, b, idx, out)


@njit
def calls_plain(arrays, k):
    for _ in range(k):
        plain(arrays)


@njit
def calls_named(arrays, k):
    for _ in range(k):
        named(arrays)


def instructions(f) -> list[str]:
    """`f`'s machine code, one instruction a line, without labels, directives and symbol names."""
    (asm,) = f.inspect_asm().values()
    lines = [line.strip() for line in asm.splitlines()]
    code = [line for line in lines if line and not line.startswith((".", "#")) and ":" not in line]
    return [re.sub(r"_ZN\S+|\.const\.\w+|\.?LBB\S+|\.Ltmp\S*", "SYMBOL", line) for line in code]


def main() -> None:
    rng = np.random.default_rng(1)
    n, k = 5_000, 4_000
    a, b, out, idx = rng.random(n), rng.random(n), np.zeros(n), rng.integers(0, n, n)
    cases = {
        "flat arguments": lambda: calls_flat(a, b, idx, out, k),
        "plain tuple": lambda: calls_plain((a, b, idx, out), k),
        "named tuple": lambda: calls_named(Arrays(a, b, idx, out), k),
    }
    for case in cases.values():
        case()  # compile
    code = {"flat arguments": instructions(flat), "plain tuple": instructions(plain), "named tuple": instructions(named)}
    print("named tuple's machine code is the plain tuple's:", code["named tuple"] == code["plain tuple"])
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(15):
        for name, case in cases.items():
            t0 = time.perf_counter()
            case()
            times[name].append(time.perf_counter() - t0)
    for name, values in times.items():
        print(f"{name:15s} {len(code[name]):4d} instructions  {1000 * statistics.median(values):7.2f} ms")


if __name__ == "__main__":
    main()
