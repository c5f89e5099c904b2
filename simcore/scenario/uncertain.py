"""Uncertain parameters (`[[uncertain]]`, docs/sensitivity.md): what each entry edits, checked once against the map, the
shocks and the policies, and the world a replication draws.

Replication `k` draws one value per entry, in file order, from its own stream `SeedSequence(seed, spawn_key=(k, 1))`
(the shocks draw from `(k,)`: the two never share numbers), so a world depends on the seed and `k` only, never on
how a batch is split, and every variant runs in the same world (common random numbers). A world is the scenario
with the map's records, the shock rows and the policy settings edited; the baseline does not depend on cover,
headroom or lead times, so nothing is solved again. Draws are never clipped: a distribution that could draw an
invalid value (a negative cover, a magnitude above 1) is refused when the scenario is read.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Union

import numpy as np
from pydantic import TypeAdapter

from simcore.chainmap import ChainMap
from simcore.chainmap.schema import Firm, Link
from simcore.errors import Problem, did_you_mean
from simcore.scenario.distributions import draw, is_random, support
from simcore.scenario.schema import CostRates, Selector, Uncertain
from simcore.scenario.shocks import select_firms, selector_problems

FIRM_FIELDS = ("cover", "headroom")
SHOCK_FIELDS = ("start", "duration", "magnitude", "factor", "recovery.days", "recovery.half_life")
RECOVERY = {"recovery.days": "linear", "recovery.half_life": "exponential"}
FIELDS_HINT = "cover, headroom, lead_time, shocks[i].<" + "|".join(SHOCK_FIELDS) + ">, or <policy kind>.<setting>"


@dataclass(frozen=True)
class Entry:
    """One resolved `[[uncertain]]` entry: where its value goes."""

    name: str
    field: str
    value: Any  # a distribution
    kind: str  # "firm", "link", "shock" or "policy"
    attr: str  # the record's field (a policy's setting, a shock's field; `recovery.days` for a recovery)
    targets: tuple = ()  # firm or link indices, or the shock's index; a policy's kind
    clip: tuple[float, float] = (-np.inf, np.inf)  # only a shock's own distribution, as its sampler clips it (simcore.sensitivity)


@dataclass(frozen=True)
class Uncertainty:
    """A scenario's uncertain parameters; empty for a scenario without any (its numbers are today's)."""

    entries: tuple[Entry, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def draw(self, seed: int, k: int) -> np.ndarray:
        """Replication `k`'s value of each entry."""
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(k, 1))))
        return np.array([draw(e.value, rng, 1)[0] for e in self.entries])

    def world(self, scenario, values) -> Any:
        """`scenario` with each entry's field set to its value in `values` (later entries win on the same target)."""
        from simcore.scenario.random import ShockSampler
        from simcore.scenario.shocks import expand_shocks

        cmap = scenario.model
        firms, links, specs, settings = list(cmap.firms), list(cmap.links), list(scenario.shock_specs), {}
        for e, v in zip(self.entries, values):
            v = float(np.clip(v, *e.clip))
            if e.kind == "firm":
                for k in e.targets:
                    firms[k] = firms[k].model_copy(update={e.attr: v})
            elif e.kind == "link":
                for m in e.targets:
                    links[m] = links[m].model_copy(update={e.attr: v})
            elif e.kind == "shock":
                (n,) = e.targets
                s = specs[n]
                if e.attr.startswith("recovery."):
                    specs[n] = s.model_copy(update={"recovery": s.recovery.model_copy(update={e.attr.split(".")[1]: v})})
                else:
                    specs[n] = s.model_copy(update={e.attr: v})
            else:
                settings.setdefault(e.targets[0], {})[e.attr] = v
        edited = _edited_map(cmap, firms, links)
        changes: dict = {}
        if edited is not cmap or specs != list(scenario.shock_specs):
            shocks = expand_shocks(edited, specs, str(scenario.file))[0]
            changes |= {"model": edited, "shocks": shocks, "shock_specs": tuple(specs), "sampler": ShockSampler(edited, specs, scenario.horizon)}
        if settings:
            changes["variants"] = tuple(_with_settings(v, settings) for v in scenario.variants)
            if scenario.optimize is not None:
                changes["optimize"] = scenario.optimize.model_copy(update={"candidates": [_with_settings(c, settings) for c in scenario.optimize.candidates]})
        return dataclasses.replace(scenario, **changes) if changes else scenario


