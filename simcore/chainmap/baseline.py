"""The steady state the shocks disturb (docs/model.md, Baseline): outputs solve `x = d + M x`."""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from simcore.errors import Problem

SHARE_TOLERANCE = 1e-6  # a customer's shares of the suppliers of one input sum to 1 within this


class NotProductive(ValueError):
    """The map cannot meet its final demand: `(I - M)` has no non-negative inverse."""


def technical_matrix(n_firms: int, supplier: np.ndarray, customer: np.ndarray, coef: np.ndarray) -> sp.csr_matrix:
    """`M[j, i] = share(j -> i) * a[product(j), product(i)]`, as a sparse matrix; `coef` holds the products."""
    return sp.csr_matrix((coef, (supplier, customer)), shape=(n_firms, n_firms))


def solve_outputs(M: sp.csr_matrix, d: np.ndarray) -> np.ndarray:
    """Baseline daily outputs; raises NotProductive when the spectral radius of `M` is at least 1.

    For a non-negative `M`, a finite solution that is strictly positive for every
    firm exists only if the spectral radius is below 1 (Perron-Frobenius), so the
    solve itself is the check; firms whose output would be zero are the caller's
    concern (they have no path to final demand).
    """
    n = M.shape[0]
    x = _fixed_point(M, d)
    if x is not None:
        if n <= 400 and spectral_radius(M) >= 1.0:
            raise NotProductive(f"spectral radius of M is {spectral_radius(M):.4g} (must be below 1)")
        return x
    A = (sp.identity(n, format="csc") - M.tocsc()).tocsc()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            x = np.atleast_1d(spsolve(A, d))
        except (MatrixRankWarning, RuntimeError) as exc:
            raise NotProductive(f"(I - M) is singular: {exc}") from None
    scale = max(float(np.max(np.abs(x))) if x.size else 0.0, 1.0)
    if not np.all(np.isfinite(x)) or np.min(x, initial=0.0) < -1e-9 * scale:
        rho = spectral_radius(M)
        raise NotProductive(f"spectral radius of M is {rho:.4g} (must be below 1)")
    if n <= 400:
        rho = spectral_radius(M)
        if rho >= 1.0:
            raise NotProductive(f"spectral radius of M is {rho:.4g} (must be below 1)")
    return np.maximum(x, 0.0)


def _fixed_point(M: sp.csr_matrix, d: np.ndarray, max_iter: int = 200) -> np.ndarray | None:
    """`x = d + M x` by iteration, or None if it does not settle quickly.

    Chain maps are mostly tiered, so `M` is nearly nilpotent and the iteration
    is exact after as many steps as the chain has tiers, plus a few for cycles
    with small coefficients; this is far cheaper than a sparse LU on large maps.
    Anything slower (a spectral radius near 1) goes to the direct solve.
    """
    x = d.astype(float)
    for _ in range(max_iter):
        nxt = d + M @ x
        if np.max(np.abs(nxt - x), initial=0.0) <= 1e-15 * max(1.0, float(np.max(np.abs(nxt), initial=0.0))):
            return nxt
        if not np.all(np.isfinite(nxt)):
            return None
        x = nxt
    return None


def spectral_radius(M: sp.csr_matrix) -> float:
    n = M.shape[0]
    if n <= 2000:
        return float(np.max(np.abs(np.linalg.eigvals(M.toarray())))) if n else 0.0
    from scipy.sparse.linalg import eigs

    try:
        return float(np.abs(eigs(M.astype(float), k=1, which="LM", return_eigenvectors=False, maxiter=5000)[0]))
    except Exception:  # eigs may fail to converge; the message then says so
        return float("nan")


def supply_loops(M: sp.csr_matrix) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each firm's strongly connected group of `M` (a label), and the members of each group that is a supply loop:
    more than one firm with links among them, or a firm that supplies itself."""
    from scipy.sparse.csgraph import connected_components

    n_comp, label = connected_components(M, directed=True, connection="strong")
    size = np.bincount(label, minlength=n_comp)
    rows, cols = M.nonzero()
    looped = size > 1
    looped[label[rows[rows == cols]]] = True  # a firm that supplies itself is a loop of one
    order = np.argsort(label, kind="stable")
    starts = np.concatenate([[0], np.cumsum(size)])
    return label, [order[starts[c] : starts[c + 1]] for c in np.flatnonzero(looped)]


def gain_bounds(M: sp.csr_matrix, label: np.ndarray, loops: list[np.ndarray], steps: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of each loop's gain, all loops at once in a few sparse products (the exact gains take
    a dense eigenvalue problem per loop, seconds on a million-firm map). For a non-negative irreducible block B and
    any positive v, min_i (Bv)_i / v_i <= rho(B) <= max_i (Bv)_i / v_i (Collatz-Wielandt); v = (B + I)^k 1 tightens
    them, B + I because a cycle's own powers never settle. M[j, i] is j's units in i's: either way round, the same
    gain."""
    if not loops:
        return np.zeros(0), np.zeros(0)
    C = M.tocoo()
    inside = label[C.row] == label[C.col]
    B = sp.csr_matrix((C.data[inside], (C.row[inside], C.col[inside])), shape=M.shape)  # the loops' blocks only
    members = np.concatenate(loops)
    loop_of = np.repeat(np.arange(len(loops)), [len(m) for m in loops])
    v = np.zeros(M.shape[0])
    v[members] = 1.0
    lower, upper = np.zeros(len(loops)), np.full(len(loops), np.inf)
    for _ in range(steps):
        w = (B @ v)[members] + v[members]  # B + I: the same Perron vector, and no loop is periodic (a cycle is)
        ratio = w / v[members] - 1.0
        low, high = np.full(len(loops), np.inf), np.zeros(len(loops))
        np.minimum.at(low, loop_of, ratio)
        np.maximum.at(high, loop_of, ratio)
        lower, upper = np.maximum(lower, low), np.minimum(upper, high)
        top = np.zeros(len(loops))  # w >= v > 0: every step keeps the vector positive
        np.maximum.at(top, loop_of, w)
        v[members] = w / top[loop_of]  # each loop's vector scaled to max 1: no underflow
    return lower, upper


