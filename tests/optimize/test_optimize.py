"""`simcore optimize` (docs/optimize.md): costs of portfolios, joint simulation on common random numbers, the search
against exhaustive search, the frontier, resume, and interventions that are substitutes or complements."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from naive import build_scenario
from simcore.portfolios import optimize
from simcore.portfolios.search import EMPTY, Search, best_within, exhaustive, frontier, greedy_with_swaps

PA = {"id": "pa", "category": "basic_component", "price": 1.0}
PB = {"id": "pb", "category": "basic_component", "price": 1.0}
GOOD = {"id": "good", "category": "final_product", "recipe": {"pa": 1.0, "pb": 1.0}, "price": 10.0}
TWO_INPUTS = {
    "products": [PA, PB, GOOD],
    "firms": [
        {"id": "A", "product": "pa", "region": "r"},
        {"id": "A2", "product": "pa", "region": "r2"},
        {"id": "B", "product": "pb", "region": "r"},
        {"id": "C", "product": "good", "region": "r", "cover": 2.0},
    ],
    "links": [{"supplier": "A", "customer": "C"}, {"supplier": "B", "customer": "C"}],
    "demand": [{"firm": "C", "units": 10.0}, {"firm": "A2", "units": 5.0}],
    "defaults": {"headroom": 0.1},
}
DAYS = 73  # a fifth of a year
MONEY = '[costs]\ncurrency = "CNY"\nunit = 1000\n'


def candidate(name: str, policy: str) -> str:
    return f'\n[[optimize.candidates]]\nname = "{name}"\n[[optimize.candidates.policies]]\n{policy}\n'


STOCK_A = candidate("stock a", 'kind = "safety_stock"\nselect = { ids = ["C"] }\ninputs = ["pa"]\nextra_cover = 20')
STOCK_B = candidate("stock b", 'kind = "safety_stock"\nselect = { ids = ["C"] }\ninputs = ["pb"]\nextra_cover = 20')
SECOND_A = candidate("second source a", 'kind = "dual_sourcing"\nselect = { ids = ["C"] }\nproducts = ["pa"]\nshare = 0.5')
SPARE_A = candidate("capacity a", 'kind = "spare_capacity"\nselect = { ids = ["A", "A2"] }\nextra_headroom = 0.5')
SPARE_B = candidate("capacity b", 'kind = "spare_capacity"\nselect = { ids = ["B"] }\nextra_headroom = 0.5')
STOCK_AB = candidate("stock a and b", 'kind = "safety_stock"\nselect = { ids = ["C"] }\nextra_cover = 10')
OUTAGE = 'kind = "firm_outage"\nstart = 5\nduration = 10\n'


def scenario(tmp_path, shocks: str, candidates: str, extra: str = ""):
    body = f"{MONEY}\n{shocks}\n[optimize]\ndefaults = false\n{extra}\n{candidates}"
    return build_scenario(tmp_path, TWO_INPUTS, body, DAYS)


def saved(result, names: list[str]) -> float:
    """The value saved by the portfolio of the named candidates (it must have been simulated)."""
    index = {c.name: k for k, c in enumerate(result.evaluation.candidates)}
    return result.row(frozenset(index[n] for n in names))["value_saved"]


def test_a_stock_candidate_costs_its_holding_in_money(tmp_path):
    """20 more days of pa at C: 200 units of 1,000 CNY held at 25% a year for a fifth of a year = 10,000 CNY."""
    sc = scenario(tmp_path, f"[[shocks]]\nselect = {{ ids = ['A'] }}\n{OUTAGE}", STOCK_A)
    result = optimize(sc, budget=1e6, progress=False)
    assert result.cost(frozenset([0])) == pytest.approx(200 * 1000 * 0.25 * 0.2)
    assert result.evaluation.chain_cost(frozenset([0]))["total"] == result.cost(frozenset([0]))


def test_complements_need_joint_evaluation(tmp_path):
    """A and B both out for 10 days: stock of pa alone or of pb alone saves little (the other input still stops C;
    what it saves is the supplier's own output), both together save most of the loss: many times the sum of the two
    alone, which is what judging them one by one would have added up."""
    shocks = f"[[shocks]]\nselect = {{ ids = ['A', 'B'] }}\n{OUTAGE}"
    sc = scenario(tmp_path, shocks, STOCK_A + STOCK_B)
    both = optimize(sc, budget=20_000, search="exhaustive", progress=False)
    alone_a, alone_b, together = saved(both, ["stock a"]), saved(both, ["stock b"]), saved(both, ["stock a", "stock b"])
    assert alone_a > 0 and alone_b > 0 and together > 5 * (alone_a + alone_b)
    assert {both.evaluation.candidates[c].name for c in both.chosen} == {"stock a", "stock b"}
    one = optimize(sc, budget=15_000, search="exhaustive", progress=False)  # room for one: it saves little
    assert len(one.chosen) == 1 and one.row(one.chosen)["value_saved"] < 0.1 * together


def test_substitutes_are_not_additive(tmp_path):
    """A out for 10 days: 20 more days of pa, or a second source for half of it, each fill the same short board;
    together they save much less than the sum of what each saves, and the optimizer buys one."""
    shocks = f"[[shocks]]\nselect = {{ ids = ['A'] }}\n{OUTAGE}"
    sc = scenario(tmp_path, shocks, STOCK_A + SECOND_A)
    result = optimize(sc, budget=1e7, search="exhaustive", progress=False)
    a, b, ab = saved(result, ["stock a"]), saved(result, ["second source a"]), saved(result, ["stock a", "second source a"])
    assert a > 0 and b > 0
    assert ab < 0.8 * (a + b)
    assert len(result.chosen) == 1


RANDOM = """
[[shocks]]
kind = "random_outage"
select = { ids = ["A", "B"] }
rate = 0.02
duration = { dist = "exponential", mean = 8 }
magnitude = { dist = "uniform", low = 0.5, high = 1.0 }
"""
SIX = STOCK_A + STOCK_B + SECOND_A + SPARE_A + SPARE_B + STOCK_AB


@pytest.mark.parametrize("budget", [5_000, 12_000, 30_000, 1e6])
def test_greedy_with_swaps_finds_the_exhaustive_optimum(tmp_path, budget):
    """Six candidates under random outages of A and B, on 16 replications: the documented search chooses what
    every-subset search chooses (gap 0), and every portfolio it simulated has the same losses there (CRN)."""
    sc = scenario(tmp_path, RANDOM, SIX, "replications = 16")
    exact = optimize(sc, budget=budget, search="exhaustive", progress=False)
    greedy = optimize(sc, budget=budget, search="greedy", progress=False)
    gap = greedy.scores[greedy.chosen] - exact.scores[exact.chosen]
    assert gap == 0, f"greedy {greedy.evaluation.name(greedy.chosen)} vs exhaustive {exact.evaluation.name(exact.chosen)}"
    assert greedy.chosen == exact.chosen
    assert len(greedy.scores) <= len(exact.scores)
    for p in greedy.scores:
        np.testing.assert_array_equal(greedy.evaluation.losses[p], exact.evaluation.losses[p])


def test_the_frontier_is_monotone_and_more_budget_never_loses_more(tmp_path):
    sc = scenario(tmp_path, RANDOM, SIX, "replications = 16")
    result = optimize(sc, budget=1e6, search="exhaustive", progress=False)
    front = result.frontier_table()
    assert front.cost.is_monotonic_increasing and front.objective.is_monotonic_decreasing
    assert front.iloc[0].portfolio == "nothing"
    budgets = np.linspace(0, 60_000, 25)
    best = [result.scores[result.best_at(b)] for b in budgets]
    assert all(x >= y for x, y in zip(best, best[1:]))
    for b in budgets:  # the frontier's best at each budget is the optimum of every subset within it
        within = [p for p in result.scores if result.cost(p) <= b]
        assert result.scores[result.best_at(b)] == min(result.scores[p] for p in within)


def test_identical_portfolios_have_a_paired_difference_of_exactly_zero(tmp_path):
    """Two candidates with the same policy, simulated in the same and in different rounds and chunk sizes: the same
    losses bit for bit, replication by replication (common random numbers)."""
    twin = STOCK_A.replace('name = "stock a"', 'name = "stock a, again"')
    sc = scenario(tmp_path, RANDOM, STOCK_A + twin, "replications = 12")
    one = optimize(sc, budget=1e6, search="exhaustive", progress=False)
    other = optimize(sc, budget=1e6, search="greedy", chunk_size=5, progress=False)
    a, b = one.evaluation.losses[frozenset([0])], one.evaluation.losses[frozenset([1])]
    assert np.all(a - b == 0) and a[:, 0].std() > 0
    np.testing.assert_array_equal(other.evaluation.losses[frozenset([0])], a)
    sure = one.confidence()
    assert sure["tie_share"] == 1.0 or sure["runner_up"] != "stock a, again"


def test_how_sure_counts_replications(tmp_path):
    sc = scenario(tmp_path, RANDOM, SIX, "replications = 16")
    result = optimize(sc, budget=30_000, progress=False)
    sure = result.confidence()
    runner = next(p for p in result.scores if result.evaluation.name(p) == sure["runner_up"])
    a, b = result.evaluation.losses[result.chosen][:, 0], result.evaluation.losses[runner][:, 0]
    q = result.evaluation.resolution
    assert sure["beats_share"] == np.mean(a < b - q) and sure["beats_share"] + sure["tie_share"] + sure["loses_share"] == pytest.approx(1)
    assert sure["advantage"] == pytest.approx(np.mean(b - a))


def test_an_interrupted_optimization_resumes_to_the_same_result(tmp_path):
    sc = scenario(tmp_path, RANDOM, SIX, "replications = 16")
    out = tmp_path / "out"
    whole = optimize(sc, budget=30_000, search="greedy", out=out, chunk_size=5, progress=False)
    rounds = sorted((out / "rounds").iterdir())
    assert len(rounds) == whole.evaluation.rounds >= 2
    import shutil

    shutil.rmtree(rounds[-1])  # the last round never finished
    next(rounds[-2].glob("chunks/*.npz")).unlink()  # and one chunk of the one before is lost
    notes = []
    again = optimize(sc, budget=30_000, search="greedy", out=out, chunk_size=5, resume=True, progress=False, notes=notes.append)
    assert again.chosen == whole.chosen and again.scores == whole.scores
    with pytest.raises(Exception, match="budget 30000 there, 40000 now"):
        optimize(sc, budget=40_000, search="greedy", out=out, chunk_size=5, resume=True, progress=False)


def test_per_chain_budgets_bound_the_costs_attributed_to_each_chain(tmp_path):
    model = {**TWO_INPUTS, "firms": [{**f, "chains": ["goods"]} if f["id"] == "C" else f for f in TWO_INPUTS["firms"]]}
    body = f"{MONEY}\n{RANDOM}\n[optimize]\ndefaults = false\nreplications = 8\nchain_budgets = {{ goods = 6000 }}\n{SIX}"
    sc = build_scenario(tmp_path, model, body, DAYS)
    result = optimize(sc, budget=1e6, search="exhaustive", progress=False)
    assert all(result.evaluation.chain_cost(p)["goods"] <= 6000 for p in result.scores)
    per = result.per_chain()
    assert per[per.chain != "total"].cost.sum() == pytest.approx(per[per.chain == "total"].cost.iloc[0])


# --- the search alone, on objectives given as functions ------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(0, 2**31 - 1), st.floats(0, 10))
def test_exhaustive_finds_the_minimum_and_the_frontier_is_pareto(n, seed, budget):
    rng = np.random.default_rng(seed)
    price, value, pair = rng.uniform(0.1, 3, n), rng.uniform(0, 5, n), rng.normal(0, 1, (n, n))

    def cost(p):
        return float(sum(price[c] for c in p))

    def objective(p):
        return 100.0 - sum(value[c] for c in p) - sum(pair[a, b] for a in p for b in p if a < b)

    state = Search(n, lambda p: cost(p) <= budget, cost, lambda ps: [objective(p) for p in ps])
    chosen = exhaustive(state)
    from itertools import combinations

    subsets = [frozenset(c) for k in range(n + 1) for c in combinations(range(n), k) if cost(frozenset(c)) <= budget]
    assert objective(chosen) == min(objective(p) for p in subsets)
    front = frontier(state.seen, cost)
    assert front[0] == EMPTY
    assert all(cost(a) <= cost(b) and state.seen[a] > state.seen[b] for a, b in zip(front, front[1:]))
    assert best_within(front, cost, budget) is not None and state.seen[best_within(front, cost, budget)] == state.seen[chosen]
    greedy = Search(n, lambda p: cost(p) <= budget, cost, lambda ps: [objective(p) for p in ps])
    found = greedy_with_swaps(greedy)
    assert cost(found) <= budget and objective(found) <= objective(EMPTY)
    assert all(objective(found) <= objective(m) for m in greedy.seen)  # a local optimum of every portfolio it saw


def test_a_candidate_may_rank_its_short_boards_under_the_scenario(tmp_path):
    """`fill_short_board` with `top` and rank = "scenario" in a candidate is ranked under the shocks as in a variant:
    A is out, so pa (single-sourced at C, the loss goes through it) is the top short board, not pb."""
    top = candidate("fill the top board", 'kind = "fill_short_board"\ntop = 1\nrank = "scenario"\nmode = "safety_stock"\nextra_cover = 20')
    sc = scenario(tmp_path, f"[[shocks]]\nselect = {{ ids = ['A'] }}\n{OUTAGE}", top)
    (policy,) = sc.optimize.candidates[0].policies
    assert policy.chosen_products == ["pa"]
    result = optimize(sc, budget=1e6, progress=False)
    assert result.cost(frozenset([0])) == pytest.approx(200 * 1000 * 0.25 * 0.2)


def test_the_cvar95_objective_is_the_mean_of_the_worst_replications(tmp_path):
    """With objective cvar95 the search minimises the mean loss of the replications at or above the 95% quantile
    (docs/model.md, Metrics), computed here by hand for every portfolio of every subset."""
    sc = scenario(tmp_path, RANDOM, SIX, "replications = 40")
    result = optimize(sc, budget=30_000, objective="cvar95", search="exhaustive", progress=False)
    q = result.evaluation.resolution
    for p, value in result.scores.items():
        x = result.evaluation.losses[p][:, 0]
        assert value == pytest.approx(x[x >= np.quantile(x, 0.95)].mean(), abs=q)
    assert result.scores[result.chosen] == min(result.scores.values())
    assert result.row(result.chosen)["cvar95_loss"] == pytest.approx(result.scores[result.chosen], abs=q)
