"""The validated chain map: records plus the index arrays and baseline everything downstream reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from simcore.chainmap.table import RecordTable
from simcore.chainmap.schema import Defaults, Firm, Link, ModelInfo, Necessity, Parameters, Product


@dataclass(frozen=True, eq=False)
class ChainMap:
    """A chain map that passed validation, with its baseline outputs solved."""

    file: Path
    info: ModelInfo
    defaults: Defaults
    parameters: Parameters
    products: tuple[Product, ...]
    firms: RecordTable  # of Firm records; any sequence of them is taken as one (simcore.chainmap.table)
    links: RecordTable  # of Link records
    final_demand: np.ndarray  # units/day per firm
    outputs: np.ndarray  # baseline x per firm
    firm_product: np.ndarray  # product index per firm
    link_supplier: np.ndarray  # firm index per link
    link_customer: np.ndarray
    link_coef: np.ndarray  # a[product(supplier), product(customer)] per link
    # set only by policies that edit the map (simcore.scenario.policies):
    open_inputs: frozenset[int] = frozenset()  # firms whose inputs come from outside the map (no input slots)
    scheduled: tuple[tuple, ...] = ()  # timed changes, primitive rows (kind, target, value, start, duration, profile, param)

    def __post_init__(self):
        object.__setattr__(self, "firms", RecordTable.of(Firm, self.firms))
        object.__setattr__(self, "links", RecordTable.of(Link, self.links))

    @property
    def name(self) -> str:
        return self.info.name

    @cached_property
    def technical(self):
        """`M[j, i] = share(j -> i) * a[product(j), product(i)]` (docs/model.md, Baseline), sparse."""
        from simcore.chainmap.baseline import technical_matrix

        return technical_matrix(len(self.firms), self.link_supplier, self.link_customer, self.links.numbers("share") * self.link_coef)

    @cached_property
    def _loop_bounds(self):
        """The supply loops and the bounds of their gains (simcore.chainmap.baseline.loop_bounds), for both below."""
        from simcore.chainmap.baseline import loop_bounds

        return loop_bounds(self.technical)

    @cached_property
    def loop_gain(self) -> float:
        """The spectral radius of the strongest supply loop (docs/model.md, A stable steady state); 0 without loops."""
        from simcore.chainmap.baseline import strongest_loop

        return strongest_loop(self.technical, self._loop_bounds)

    @cached_property
    def loop_gain_bound(self) -> float:
        """An upper bound of `loop_gain`, cheap on any map (simcore.chainmap.baseline.gain_bounds)."""
        from simcore.chainmap.baseline import gain_upper_bound

        return gain_upper_bound(self.technical, self._loop_bounds)

    @cached_property
    def product_index(self) -> dict[str, int]:
        return {p.id: k for k, p in enumerate(self.products)}

    @cached_property
    def firm_index(self) -> dict[str, int]:
        return {f: k for k, f in enumerate(self.firms.column("id"))}

    @cached_property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.firms.column("region"))))

    @cached_property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({t for tags in self.firms.column("tags") for t in tags}))

    def tagged(self, *tags: str) -> np.ndarray:
        """Which firms carry one of `tags` (a mask), read from the tags column: no firm record is built."""
        wanted = set(tags)
        if wanted.isdisjoint(self.tags):
            return np.zeros(len(self.firms), dtype=bool)
        return np.fromiter((not wanted.isdisjoint(t) for t in self.firms.column("tags")), dtype=bool, count=len(self.firms))

    def in_regions(self, *regions: str) -> np.ndarray:
        """Which firms are in one of `regions` (a mask), read from the region column."""
        wanted = set(regions)
        return np.fromiter((r in wanted for r in self.firms.column("region")), dtype=bool, count=len(self.firms))

    def of_origin(self, origins) -> np.ndarray:
        """Which firms are of one of the named origins (a mask): an origin is a tag of the firm or its region
        (docs/model.md, Short boards)."""
        return self.in_regions(*origins) | self.tagged(*origins)

    @cached_property
    def chains(self) -> tuple[str, ...]:
        """Named key chains of the map; `()` when the map is one unnamed chain."""
        declared = list(self.info.chains)
        used = {c for rec in self.products for c in rec.chains} | {c for chains in self.firms.column("chains") for c in chains}
        return tuple(declared + sorted(used - set(declared)))

    def listed_chains(self, k: int) -> set[str]:
        """Chains firm `k` is listed in: its own and its product's."""
        f = self.firms[k]
        return set(f.chains) | set(self.products[self.firm_product[k]].chains)

    def firm_chains(self, k: int) -> set[str]:
        """Chains firm `k` belongs to (docs/model.md, Chains): those it is listed in, and those whose final-demand
        firms it supplies, directly or through other firms."""
        return {c for c in self.chains if self.chain_member_mask[c][k]}

    @cached_property
    def _listed(self) -> dict[str, np.ndarray]:
        """Per named chain, which firms it lists (by their own `chains` or their product's): one pass over the firms."""
        listed = {c: np.zeros(len(self.firms), dtype=bool) for c in self.chains}
        if not listed:
            return listed
        by_product = [set(p.chains) for p in self.products]
        for k, (own, p) in enumerate(zip(self.firms.column("chains"), self.firm_product.tolist())):
            for c in (set(own) | by_product[p]) if own else by_product[p]:
                listed[c][k] = True
        return listed

    @cached_property
    def chain_finals(self) -> dict[str, np.ndarray]:
        """Per named chain, its final-demand firms: the firms listed in it that have final demand. Their output
        is the chain's output (docs/model.md, Metrics)."""
        return {c: np.flatnonzero(listed & (self.final_demand > 0)) for c, listed in self._listed.items()}

    @cached_property
    def chain_member_mask(self) -> dict[str, np.ndarray]:
        """Per named chain, which firms belong to it: the firms listed in it and every firm with a supply path to
        one of its final-demand firms (docs/model.md, Chains)."""
        from simcore.chainmap.baseline import reaches

        n = len(self.firms)
        masks = {}
        for c, finals in self.chain_finals.items():
            targets = np.zeros(n, dtype=bool)
            targets[finals] = True
            masks[c] = self._listed[c] | (reaches(targets, self.link_supplier, self.link_customer, n) if finals.size else targets)
        return masks

    @cached_property
    def chain_members(self) -> dict[str, np.ndarray]:
        """Firm indices per chain, with `"total"` for the whole map."""
        return {"total": np.arange(len(self.firms)), **{c: np.flatnonzero(m) for c, m in self.chain_member_mask.items()}}

    @cached_property
    def chain_shares(self) -> dict[str, np.ndarray]:
        """Per named chain, the share of each firm's baseline output that the chain's final demand calls for,
        `x_c / x` with `x_c = (I - M)^-1 d_c` (docs/model.md, Chains); the final demand of a firm listed in several
        chains is split evenly among them. Costs are attributed to chains by these shares."""
        from simcore.chainmap.baseline import solve_outputs

        n = len(self.firms)
        count = np.zeros(n)
        for finals in self.chain_finals.values():
            count[finals] += 1
        M = self.technical
        x = np.asarray(self.outputs, dtype=float)
        shares = {}
        for c, finals in self.chain_finals.items():
            d = np.zeros(n)
            d[finals] = self.final_demand[finals] / count[finals]
            xc = solve_outputs(M, d)
            shares[c] = np.divide(xc, x, out=np.zeros_like(x), where=x > 0) * self.chain_member_mask[c]
        return shares

    def binds(self, product: Product, input_id: str) -> bool:
        """Whether `input_id` binds the production of `product`: a critical or important input, not a noncritical
        one (docs/model.md, Necessity of inputs). Short boards are counted on binding inputs only."""
        return input_id in product.recipe and product.necessity.get(input_id, Necessity.critical) != Necessity.noncritical

    @cached_property
    def binding_link(self) -> np.ndarray:
        """Per link: whether the customer's recipe binds on what the supplier makes."""
        P = len(self.products)
        binding = [c * P + self.product_index[q] for c, p in enumerate(self.products) for q in p.recipe if self.binds(p, q)]
        keys = self.firm_product[self.link_customer] * P + self.firm_product[self.link_supplier]
        return np.isin(keys, np.array(binding, dtype=np.int64))

    @cached_property
    def prices(self) -> np.ndarray:
        """Value of one unit of each firm's output, for chain-level sums."""
        return np.array([p.price for p in self.products], dtype=float)[self.firm_product]
