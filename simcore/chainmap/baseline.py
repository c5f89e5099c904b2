"""The steady state the shocks disturb (docs/model.md, Baseline): outputs solve `x = d + M x`."""

from __future__ import annotations

import math
import warnings

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


def loop_radii(M: sp.csr_matrix) -> list[tuple[np.ndarray, float]]:
    """Each supply loop (a strongly connected group of firms with links among them) and the spectral radius of its
    block of `M`, its gain: what a unit of extra demand comes back as, per turn of the loop."""
    from scipy.sparse.csgraph import connected_components

    n_comp, label = connected_components(M, directed=True, connection="strong")
    size = np.bincount(label, minlength=n_comp)
    rows, cols = M.nonzero()
    looped = size > 1
    looped[label[rows[rows == cols]]] = True  # a firm that supplies itself is a loop of one
    order = np.argsort(label, kind="stable")
    starts = np.concatenate([[0], np.cumsum(size)])
    out = []
    for c in np.flatnonzero(looped):
        members = order[starts[c] : starts[c + 1]]
        out.append((members, spectral_radius(M[members][:, members])))
    return out


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


def loop_bound(M: sp.csr_matrix) -> float:
    """An upper bound of the strongest supply loop's gain, cheap on any map (the gains themselves take dense
    eigenvalues of every loop, 5 s on a million-firm map): per loop, the smaller of its block's largest row sum and
    largest column sum, which bound a non-negative matrix's spectral radius; 0 on a map without loops."""
    from scipy.sparse.csgraph import connected_components

    n_comp, label = connected_components(M, directed=True, connection="strong")
    C = M.tocoo()
    inside = label[C.row] == label[C.col]  # entries within a loop (a self-supplying firm is a loop of one)
    if not inside.any():
        return 0.0
    row, col, value = C.row[inside], C.col[inside], C.data[inside]
    best_row, best_col = np.zeros(n_comp), np.zeros(n_comp)
    np.maximum.at(best_row, label, np.bincount(row, weights=value, minlength=M.shape[0]))
    np.maximum.at(best_col, label, np.bincount(col, weights=value, minlength=M.shape[0]))
    return float(np.minimum(best_row, best_col).max())


def tau_problem(tau: float, cmap, file: str, field: str) -> list[Problem]:
    """`tau` below the stability limit of the map (docs/model.md, A stable steady state), as a problem. The exact
    gain of the map's strongest loop is computed only when the cheap bound (`loop_bound`) cannot rule a problem out."""
    bound = cmap.loop_bound
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