class LoopBounds(NamedTuple):
    """A map's supply loops and the bounds of their gains (`gain_bounds`), worked out once for every question."""

    loops: list[np.ndarray]
    lower: np.ndarray
    upper: np.ndarray


def loop_bounds(M: sp.csr_matrix) -> LoopBounds:
    label, loops = supply_loops(M)
    return LoopBounds(loops, *gain_bounds(M, label, loops))


def loop_radii(M: sp.csr_matrix, at_least: float = -np.inf) -> list[tuple[np.ndarray, float]]:
    """Each supply loop (a strongly connected group of firms with links among them) and the spectral radius of its
    block of `M`, its gain: what a unit of extra demand comes back as, per turn of the loop. With `at_least`, only
    the loops whose gain may reach it (by `gain_bounds`); the others are left out without an eigenvalue problem."""
    if at_least == -np.inf:
        loops = supply_loops(M)[1]
    else:
        found = loop_bounds(M)
        loops = [m for m, u in zip(found.loops, found.upper) if not u < at_least]
    return [(members, spectral_radius(M[members][:, members])) for members in loops]


def strongest_loop(M: sp.csr_matrix, bounds: LoopBounds | None = None) -> float:
    """The largest loop gain of `M` (0 without loops), solving exactly only the loops whose upper bound reaches the
    largest lower bound: the others cannot be the strongest. `bounds`: `loop_bounds(M)`, if already known."""
    loops, lower, upper = loop_bounds(M) if bounds is None else bounds
    if not loops:
        return 0.0
    floor = lower.max()
    return max(spectral_radius(M[m][:, m]) for m, u in zip(loops, upper) if not u < floor * (1.0 - 1e-9))  # margin: rounding of the bounds


def gain_upper_bound(M: sp.csr_matrix, bounds: LoopBounds | None = None) -> float:
    """An upper bound of `strongest_loop(M)` from `gain_bounds` alone; 0 without loops."""
    upper = (loop_bounds(M) if bounds is None else bounds).upper
    return float(upper.max()) if len(upper) else 0.0


def min_tau(loop_gain: float) -> float:
    """The shortest inventory adjustment time for which the steady state is stable on a map whose strongest loop
    has gain `loop_gain` (docs/model.md, A stable steady state): 1 / (1 - gain); 1 day on a map without loops."""
    return 1.0 / (1.0 - loop_gain)


def reaches(targets: np.ndarray, supplier: np.ndarray, customer: np.ndarray, n: int) -> np.ndarray:
    """Firms with a supply path to one of the `targets` (a mask): a search from the targets up the supply links."""
    from scipy.sparse.csgraph import breadth_first_order

    root = n  # one extra node linked to every target
    rows = np.concatenate([customer, np.full(int(targets.sum()), root)])
    cols = np.concatenate([supplier, np.flatnonzero(targets)])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    reached = np.zeros(n + 1, dtype=bool)
    reached[breadth_first_order(graph, root, directed=True, return_predecessors=False)] = True
    return reached[:n]


def link_coefficients(recipes: list[dict[str, float]], products, f_prod: np.ndarray, l_sup: np.ndarray, l_cus: np.ndarray) -> np.ndarray:
    """Per link, the units of the supplier's product in a unit of the customer's: `a[product(j), product(i)]`."""
    P = len(products)
    index = {p.id: k for k, p in enumerate(products)}
    pairs = sorted((c * P + index[q], units) for c, recipe in enumerate(recipes) for q, units in recipe.items())
    keys = np.array([k for k, _ in pairs], dtype=np.int64)
    values = np.array([u for _, u in pairs], dtype=float)
    return values[np.searchsorted(keys, f_prod[l_cus] * P + f_prod[l_sup])]


def tau_problem(tau: float, cmap, file: str, field: str) -> list[Problem]:
    """`tau` below the stability limit of the map (docs/model.md, A stable steady state), as a problem. The exact
    gain of the map's strongest loop is computed only when its upper bound (`gain_upper_bound`) cannot rule a problem out."""
    bound = cmap.loop_gain_bound
    if bound < 1.0 and tau >= min_tau(bound) * (1.0 - 1e-12):  # min_tau grows with the gain, which is at most the bound
        return []
    loop_gain = cmap.loop_gain
    limit = min_tau(loop_gain)
    if tau >= limit * (1.0 - 1e-12):
        return []
    why = (f"its strongest supply loop has gain {loop_gain:.4g} (spectral radius), and below 1 / (1 - gain) days the inventory "
           "correction over-reacts around the loop and the steady state oscillates" if loop_gain > 0 else
           "below 1 day the inventory correction over-reacts and the steady state oscillates")
    days = math.ceil(limit * 1000) / 1000
    return [Problem(file, field, tau, f"at least {days:g} day{'' if days == 1 else 's'} on this map: {why} (docs/model.md, A stable steady state)")]
