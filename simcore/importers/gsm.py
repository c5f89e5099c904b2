"""Guaranteed-service (GSM) chains with bills of materials as chain maps: bulldozer, battery, camera, ...

Source layout (`gsm_chains/*.txt` from the snc repository, docs/importers.md, Source data):
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

from simcore.errors import NO_VALUE, Problem
from simcore.importers.common import (
    Arc,
    ArcSource,
    ImportedMap,
    StageColumns,
    parse_number,
    provenance,
    read_source_table,
    read_stages,
    regenerate_comment,
    stage_arcs,
    stage_tables,
)
from simcore.importers.write import ModelHeader
from simcore.validation import raise_if

VERSION = 1
KIND = "gsm"
REPOSITORY = "repository stochasticnetworkcontrol/snc, tests/meio/gsm/ (commit 2e73257)"
LICENCE = "Apache-2.0 (the snc repository's licence; its text is in simcore's LICENSE)"
COLUMNS = StageColumns(
    stage="stage_id",
    lead_time="lead_time",
    lead_time_is="the stage's lead time in days",
    demand="ext_demand_mean",
    cost="cost_rate",
    cost_alternatives=("cost",),
)
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
    cols = COLUMNS.positions(st, problems, required=["up_stages"])
    raise_if(problems)

    arcs: list[tuple[Arc, ArcSource]] = []

    def upstream(i: int, sid: str) -> dict[str, Any]:
        """The row's `up_stages` pairs (stage, units used per unit) as arcs into stage `sid`."""
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
                arcs.append((Arc(up, sid, units), ArcSource(st.file, where, st.where(i, "stage_id"))))
        return {}

    stages, bad = read_stages(st, COLUMNS, cols, problems, upstream)
    good = stage_arcs(stages, arcs, bad, problems, st.file, "up_stages", "a bill of materials")

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
