"""The scenario schema: which model, how long, which shocks, which variants (MODEL.md §4-5)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field, model_validator

from simcore.chainmap.schema import Id, NonNeg, Positive, Rationing, Record


def _as_list(value):
    return [value] if isinstance(value, str) else value


IdList = Annotated[list[Id], BeforeValidator(_as_list)]
Fraction = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
Priority = Annotated[int, Field(ge=0, le=9)]


class Selector(Record):
    """Firms chosen by id, tag, region, product or chain; fields combine with AND, values inside one field with OR."""

    ids: IdList = []
    tags: IdList = []
    regions: IdList = []
    products: IdList = []
    chains: IdList = []


# --- recovery profiles ----------------------------------------------------------
class StepRecovery(Record):
    profile: Literal["step"] = "step"


class LinearRecovery(Record):
    profile: Literal["linear"]
    days: Positive


class ExponentialRecovery(Record):
    profile: Literal["exponential"]
    half_life: Positive


Recovery = Annotated[Union[StepRecovery, LinearRecovery, ExponentialRecovery], Field(discriminator="profile")]


# --- shock kinds ----------------------------------------------------------------
class ShockBase(Record):
    name: str = ""
    start: NonNeg
    duration: Positive


class FirmOutage(ShockBase):
    """Firms lose `magnitude` of their capacity: a plant fire, a strike, an insolvency."""

    kind: Literal["firm_outage"]
    select: Selector
    magnitude: Fraction = 1.0
    recovery: Recovery = StepRecovery()


class RegionOutage(ShockBase):
    """Every firm of the regions loses `magnitude` of capacity: a lockdown, an earthquake."""

    kind: Literal["region_outage"]
    regions: IdList = Field(min_length=1)
    magnitude: Fraction = 1.0
    recovery: Recovery = StepRecovery()


class Embargo(ShockBase):
    """Supply of `products` from the `origin` firms to the `destination` firms stops (an export control on a stuck neck).

    `destination` defaults to every firm outside the origin: an export control
    stops goods crossing the border, not trade among the origin's own firms.
    """

    kind: Literal["embargo"]
    products: IdList = Field(min_length=1)
    origin: Selector = Selector(tags=["foreign"])
    destination: Selector | None = None


class LinkRef(Record):
    supplier: Id
    customer: Id


class LinkDisruption(ShockBase):
    """Links closed, or their lead times multiplied (a port closure, a logistics jam).

    Links are listed, or chosen as every link from a `suppliers` firm to a
    `customers` firm.
    """

    kind: Literal["link_disruption"]
    links: list[LinkRef] = []
    suppliers: Selector | None = None
    customers: Selector | None = None
    lead_time_factor: Annotated[float, Field(gt=1, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _some_links(self):
        if not self.links and self.suppliers is None and self.customers is None:
            raise ValueError("a list of `links`, or a `suppliers` and/or `customers` selector")
        return self


class DemandShock(ShockBase):
    """Final demand of the selected firms scaled by `factor` (a demand collapse or rush)."""

    kind: Literal["demand_shock"]
    select: Selector
    factor: NonNeg
    recovery: Recovery = StepRecovery()


Shock = Annotated[
    Union[FirmOutage, RegionOutage, Embargo, LinkDisruption, DemandShock],
    Field(discriminator="kind"),
]


# --- variants -------------------------------------------------------------------
class ParameterOverrides(Record):
    """Any subset of the model's `[parameters]`."""

    tau: Positive | None = None
    backlog_days: Annotated[float, Field(ge=1, allow_inf_nan=False)] | None = None
    rationing: Rationing | None = None
    adaptive_sourcing: bool | None = None
    share_recovery: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    final_demand_priority: Priority | None = None


class FirmOverride(Record):
    """New settings for the selected firms: inventory cover, capacity headroom, priority tier."""

    select: Selector
    cover: NonNeg | None = None
    cover_by_input: dict[Id, NonNeg] = {}
    headroom: NonNeg | None = None
    priority: Priority | None = None


class PolicySpec(Record):
    """A named policy from the registry (`simcore.scenario.policies`) and its settings.

    Any settings are accepted here; `load_scenario` checks them against the
    policy's own settings model (a subclass of this one, `extra="forbid"`) and
    stores that validated model in the variant, so field paths of problems read
    `variants[k].policies[j].<field>`.
    """

    model_config = Record.model_config | {"extra": "allow"}
    kind: Id


class Variant(Record):
    name: Id
    description: str = ""
    parameters: ParameterOverrides = ParameterOverrides()
    firms: list[FirmOverride] = []
    policies: list[PolicySpec] = []


class Output(Record):
    firm_trajectories: bool = True
    format: Literal["csv", "parquet"] = "csv"
    plots: bool = True


class ScenarioInfo(Record):
    name: str
    description: str = ""
    model: str
    horizon: Annotated[int, Field(ge=1, le=100_000)]
    seed: Annotated[int, Field(ge=0)] = 0
    reference_variant: Id | None = None


class ScenarioFile(Record):
    scenario: ScenarioInfo
    parameters: ParameterOverrides = ParameterOverrides()
    shocks: list[Shock] = []
    variants: list[Variant] = [Variant(name="as-is")]
    output: Output = Output()
