"""The 38 real multi-echelon supply chains of Willems (2008) as chain maps.

Source layout (`willems2008/`, docs/importers.md, Source data): `NN_stages.csv` with one row
per stage (`stageName`, `stageClassification`, `stageCost`, `stageTime`,
`avgDemand`, ...) and `NN_arcs.csv` with one row per arc (`from_stage`,
`to_stage`). Each stage becomes a firm making its own product; each arc a
link and a recipe entry of 1 unit. Every modelling choice is in
docs/importers.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from simcore.errors import NO_VALUE, InputError, Problem
from simcore.importers.common import (
    Arc,
    ArcSource,
    ImportedMap,
    StageColumns,
    option_problem,
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
KIND = "willems"
SOURCE = "Willems (2008), Real-world multiechelon supply chains used for inventory optimization, M&SOM 10(1):19-23"
LAYOUT = "tidy CSV of the INFORMS data set from the repository durianh96/InvNet-GSM (commit e3d0697, data/willems_2008/)"
LICENCE = "research data of the paper, published with it as an INFORMS data set; cite Willems (2008)"

# stage classification -> product category (a stage with final demand is a final product whatever its class)
CATEGORY = {"part": "basic_component", "manuf": "subassembly", "trans": "service", "dist": "service", "retail": "service"}
ALIASES = {"parts": "part"}  # chain 19 writes `Parts`
COLUMNS = StageColumns(stage="stageName", lead_time="stageTime", lead_time_is="the stage time in days", demand="avgDemand", cost="stageCost")


def resolve(source: str | Path, chain: int | str | None) -> tuple[Path, Path, str]:
    """The stages and arcs files of a chain: `source` is the data folder (with `chain`) or a `NN_stages.csv` file."""
    source = Path(source)
    if source.is_dir():
        if chain is None:
            raise option_problem(KIND, "chain", NO_VALUE, "expected the chain to import (1 to 38) when the source is a folder")
        try:
            number = int(chain)
        except (TypeError, ValueError):
            raise option_problem(KIND, "chain", chain, "a chain number such as 1 or '01'") from None
        tag = f"{number:02d}"
        return source / f"{tag}_stages.csv", source / f"{tag}_arcs.csv", tag
    m = re.fullmatch(r"(\d+)_stages\.csv", source.name)
    if not m:
        raise InputError(
            [Problem(str(source), "", NO_VALUE, "a Willems data folder or a file named NN_stages.csv (its arcs are read from NN_arcs.csv beside it)")]
        )
    if chain is not None and int(chain) != int(m.group(1)):
        raise option_problem(KIND, "chain", chain, f"the chain of the source file ({m.group(1)}) or no chain option")
    return source, source.with_name(f"{m.group(1)}_arcs.csv"), m.group(1)


def willems_map(source: str | Path, chain: int | str | None = None, region: str = "unspecified", name: str | None = None) -> ImportedMap:
    """Build the chain map of one Willems (2008) chain; raise InputError naming file, row and column of every bad cell."""
    stages_path, arcs_path, tag = resolve(source, chain)
    problems: list[Problem] = []
    st = read_source_table(stages_path, "stages", problems)
    ar = read_source_table(arcs_path, "arcs", problems)
    raise_if(problems)

    cols = COLUMNS.positions(st, problems, optional=["stageClassification", "stdDevStageTime", "StageTime_1_p"])
    acols = ar.columns(["from_stage", "to_stage"], [], problems)
    raise_if(problems)

    spread = 0

    def classification(i: int, sid: str) -> dict[str, Any]:
        """The stage's tag and category from its class; counts the stages with a spread of stage time."""
        nonlocal spread
        if st.cell(i, cols.get("stdDevStageTime")) or st.cell(i, cols.get("StageTime_1_p")):
            spread += 1
        cls = st.cell(i, cols.get("stageClassification")).lower()
        cls = ALIASES.get(cls, cls)
        return {"tags": [cls] if cls else [], "category": CATEGORY.get(cls)}

    stages, bad = read_stages(st, COLUMNS, cols, problems, classification)
    arcs = []
    for i in range(len(ar.rows)):
        up, down = ar.cell(i, acols["from_stage"]), ar.cell(i, acols["to_stage"])
        for value, col in ((up, "from_stage"), (down, "to_stage")):
            if not value:
                problems.append(Problem(ar.file, ar.where(i, col), NO_VALUE, "expected a stage name (the cell is empty)"))
        if up and down:
            arcs.append((Arc(up, down, 1.0), ArcSource(ar.file, ar.where(i, "from_stage"), ar.where(i, "to_stage"))))
    good = stage_arcs(stages, arcs, bad, problems, ar.file, "arcs", "arcs")

    notes: list[str] = []
    if spread:
        notes.append(
            f"{spread} stage(s) have a spread of stage time (stdDevStageTime or a 3-point distribution): the mean stageTime is the lead time"
        )
    tables = stage_tables(stages, good, region, notes)
    options: dict[str, Any] = {"chain": tag, "region": region}
    if name:
        options["name"] = name
    n_demand = sum(1 for s in stages if s.demand > 0)
    header = ModelHeader(
        name=name or f"Willems (2008) chain {tag}",
        description=f"{len(stages)} stages, {len(good)} arcs, {n_demand} demand stages; one firm and one product per stage, 1 unit per arc",
        provenance=provenance(
            KIND, __name__, VERSION, f"{SOURCE}, chain {tag}; {LAYOUT}", LICENCE, options, files=[stages_path, arcs_path], notes=notes
        ),
        comment=regenerate_comment(KIND, stages_path.parent.name, options),
    )
    return ImportedMap(KIND, tables, header, notes)


OPTIONS = ("chain", "region", "name")


def add_arguments(p) -> None:
    p.add_argument("--chain", help="chain number 1-38 when SOURCE is the data folder (e.g. 38 or 01)")
    p.add_argument("--region", default="unspecified", help="region of every firm (the data has no locations; default: unspecified)")
