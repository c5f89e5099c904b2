"""Load a scenario file, the chain map it names, and check its shocks and variants against that map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simcore.chainmap import ChainMap, load_model
from simcore.errors import NO_VALUE, InputError, Problem
from simcore.scenario.policies import POLICIES
from simcore.scenario.schema import Output, ParameterOverrides, ScenarioFile, ScenarioInfo, Variant
from simcore.scenario.shocks import ShockTable, expand_shocks, selector_problems
from simcore.validation import raise_if, read_toml, validate


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario: its chain map, its shocks as primitives, its variants."""

    file: Path
    info: ScenarioInfo
    model: ChainMap
    parameters: ParameterOverrides
    shocks: ShockTable
    shock_specs: tuple
    variants: tuple[Variant, ...]
    output: Output

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def horizon(self) -> int:
        return self.info.horizon

    @property
    def seed(self) -> int:
        return self.info.seed

    @property
    def reference_variant(self) -> str:
        return self.info.reference_variant or self.variants[0].name

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(f"scenario {self.name!r} has no variant {name!r}; it has {[v.name for v in self.variants]}")


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario and its model; raise InputError listing every problem."""
    path = Path(path)
    file = str(path)
    doc, problems = validate(ScenarioFile, read_toml(path), file)
    raise_if(problems)
    assert doc is not None

    model_path = (path.parent / doc.scenario.model).resolve()
    if not model_path.is_file():
        raise InputError([Problem(file, "scenario.model", doc.scenario.model, f"a model file (looked for {model_path})")])
    cmap = load_model(_display_path(model_path))

    shocks, problems = expand_shocks(cmap, doc.shocks, file)
    names = [v.name for v in doc.variants]
    for k, v in enumerate(doc.variants):
        if names.index(v.name) != k:
            problems.append(Problem(file, f"variants[{k}].name", v.name, "a variant name not used before"))
        for j, override in enumerate(v.firms):
            problems += selector_problems(cmap, override.select, file, f"variants[{k}].firms[{j}].select")
        for j, policy in enumerate(v.policies):
            if policy.kind not in POLICIES:
                available = ", ".join(sorted(POLICIES)) or "none yet"
                problems.append(Problem(file, f"variants[{k}].policies[{j}].kind", policy.kind, f"a known policy ({available})"))
    ref = doc.scenario.reference_variant
    if ref is not None and ref not in names:
        problems.append(Problem(file, "scenario.reference_variant", ref, f"the name of a variant ({', '.join(names)})"))
    if not doc.variants:
        problems.append(Problem(file, "variants", NO_VALUE, "at least one variant"))
    raise_if(problems)

    return Scenario(
        file=path,
        info=doc.scenario,
        model=cmap,
        parameters=doc.parameters,
        shocks=shocks,
        shock_specs=tuple(doc.shocks),
        variants=tuple(doc.variants),
        output=doc.output,
    )


def _display_path(p: Path) -> Path:
    """Relative to the working directory when possible, so messages stay short."""
    try:
        return p.relative_to(Path.cwd())
    except ValueError:
        return p