def _edited_map(cmap: ChainMap, firms: list, links: list) -> ChainMap:
    """The map with new firm and link records; its derived tables (indices, chains) do not depend on the fields
    an entry edits, so they are carried over rather than computed again."""
    if all(a is b for a, b in zip(firms, cmap.firms)) and all(a is b for a, b in zip(links, cmap.links)):
        return cmap
    edited = dataclasses.replace(cmap, firms=tuple(firms), links=tuple(links))
    edited.__dict__.update({k: v for k, v in cmap.__dict__.items() if k not in {f.name for f in dataclasses.fields(cmap)}})
    return edited


def _with_settings(owner, settings: dict):
    policies = [p.model_copy(update=settings[p.kind]) if p.kind in settings else p for p in owner.policies]
    return owner.model_copy(update={"policies": policies})


# --- reading and checking -------------------------------------------------------------------------
def resolve(cmap: ChainMap, items: list[tuple[int, Uncertain]], shocks: dict[int, Any], owners: list, file: str) -> tuple[Uncertainty, list[Problem]]:
    """The scenario's `[[uncertain]]` entries (file position, entry) resolved against the map, its shocks (file
    position -> shock) and the variants' and candidates' policies (`owners`); every problem named `uncertain[n]...`."""
    entries, problems, names = [], [], {}
    for n, u in items:
        field = f"uncertain[{n}]"
        entry, probs = _resolve(cmap, u, shocks, owners, file, field)
        problems += probs
        if entry is None:
            continue
        if entry.name in names:
            problems.append(Problem(file, f"{field}.name", entry.name, f"a name not used by another entry (also uncertain[{names[entry.name]}]); give each its own `name`"))
        names.setdefault(entry.name, n)
        entries.append(entry)
    return Uncertainty(tuple(entries)), problems


def _resolve(cmap, u: Uncertain, shocks, owners, file: str, field: str) -> tuple[Entry | None, list[Problem]]:
    f = u.field
    problems = []
    for key, sel in (("select", u.select), ("customers", u.customers)):
        if sel is not None:
            problems += selector_problems(cmap, sel, file, f"{field}.{key}")
    if u.customers is not None and f != "lead_time":
        problems.append(Problem(file, f"{field}.customers", u.customers.model_dump(exclude_defaults=True), "`customers` only with field = \"lead_time\" (the links' customers)"))
    if problems:
        return None, problems
    name = u.name or _default_name(u)
    if f in FIRM_FIELDS:
        targets = tuple(int(k) for k in select_firms(cmap, u.select or Selector()))
        return _checked(Entry(name, f, u.value, "firm", f, targets), Firm.model_fields[f].annotation, file, field)
    if f == "lead_time":
        n = len(cmap.firms)
        sup = np.isin(np.arange(n), select_firms(cmap, u.select or Selector()))
        cus = np.isin(np.arange(n), select_firms(cmap, u.customers or Selector()))
        targets = tuple(int(m) for m in np.flatnonzero(sup[cmap.link_supplier] & cus[cmap.link_customer]))
        if not targets:
            return None, [Problem(file, field, {"select": _dump(u.select), "customers": _dump(u.customers)}, "selectors that choose at least one link (supplier in `select`, customer in `customers`)")]
        return _checked(Entry(name, f, u.value, "link", f, targets), Link.model_fields[f].annotation, file, field)
    if f == "share":
        return None, [Problem(file, f"{field}.field", f, "not `share`: the shares of a firm's suppliers of one input must sum to 1, which independent draws would break; " + FIELDS_HINT)]
    if f.startswith("shocks["):
        return _shock_entry(u, name, shocks, file, field)
    kind, _, attr = f.partition(".")
    from simcore.scenario.policies import POLICIES

    if kind in POLICIES and attr:
        return _policy_entry(u, name, kind, attr, POLICIES[kind].settings, owners, file, field)
    hint = did_you_mean(f, [*FIRM_FIELDS, "lead_time", *POLICIES])
    return None, [Problem(file, f"{field}.field", f, f"a numeric parameter: {FIELDS_HINT}{hint}")]


