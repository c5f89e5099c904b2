"""The steady state (docs/model.md, Baseline): x = d + M x with M[j, i] = share(j -> i) * a[product(j), product(i)],
from which compile.py derives capacity, target inventories and pipelines (tested in tests/compile/)."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from naive import write_file
from simcore.chainmap import load_model
from simcore.chainmap.baseline import NotProductive, gain_bounds, gain_upper_bound, loop_radii, solve_outputs, spectral_radius, strongest_loop, supply_loops, technical_matrix

DATA = Path(__file__).parents[1] / "data"


def exact_solve(M: list[list[F]], d: list[F]) -> list[F]:
    """(I - M)^-1 d by Gauss-Jordan elimination over fractions."""
    n = len(d)
    A = [[(F(1) if i == j else F(0)) - F(M[i][j]) for j in range(n)] + [F(d[i])] for i in range(n)]
    for c in range(n):
        r = next(r for r in range(c, n) if A[r][c] != 0)
        A[c], A[r] = A[r], A[c]
        A[c] = [v / A[c][c] for v in A[c]]
        for r in range(n):
            if r != c and A[r][c] != 0:
                A[r] = [a - A[r][c] * b for a, b in zip(A[r], A[c])]
    return [A[i][n] for i in range(n)]


# x = d + M x is row j: x_j = d_j + sum_i M[j, i] x_i (what j makes for each customer i)
LEONTIEF = """
[model]
name = "textbook 2-sector"

[[products]]
id = "a"
category = "basic_material"
recipe = { a = 0.2, b = 0.4 }

[[products]]
id = "b"
category = "basic_material"
recipe = { a = 0.3, b = 0.1 }

[[firms]]
id = "A"
product = "a"
region = "r"

[[firms]]
id = "B"
product = "b"
region = "r"

[[links]]
supplier = "A"
customer = "A"

[[links]]
supplier = "A"
customer = "B"

[[links]]
supplier = "B"
customer = "A"

[[links]]
supplier = "B"
customer = "B"

[[demand]]
firm = "A"
units = 100

[[demand]]
firm = "B"
units = 50
"""


def test_textbook_two_sector_leontief(tmp_path):
    """M = [[0.2, 0.3], [0.4, 0.1]], d = [100, 50]: det(I - M) = 0.6, x = [175, 400/3]."""
    cmap = load_model(write_file(tmp_path, "model.toml", LEONTIEF))
    M = [[F("0.2"), F("0.3")], [F("0.4"), F("0.1")]]
    exact = exact_solve(M, [F(100), F(50)])
    assert exact == [F(175), F(400, 3)]
    np.testing.assert_allclose(cmap.outputs, [float(v) for v in exact], rtol=1e-12)
    np.testing.assert_array_equal(cmap.final_demand, [100.0, 50.0])
    # the matrix the loader builds is the textbook one
    dense = technical_matrix(2, cmap.link_supplier, cmap.link_customer, cmap.link_coef).toarray()
    np.testing.assert_allclose(dense, [[0.2, 0.3], [0.4, 0.1]], rtol=0, atol=0)


def test_solve_outputs_directly():
    M = technical_matrix(2, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([0.2, 0.3, 0.4, 0.1]))
    np.testing.assert_allclose(solve_outputs(M, np.array([100.0, 50.0])), [175.0, 400 / 3], rtol=1e-12)
    assert spectral_radius(M) == pytest.approx(0.5)  # eigenvalues of [[.2,.3],[.4,.1]] are 0.5 and -0.2


@pytest.mark.parametrize("coef", [1.0, 1.25])
def test_solve_outputs_rejects_spectral_radius_at_least_one(coef):
    M = technical_matrix(2, np.array([0, 1]), np.array([1, 0]), np.array([1.0, coef]))
    with pytest.raises(NotProductive, match="spectral radius|singular"):
        solve_outputs(M, np.array([1.0, 1.0]))


CYCLE = """
[model]
name = "steel and machinery"

[[products]]
id = "ore"
category = "raw_material"

[[products]]
id = "steel"
category = "basic_material"
recipe = { ore = 1, machinery = 0.1 }

[[products]]
id = "machinery"
category = "final_product"
recipe = { steel = 2 }

[[firms]]
id = "mine"
product = "ore"
region = "r"

[[firms]]
id = "mill1"
product = "steel"
region = "r"

[[firms]]
id = "mill2"
product = "steel"
region = "r"

[[firms]]
id = "works"
product = "machinery"
region = "r"

[[links]]
supplier = "mine"
customer = "mill1"

[[links]]
supplier = "mine"
customer = "mill2"

[[links]]
supplier = "works"
customer = "mill1"

[[links]]
supplier = "works"
customer = "mill2"

