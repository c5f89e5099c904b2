"""The scenario schema: which model, how long, which shocks, which variants (docs/model.md, Shocks and Policies)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Discriminator, Field, StrictBool, StringConstraints, Tag, model_validator

from simcore.chainmap.schema import Id, NonNeg, Positive, Rationing, Record
from simcore.limits import MAX_HORIZON


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


# --- distributions (Monte Carlo, docs/model.md, Random shocks and replications) ---------
class Fixed(Record):
    """Always `value`."""

    dist: Literal["fixed"]
    value: Annotated[float, Field(allow_inf_nan=False)]


class Exponential(Record):
    dist: Literal["exponential"]
    mean: Positive


class LogNormal(Record):
    """`median * exp(sigma * Z)`, Z standard normal."""

    dist: Literal["lognormal"]
    median: Positive
    sigma: NonNeg


class Uniform(Record):
    dist: Literal["uniform"]
    low: Annotated[float, Field(allow_inf_nan=False)]
    high: Annotated[float, Field(allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self):
        if self.high < self.low:
            raise ValueError(f"`high` >= `low` ({self.low})")
        return self


class Empirical(Record):
    """One of `values`, with probabilities proportional to `weights` (default equal)."""

    dist: Literal["empirical"]
    values: list[Annotated[float, Field(allow_inf_nan=False)]] = Field(min_length=1)
    weights: list[NonNeg] | None = None

    @model_validator(mode="after")
    def _weights(self):
        if self.weights is not None and (len(self.weights) != len(self.values) or sum(self.weights) <= 0):
            raise ValueError(f"`weights`: one non-negative weight per value ({len(self.values)}), not all 0")
        return self


Distribution = Annotated[Union[Fixed, Exponential, LogNormal, Uniform, Empirical], Field(discriminator="dist")]


def _number_or_table(value) -> str:
    """Tags starting with `~` never reach messages (simcore.validation drops them)."""
    return "~distribution" if isinstance(value, dict) else "~number"


def _random(number):
    """A number, or a distribution drawn per replication: the problems of only the form that was written."""
    return Annotated[Union[Annotated[number, Tag("~number")], Annotated[Distribution, Tag("~distribution")]], Discriminator(_number_or_table)]


RandomNonNeg = _random(NonNeg)
RandomPositive = _random(Positive)
RandomFraction = _random(Fraction)


# --- shock kinds ----------------------------------------------------------------
class ShockBase(Record):
    """`start` and `duration` may be distributions: drawn once per replication (docs/montecarlo.md)."""

    name: str = ""
    start: RandomNonNeg
    duration: RandomPositive


class FirmOutage(ShockBase):
    """Firms lose `magnitude` of their capacity: a plant fire, a strike, an insolvency."""

    kind: Literal["firm_outage"]
    select: Selector
    magnitude: RandomFraction = 1.0
    recovery: Recovery = StepRecovery()


class RegionOutage(ShockBase):
    """Every firm of the regions loses `magnitude` of capacity: a lockdown, an earthquake."""

    kind: Literal["region_outage"]
    regions: IdList = Field(min_length=1)
    magnitude: RandomFraction = 1.0
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
    factor: RandomNonNeg
    recovery: Recovery = StepRecovery()


class RandomOutage(Record):
    """Firm failures as a Poisson process (docs/model.md, Random shocks and replications): each selected firm fails at `rate` per day inside the
    window, or, with `per = "region"`, each region of the selected firms has events at `rate` per day that hit
    all of its selected firms together (a correlated, regional shock). Each event draws its magnitude and duration."""

    kind: Literal["random_outage"]
    name: str = ""
    select: Selector = Selector()
    rate: NonNeg  # events per firm (or region) per day
    per: Literal["firm", "region"] = "firm"
    magnitude: RandomFraction = 1.0
    duration: RandomPositive
    recovery: Recovery = StepRecovery()
    start: NonNeg = 0.0  # the window in which events start
    end: NonNeg | None = None  # default: the horizon

    @model_validator(mode="after")
    def _window(self):
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"`end` > `start` ({self.start})")
        return self


class LeadTimeNoise(Record):
    """Each chosen link's lead time multiplied by a `factor` drawn once per link and replication (logistics noise)."""

    kind: Literal["lead_time_noise"]
    name: str = ""
    suppliers: Selector | None = None  # default: every link
    customers: Selector | None = None
    factor: Distribution
    start: NonNeg = 0.0
    duration: Positive | None = None  # default: to the horizon


