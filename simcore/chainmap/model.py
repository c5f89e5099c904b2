"""The validated chain map: records plus the index arrays and baseline everything downstream reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from simcore.chainmap.schema import Defaults, Firm, Link, ModelInfo, Necessity, Parameters, Product


@dataclass(frozen=True, eq=False)
class ChainMap:
    """A chain map that passed validation, with its baseline outputs solved."""

    file: Path
    info: ModelInfo
    defaults: Defaults
    parameters: Parameters
    products: tuple[Product, ...]
    firms: tuple[Firm, ...]
    links: tuple[Link, ...]
    final_demand: np.ndarray  # units/day per firm
    outputs: np.ndarray  # baseline x per firm
    firm_product: np.ndarray  # product index per firm
    link_supplier: np.ndarray  # firm index per link
    link_customer: np.ndarray
    link_coef: np.ndarray  # a[product(supplier), product(customer)] per link
    loop_gain: float = 0.0  # spectral radius of the strongest supply loop (docs/model.md, A stable steady state)
    # set only by policies that edit the map (simcore.scenario.policies):
    open_inputs: frozenset[int] = frozenset()  # firms whose inputs come from outside the map (no input slots)
    scheduled: tuple[tuple, ...] = ()  # timed changes, primitive rows (kind, target, value, start, duration, profile, param)

    @property
    def name(self) -> str:
        return self.info.name

    @cached_property
    def product_index(self) -> dict[str, int]:
        return {p.id: k for k, p in enumerate(self.products)}

    @cached_property
    def firm_index(self) -> dict[str, int]:
        return {f.id: k for k, f in enumerate(self.firms)}

    @cached_property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({f.region for f in self.firms}))

    @cached_property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({t for f in self.firms for t in f.tags}))

    @cached_property
    def chains(self) -> tuple[str, ...]:
        """Named key chains of the map; `()` when the map is one unnamed chain."""
        declared = list(self.info.chains)
        used = {c for rec in (*self.products, *self.firms) for c in rec.chains}
        return tuple(declared + sorted(used - set(declared)))

    def firm_chains(self, k: int) -> set[str]:
        """Chains firm `k` belongs to: its own and its product's."""
        f = self.firms[k]
        return set(f.chains) | set(self.products[self.firm_product[k]].chains)

    @cached_property
    def chain_members(self) -> dict[str, np.ndarray]:
        """Firm indices per chain, with `"total"` for the whole map."""
        members = {"total": np.arange(len(self.firms))}
        for c in self.chains:
            members[c] = np.array([k for k in range(len(self.firms)) if c in self.firm_chains(k)], dtype=np.int64)
        return members

    def binds(self, product: Product, input_id: str) -> bool:
        """Whether `input_id` binds the production of `product`: a critical or important input, not a noncritical
        one (docs/model.md, Necessity of inputs). Short boards are counted on binding inputs only."""
        return input_id in product.recipe and product.necessity.get(input_id, Necessity.critical) != Necessity.noncritical

    @cached_property
    def binding_link(self) -> np.ndarray:
        """Per link: whether the customer's recipe binds on what the supplier makes."""
        return np.array(
            [self.binds(self.products[self.firm_product[i]], self.firms[j].product) for j, i in zip(self.link_supplier, self.link_customer)],
            dtype=bool,
        )

    @cached_property
    def prices(self) -> np.ndarray:
        """Value of one unit of each firm's output, for chain-level sums."""
        return np.array([self.products[p].price for p in self.firm_product])