[[links]]
supplier = "mill1"
customer = "works"
share = 0.25
lead_time = 0

[[links]]
supplier = "mill2"
customer = "works"
share = 0.75
lead_time = 1.5

[[demand]]
product = "machinery"
units = 10

[[demand]]
product = "steel"
units = 5
"""


def test_cycle_steel_machinery_steel(tmp_path):
    """Steel needs 0.1 machinery, machinery needs 2 steel; final demand 10 machinery and 5 steel
    (product-level: the 5 steel split equally over the two mills).

    Total steel s = 5 + 2 m, machinery m = 10 + 0.1 s  ->  m = 10.5 / 0.8 = 105/8, s = 5 + 105/4 = 125/4.
    """
    cmap = load_model(write_file(tmp_path, "model.toml", CYCLE))
    m = F(105, 8)
    s = 5 + 2 * m
    assert m == 10 + F(1, 10) * s
    mill1 = F(5, 2) + F(1, 4) * 2 * m  # its own final demand plus its share of the works' steel
    mill2 = F(5, 2) + F(3, 4) * 2 * m
    assert mill1 + mill2 == s
    expected = [s * 1, mill1, mill2, m]  # the mine supplies 1 ore per unit of steel
    np.testing.assert_allclose(cmap.outputs, [float(v) for v in expected], rtol=1e-12)
    np.testing.assert_allclose(cmap.final_demand, [0.0, 2.5, 2.5, 10.0], rtol=0)


def test_serial_example_baseline():
    cmap = load_model(DATA / "serial.toml")
    np.testing.assert_allclose(cmap.outputs, [10.0, 10.0])


def test_product_level_demand_is_split_equally_over_makers(tmp_path):
    text = """
    [model]
    name = "three makers"

    [[products]]
    id = "good"
    category = "final_product"

    [[firms]]
    id = "G1"
    product = "good"
    region = "r"

    [[firms]]
    id = "G2"
    product = "good"
    region = "r"

    [[firms]]
    id = "G3"
    product = "good"
    region = "s"

    [[demand]]
    product = "good"
    units = 30

    [[demand]]
    firm = "G3"
    units = 4
    """
    cmap = load_model(write_file(tmp_path, "model.toml", text))
    np.testing.assert_array_equal(cmap.final_demand, [10.0, 10.0, 14.0])
    np.testing.assert_array_equal(cmap.outputs, [10.0, 10.0, 14.0])


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 12), st.floats(0.05, 0.9), st.data())
def test_loop_gain_bounds_bracket_every_loops_spectral_radius(n, density, data):
    """gain_bounds' Collatz-Wielandt bounds hold each loop's exact gain between them; strongest_loop, which solves
    only the loops the bounds cannot rule out, equals the largest exact gain; loop_radii(at_least) keeps every loop
    whose gain reaches at_least."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    dense = np.where(rng.random((n, n)) < density, rng.random((n, n)) * data.draw(st.floats(0.1, 1.5)), 0.0)
    M = sp.csr_matrix(dense)
    label, loops = supply_loops(M)
    lower, upper = gain_bounds(M, label, loops)
    exact = [float(np.max(np.abs(np.linalg.eigvals(dense[np.ix_(m, m)])))) for m in loops]
    for lo, hi, rho in zip(lower, upper, exact):
        assert lo <= rho * (1 + 1e-9) + 1e-12 and rho <= hi * (1 + 1e-9) + 1e-12
    assert strongest_loop(M) == pytest.approx(max(exact, default=0.0), rel=1e-9, abs=1e-12)
    assert gain_upper_bound(M) >= strongest_loop(M) * (1 - 1e-9)
    at_least = data.draw(st.floats(0.0, 2.0))
    kept = {tuple(m) for m, _ in loop_radii(M, at_least=at_least)}
    assert {tuple(m) for m, rho in zip(loops, exact) if rho >= at_least * (1 + 1e-9)} <= kept


def test_loop_gain_bounds_of_a_two_firm_cycle_close_on_its_gain():
    """A 2-cycle with coefficients 0.5 and 0.18 has gain sqrt(0.5 * 0.18) = 0.3. Its own power iterates alternate
    forever; those of B + I converge, as (0.7 / 1.3)^k, so 30 steps bring the bounds within 1e-7 of 0.3."""
    M = sp.csr_matrix(np.array([[0.0, 0.5], [0.18, 0.0]]))
    label, loops = supply_loops(M)
    lower, upper = gain_bounds(M, label, loops)
    assert len(loops) == 1 and lower[0] <= 0.3 <= upper[0] and upper[0] - lower[0] < 1e-7
    assert strongest_loop(M) == pytest.approx(0.3, rel=1e-12)