Shock = Annotated[
    Union[FirmOutage, RegionOutage, Embargo, LinkDisruption, DemandShock, RandomOutage, LeadTimeNoise],
    Field(discriminator="kind"),
]
RANDOM_KINDS = ("random_outage", "lead_time_noise")


# --- variants -------------------------------------------------------------------
class ParameterOverrides(Record):
    """Any subset of the model's `[parameters]`."""

    tau: Positive | None = None
    backlog_days: Annotated[float, Field(ge=1, allow_inf_nan=False)] | None = None
    rationing: Rationing | None = None
    adaptive_sourcing: StrictBool | None = None
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
    firm_trajectories: StrictBool = True
    format: Literal["csv", "parquet", "xlsx"] = "csv"  # xlsx: one workbook per table (simcore.chainmap.workbook.write_table)
    plots: StrictBool = True


class CostRates(Record):
    """The money rates of the policies' levers (docs/policies.md, Costs); a policy may override each. None: the
    scenario's rate, or for `qualification` and `recovery_cost` the default derived from the map's values."""

    holding_rate: NonNeg | None = None  # per year, on the value of added stock (default 0.25)
    capacity_rate: NonNeg | None = None  # per year, on the yearly output value of added capacity (default 0.05)
    qualification: NonNeg | None = None  # money per supplier link qualified (default 5 days of the flow it is to carry)
    priority_premium: NonNeg | None = None  # on the value of the flows served at a raised priority (default 0.02)
    recovery_cost: NonNeg | None = None  # money per firm and day of restart saved (default a tenth of a day of the firm's output value)


DEFAULT_RATES = {"holding_rate": 0.25, "capacity_rate": 0.05, "priority_premium": 0.02}
"""The rates a scenario that names none uses (docs/policies.md, Costs, gives the reasons)."""


class Costs(CostRates):
    """The scenario's `[costs]`: what a price of the map is in money, and the default rates of every policy."""

    currency: Annotated[str, Field(min_length=1, max_length=20)] = "price units"
    unit: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0  # money (of `currency`) per price unit of the map


class Candidate(Record):
    """An intervention of its own for `simcore optimize`: a name and the policies it switches on (like a variant's)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
    description: str = ""
    policies: list[PolicySpec] = Field(min_length=1)


Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Optimize(Record):
    """The scenario's `[optimize]`: the budget, objective and candidates of `simcore optimize` (docs/optimize.md)."""

    budget: Money | None = None  # money of [costs].currency; `--budget` overrides
    chain_budgets: dict[Id, Money] = {}  # money per named chain, on the costs attributed to it
    objective: Literal["mean", "cvar95"] = "mean"  # the expected chain loss in money, or its CVaR95
    defaults: StrictBool = True  # the candidates drawn from the map and the scenario
    use: IdList = []  # only these candidates (by name, default or own); [] keeps them all
    candidates: list[Candidate] = []  # interventions of the scenario's own
    chain_masters: StrictBool = True  # default candidates: a stabilization package for each chain master
    short_boards: Annotated[int, Field(ge=0, le=50)] = 4  # the short boards the shocks hit most, each filled four ways
    stuck_necks: Annotated[int, Field(ge=0, le=50)] = 2  # safety stock at the stress test's worst stuck necks
    exhaustive_up_to: Annotated[int, Field(ge=0, le=16)] = 10  # every subset with at most this many candidates
    replications: Annotated[int, Field(ge=1)] | None = None  # `--replications` overrides


class Uncertain(Record):
    """An uncertain parameter: `field` drawn from `value` once per replication (docs/sensitivity.md).

    `field` is a firm's `cover` or `headroom` (the `select`ed firms, default every firm), a link's `lead_time`
    (links from a `select`ed supplier to a `customers` firm), a deterministic shock's `shocks[i].start`,
    `duration`, `magnitude`, `factor`, `recovery.days` or `recovery.half_life`, or a policy setting
    `<policy kind>.<setting>` (every policy of that kind, in every variant and candidate)."""

    name: str = ""  # default: derived from field and selectors
    field: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    value: Distribution
    select: Selector | None = None
    customers: Selector | None = None


class ScenarioInfo(Record):
    name: str
    description: str = ""
    model: str
    horizon: Annotated[int, Field(ge=1, le=MAX_HORIZON)]
    seed: Annotated[int, Field(ge=0)] = 0
    reference_variant: Id | None = None


class ScenarioFile(Record):
    scenario: ScenarioInfo
    parameters: ParameterOverrides = ParameterOverrides()
    shocks: list[Shock] = []
    variants: list[Variant] = [Variant(name="as-is")]
    output: Output = Output()
    costs: Costs = Costs()
    optimize: Optimize | None = None
    uncertain: list[Uncertain] = []
