"""The chain-map schema: what one record of a model file may hold (docs/model.md, The chain map).

Records are checked field by field here; checks that need the whole map
(unknown ids, share sums, inputs with no supplier) live in `load.py`.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from simcore.limits import MAX_LEAD_TIME, lead_time_expectation

Id = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def _bounded_lead(days: float) -> float:
    if days > MAX_LEAD_TIME:
        raise ValueError(lead_time_expectation(days))
    return days


LeadTime = Annotated[NonNeg, AfterValidator(_bounded_lead)]  # days; bounded by the engine's ring of shipments (simcore.limits)


class Category(str, Enum):
    """Industrial foundation a product belongs to (docs/model.md, The chain map)."""

    raw_material = "raw_material"
    basic_material = "basic_material"
    basic_component = "basic_component"
    core_electronic_component = "core_electronic_component"
    basic_process = "basic_process"
    industrial_software = "industrial_software"
    subassembly = "subassembly"
    final_product = "final_product"
    technology_base = "technology_base"  # the industrial technology base: testing, measurement, standards, certification
    service = "service"


class Rationing(str, Enum):
    """How a firm shares a short output among its orders (docs/model.md, Rationing)."""

    proportional = "proportional"
    priority = "priority"
    mixed = "mixed"


class Necessity(str, Enum):
    """How strictly a recipe input binds production (docs/model.md, Necessity of inputs)."""

    critical = "critical"
    important = "important"
    noncritical = "noncritical"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameters(Record):
    """Behavioural parameters of the engines; a scenario variant may override any of them."""

    tau: Positive = 6.0  # days over which an inventory gap is closed by ordering
    backlog_days: Annotated[float, Field(ge=1, allow_inf_nan=False)] = 30.0
    rationing: Rationing = Rationing.mixed
    adaptive_sourcing: StrictBool = False  # true or false, not "yes" or 1
    share_recovery: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.1
    final_demand_priority: Annotated[int, Field(ge=0, le=9)] = 1


class Defaults(Record):
    cover: NonNeg = 7.0
    headroom: NonNeg = 0.1
    priority: Annotated[int, Field(ge=0, le=9)] = 1


class Product(Record):
    id: Id
    name: str = ""
    category: Category
    recipe: dict[Id, Positive] = {}
    necessity: dict[Id, Necessity] = {}  # per recipe input; an input not listed is critical
    chains: list[Id] = []
    price: Positive = 1.0


class Firm(Record):
    id: Id
    name: str = ""
    product: Id
    region: Id
    tags: list[Id] = []
    group: str = ""
    chains: list[Id] = []
    headroom: NonNeg | None = None
    cover: NonNeg | None = None
    cover_by_input: dict[Id, NonNeg] = {}
    priority: Annotated[int, Field(ge=0, le=9)] | None = None


class Link(Record):
    supplier: Id
    customer: Id
    share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1.0
    lead_time: LeadTime = 1.0
    priority: Annotated[int, Field(ge=0, le=9)] | None = None


class Demand(Record):
    """Final demand in units per day, of one firm or of a product split equally over its makers."""

    firm: Id | None = None
    product: Id | None = None
    units: NonNeg


class Tables(Record):
    """CSV tables beside the model file, for maps too large to write by hand."""

    products: str | None = None
    recipes: str | None = None
    firms: str | None = None
    links: str | None = None
    demand: str | None = None


class ModelInfo(Record):
    name: str
    description: str = ""
    provenance: str = ""
    chains: list[Id] = []


class ChainMapFile(Record):
    """A whole model file, before its CSV tables are merged in."""

    model: ModelInfo
    defaults: Defaults = Defaults()
    parameters: Parameters = Parameters()
    tables: Tables = Tables()
    products: list[Product] = []
    firms: list[Firm] = []
    links: list[Link] = []
    demand: list[Demand] = []


TableKind = Literal["products", "recipes", "firms", "links", "demand"]


class RecipeRow(Record):
    """One row of a `recipes.csv` table: `units` of `input` per unit of `product`."""

    product: Id
    input: Id
    units: Positive
    necessity: Necessity | None = None  # empty cell: critical


ROW_MODELS = {"products": Product, "firms": Firm, "links": Link, "demand": Demand, "recipes": RecipeRow}
"""The record model of one row of each table (a CSV file, a workbook sheet, a `[[table]]` entry)."""
