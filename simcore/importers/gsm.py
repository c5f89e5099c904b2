"""Guaranteed-service (GSM) chains with bills of materials as chain maps: bulldozer, battery, camera, ...

Source layout (`../shared/data/gsm_chains/*.txt`, from the snc repository):
a CSV whose header is `stage_id, lead_time, max_s_time, cost_rate (or cost),
risk_pool, ext_demand_mean, ext_demand_std, ext_demand_thres, up_stages`;
from the `up_stages` column on, a row lists its upstream stages as pairs of
cells `stage, units used per unit`. Each stage becomes a firm making its own
product; each pair a link and a recipe entry with those units. Every
modelling choice is in docs/importers.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simcore.errors import NO_VALUE, InputError, Problem
from simcore.importers.common import (
    Arc,
    ArcSource,
    ImportedMap,
    Stage,
    check_stage_arcs,
    find_cycle,
    name_some,
    parse_number,
    provenance,
    read_source_table,
    regenerate_comment,
    stage_tables,
)
from simcore.importers.write import ModelHeader
from simcore.validation import raise_if

VERSION = 1
KIND = "gsm"
REPOSITORY = "repository stochasticnetworkcontrol/snc, tests/meio/gsm/ (commit 2e73257)"
LICENCE = "Apache-2.0 (the snc repository's LICENSE, kept beside the data as LICENSE.snc)"
CITATIONS = {
    "bulldozer": "Graves & Willems (2000), Optimizing strategic safety stock placement in supply chains, M&SOM 2(1):68-83 (Caterpillar bulldozer)",
    "battery": "Graves & Willems (2000), Optimizing strategic safety stock placement in supply chains, M&SOM 2(1):68-83 (battery)",
}


def gsm_map(source: str | Path, region: str = "unspecified", name: str | None = None) -> ImportedMap:
    """Build the chain map of one GSM chain file; raise InputError naming file, row and column of every bad cell."""
    path = Path(source)
    problems: list[Problem] = []
    st = read_source_table(path, "stages", problems)
    raise_if(problems)
    cols = st.columns(["stage_id", "lead_time", "ext_demand_mean", "up_stages"], ["cost_rate"], problems, alternatives={"cost_rate": ["cost"]})
    raise_if(problems)
    cost_name = st.header[cols["cost_rate"]].strip() if "cost_rate" in cols else "cost_rate"

    stages: list[Stage] = []
    raw_arcs: list[tuple[Arc, ArcSource]] = []
    seen: dict[str, str] = {}
    bad: set[str] = set()
    for i in range(len(st.rows)):
        sid = st.cell(i, cols["stage_id"])
        if not sid:
            problems.append(Problem(st.file, st.where(i, "stage_id"), NO_VALUE, "expected a stage name (the cell is empty)"))
            continue
        if sid in seen:
            problems.append(Problem(st.file, st.where(i, "stage_id"), sid, f"a stage name not used before (also at {seen[sid]})"))
            continue
        seen[sid] = st.where(i)
        n_before = len(problems)
        text = st.cell(i, cols["lead_time"])
        if not text:
            problems.append(Problem(st.file, st.where(i, "lead_time"), NO_VALUE, "expected the stage's lead time in days (the cell is empty)"))
            lead = 0.0
        else:
            lead = parse_number(text, st.file, st.where(i, "lead_time"), problems, minimum=0)
        text = st.cell(i, cols["ext_demand_mean"])
        demand = parse_number(text, st.file, st.where(i, "ext_demand_mean"), problems, minimum=0) if text else 0.0
        text = st.cell(i, cols.get("cost_rate"))
        cost = parse_number(text, st.file, st.where(i, cost_name), problems, minimum=0) if text else None
        cells = [c.strip() for c in st.rows[i][cols["up_stages"] :]]
        while cells and not cells[-1]:
            cells.pop()
        for k in range(0, len(cells), 2):
            pair = k // 2
            up = cells[k]
            if k + 1 >= len(cells) or not cells[k + 1]:
                problems.append(
                    Problem(
                        st.file,
                        st.where(i, f"up_stages[{pair}].units"),
                        NO_VALUE,
                        f"expected the units of '{up}' used per unit after its name (up_stages holds pairs: stage, units)",
                    )
                )
                continue
            if not up:
                problems.append(
                    Problem(st.file, st.where(i, f"up_stages[{pair}].stage"), NO_VALUE, "expected the name of an upstream stage (the cell is empty)")
                )
                continue
            units = parse_number(cells[k + 1], st.file, st.where(i, f"up_stages[{pair}].units"), problems, minimum=0, strict_minimum=True)
            if units is not None:
                where = st.where(i, f"up_stages[{pair}].stage")
                raw_arcs.append((Arc(up, sid, units), ArcSource(st.file, where, st.where(i, "stage_id"))))
        if len(problems) > n_before:
            bad.add(sid)
            continue
        stages.append(Stage(id=sid, lead_time=lead, demand=demand, cost=cost))

    raw_arcs = [(a, s) for a, s in raw_arcs if a.up not in bad and a.down not in bad]
    good = check_stage_arcs(stages, raw_arcs, problems)
    raise_if(problems)
    cycle = find_cycle([s.id for s in stages], good)
    if cycle:
        raise InputError(
            [
                Problem(
                    st.file,
                    "up_stages",
                    NO_VALUE,
                    f"expected a bill of materials without a cycle (a stage cannot be its own input); found one through {name_some(cycle)}",
                )
            ]
        )

    notes: list[str] = []
    tables = stage_tables(stages, good, region, notes)
    citation = CITATIONS.get(path.stem)
    source_text = (f"{citation}; " if citation else "") + f"GSM chain '{path.stem}' from the {REPOSITORY}"
    options: dict[str, Any] = {"region": region}
    if name:
        options["name"] = name
    n_demand = sum(1 for s in stages if s.demand > 0)
    header = ModelHeader(
        name=name or f"GSM chain {path.stem}",
        description=f"{len(stages)} stages, {len(good)} bill-of-materials arcs, {n_demand} demand stages; one firm and one product per stage",
        provenance=provenance(KIND, __name__, VERSION, source_text, LICENCE, options, files=[path], notes=notes),
        comment=regenerate_comment(KIND, f"{path.parent.name}/{path.name}", options),
    )
    return ImportedMap(KIND, tables, header, notes)


OPTIONS = ("region", "name")


def add_arguments(p) -> None:
    p.add_argument("--region", default="unspecified", help="region of every firm (the data has no locations; default: unspecified)")