def _shock_entry(u: Uncertain, name: str, shocks: dict, file: str, field: str):
    head, _, attr = u.field.partition("].")
    try:
        n = int(head[len("shocks["):])
    except ValueError:
        n = -1
    if n not in shocks or attr not in SHOCK_FIELDS:
        expected = f"shocks[i].<{'|'.join(SHOCK_FIELDS)}> with i the position of a shock ({len(shocks)} of them)"
        return None, [Problem(file, f"{field}.field", u.field, expected)]
    s = shocks[n]
    if s.kind in ("random_outage", "lead_time_noise"):
        return None, [Problem(file, f"{field}.field", u.field, f"a field of a deterministic shock (shocks[{n}] is a {s.kind}, which draws its own values)")]
    if attr in RECOVERY:
        profile = getattr(getattr(s, "recovery", None), "profile", None)
        if profile != RECOVERY[attr]:
            return None, [Problem(file, f"{field}.field", u.field, f"a shock with a {RECOVERY[attr]} recovery (shocks[{n}] has {profile or 'none'})")]
        annotation = type(s.recovery).model_fields[attr.split(".")[1]].annotation
    elif attr in type(s).model_fields:
        annotation = type(s).model_fields[attr].annotation
    else:
        numeric = [a for a in SHOCK_FIELDS if a in type(s).model_fields]
        return None, [Problem(file, f"{field}.field", u.field, f"a numeric field of shocks[{n}] ({s.kind}): {', '.join(numeric)}")]
    if attr in type(s).model_fields and is_random(getattr(s, attr)):
        return None, [Problem(file, f"{field}.field", u.field, f"a field that is a number in the shock (shocks[{n}].{attr} is already a distribution, drawn with the shocks): give it one or the other")]
    return _checked(Entry(name, u.field, u.value, "shock", attr, (n,)), annotation, file, field)


def _policy_entry(u: Uncertain, name: str, kind: str, attr: str, settings, owners: list, file: str, field: str):
    numeric = [k for k, f in settings.model_fields.items() if _takes_numbers(f.annotation) and k not in CostRates.model_fields]  # costs are priced as written
    if attr not in numeric:
        return None, [Problem(file, f"{field}.field", u.field, f"a numeric setting of {kind}: {', '.join(numeric)}{did_you_mean(attr, numeric)}")]
    used = [p for o in owners for p in o.policies if p.kind == kind]
    if not used:
        return None, [Problem(file, f"{field}.field", u.field, f"a policy kind some variant or candidate uses ({', '.join(sorted({p.kind for o in owners for p in o.policies})) or 'none uses a policy'})")]
    entry = Entry(name, u.field, u.value, "policy", attr, (kind,))
    return _checked(entry, settings.model_fields[attr].annotation, file, field)


def _checked(entry: Entry, annotation, file: str, field: str) -> tuple[Entry | None, list[Problem]]:
    """The entry, or a problem when its field takes no numbers or its distribution can draw outside the field's range."""
    from simcore.validation import validate

    if not _takes_numbers(annotation):
        return None, [Problem(file, f"{field}.field", entry.field, f"a numeric parameter: {FIELDS_HINT}")]
    low, high = support(entry.value)
    for bound in (low, min(high, 1e300)):
        _, probs = validate(TypeAdapter(annotation), float(bound), file)
        if probs:
            why = probs[0].expected
            return None, [Problem(file, f"{field}.value", entry.value.model_dump(), f"a distribution whose every draw is valid for {entry.field} ({why}; it could draw {bound:g}); draws are refused, not clipped")]
    return entry, []


def _takes_numbers(annotation) -> bool:
    """Whether a field's type admits a real number (a float, possibly inside Annotated or a union)."""
    if annotation is float:
        return True
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _takes_numbers(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_takes_numbers(a) for a in typing.get_args(annotation))
    return False


def _dump(sel: Selector | None):
    return None if sel is None else sel.model_dump(exclude_defaults=True)


def _default_name(u: Uncertain) -> str:
    """`cover`, `cover[S]`, `lead_time[S->C]`: the field and the names its selectors give."""
    def names(sel):
        return ",".join(x for values in sel.model_dump().values() for x in values) if sel is not None else ""

    sup, cus = names(u.select), names(u.customers)
    if u.field == "lead_time" and (sup or cus):
        return f"lead_time[{sup or '*'}->{cus or '*'}]"
    return f"{u.field}[{sup}]" if sup else u.field
