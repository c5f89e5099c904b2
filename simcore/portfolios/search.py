"""Which portfolios of candidates to simulate, and which is best under a budget (docs/optimize.md, Search).

A portfolio is a frozenset of candidate positions. The search sees only three functions: `fits(p)` (is `p`
within every budget), `cost(p)` (its money) and `score(ps)` (simulates the new portfolios of `ps` in one round,
jointly, and returns each one's objective: lower is better). Everything is deterministic: candidates in their
order break ties, so a search replays the same rounds (which is how a run resumes).

- **exhaustive**: every subset that fits, in one round; exact.
- **greedy with swaps**: forward selection from the empty portfolio, each step adding the candidate with the best
  objective gained per money added (the cost-benefit path, which also traces the frontier); then, from the best
  portfolio seen, local search by adding one candidate, dropping one, or swapping one in for one out, until no
  move improves. Checked against exhaustive on small cases (tests/optimize).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Callable, Iterable

Portfolio = frozenset

EMPTY: Portfolio = frozenset()
MAX_SWAP_ROUNDS = 20  # local-search rounds after the greedy path (each improves strictly, so this is a safeguard)


def order(p: Portfolio) -> tuple[int, ...]:
    """A portfolio's candidates in candidate order (its tie-break key and how it is printed)."""
    return tuple(sorted(p))


@dataclass
class Search:
    """One search's bookkeeping: the objective of every portfolio scored, in the order they were scored."""

    n: int
    fits: Callable[[Portfolio], bool]
    cost: Callable[[Portfolio], float]
    score: Callable[[list[Portfolio]], list[float]]
    seen: dict[Portfolio, float] = field(default_factory=dict)
    rounds: int = 0

    def scored(self, portfolios: Iterable[Portfolio]) -> list[float]:
        """The objective of each of `portfolios`, simulating (in one round) those not scored before."""
        portfolios = list(portfolios)
        new = list(dict.fromkeys(p for p in portfolios if p not in self.seen))
        if new:
            self.rounds += 1
            for p, value in zip(new, self.score(new)):
                self.seen[p] = float(value)
        return [self.seen[p] for p in portfolios]

    def key(self, p: Portfolio) -> tuple:
        """Best first: lower objective, then lower cost, then fewer and earlier candidates."""
        return (self.seen[p], self.cost(p), len(p), order(p))

    def best(self) -> Portfolio:
        """The best portfolio scored that fits the budget."""
        return min((p for p in self.seen if self.fits(p)), key=self.key)


def exhaustive(search: Search) -> Portfolio:
    """Every subset of the candidates that fits, scored in one round: the exact optimum."""
    every = [Portfolio(c) for k in range(search.n + 1) for c in combinations(range(search.n), k)]
    search.scored([p for p in every if search.fits(p)])
    return search.best()


def greedy_with_swaps(search: Search) -> Portfolio:
    """Forward selection by objective gained per money added, then local search from the best portfolio seen."""
    current = EMPTY
    search.scored([current])
    while True:
        moves = [current | {c} for c in range(search.n) if c not in current and search.fits(current | {c})]
        if not moves:
            break
        values = search.scored(moves)
        here, spent = search.seen[current], search.cost(current)
        gains = [(here - v, search.cost(m) - spent, m) for v, m in zip(values, moves) if v < here]
        if not gains:
            break
        current = max(gains, key=lambda g: (_per_money(g[0], g[1]), g[0], [-c for c in order(g[2])]))[2]
    best = search.best()
    for _ in range(MAX_SWAP_ROUNDS):
        moves = neighbours(best, search.n)
        moves = [m for m in moves if search.fits(m)]
        search.scored(moves)
        better = min([best, *moves], key=search.key)
        if better == best:
            break
        best = better
    return search.best()


def neighbours(p: Portfolio, n: int) -> list[Portfolio]:
    """Every portfolio one candidate away from `p`: one added, one dropped, or one swapped for another."""
    out = [p | {c} for c in range(n) if c not in p]
    out += [p - {c} for c in order(p)]
    out += [(p - {a}) | {b} for a in order(p) for b in range(n) if b not in p]
    return out


def _per_money(gain: float, money: float) -> float:
    """Objective gained per money added; a free gain ranks above any paid one."""
    return gain / money if money > 0 else float("inf")


def frontier(seen: dict[Portfolio, float], cost: Callable[[Portfolio], float]) -> list[Portfolio]:
    """The Pareto-efficient portfolios among those scored: by cost ascending, each with a lower objective than every
    cheaper one (so more budget never gives a higher loss); the empty portfolio first when it was scored."""
    out, lowest = [], float("inf")
    for p in sorted(seen, key=lambda p: (cost(p), seen[p], len(p), order(p))):
        if seen[p] < lowest:
            out.append(p)
            lowest = seen[p]
    return out


def best_within(front: list[Portfolio], cost: Callable[[Portfolio], float], budget: float) -> Portfolio | None:
    """The frontier's best portfolio that costs at most `budget` (None if even the cheapest costs more)."""
    within = [p for p in front if cost(p) <= budget]
    return within[-1] if within else None
