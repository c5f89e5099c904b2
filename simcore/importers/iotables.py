"""Sector-level chain maps from input-output tables: one firm and one product per sector (per region and sector for an MRIO).

Sources:

- a **make/use pair** `use_*.csv` + `make_*.csv` as published by BEA (US, 15
  and 71 industries) or ABS (Australia, 114 industries) in the layout of the
  quantecon-book-networks package;
- a **symmetric table** CSV: sectors as rows and as columns, any other
  column a final-demand column (or the total output, `output_column`);
- a **pymrio IOSystem** (multi-regional), in Python or as `pymrio:test` / a
  folder saved by pymrio on the command line.

Technical coefficients are `a[i, j] = Z[i, j] / x[j]`; coefficients below
`threshold` are dropped (reported: count and share of the intermediate flow).
Final demand is the sum of the final-demand columns, or the residual
`x - Z 1` (`final_demand="residual"`, the only choice for a table without
final-demand columns). Each recipe input gets a necessity (critical,
important, noncritical) from its share of the customer sector's intermediate
input use, `Z[q, p] / sum_q Z[q, p]` (`necessity_by_share`; thresholds
below), unless a user table (`necessities`) says otherwise. Every choice is
in docs/importers.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simcore.chainmap.baseline import NotProductive, solve_outputs, technical_matrix
from simcore.chainmap.schema import Necessity
from simcore.errors import NO_VALUE, InputError, Problem, SimcoreError, did_you_mean, names_hint
from simcore.importers.common import (
    ImportedMap,
    SourceTable,
    name_some,
    option_problem,
    parse_number,
    provenance,
    prune_to_demand,
    read_source_table,
    regenerate_comment,
    source_label,
)
from simcore.importers.write import MapTables, ModelHeader
from simcore.validation import raise_if

VERSION = 2  # 2: recipe inputs carry a necessity (share rule, --necessities table)
KIND = "io"
FINAL_DEMAND = ("columns", "residual")

BEA = {
    "source": "US Bureau of Economic Analysis (BEA), input-output accounts 2021, supply and use tables; CSV layout of the PyPI package quantecon-book-networks 1.6 (data/csv_files/)",
    "licence": "BEA data: public domain; quantecon-book-networks: MIT",
    "region": "US",
}
ABS = {
    "source": "Australian Bureau of Statistics (ABS), Australian national accounts: input-output tables 2020-21; CSV layout of the PyPI package quantecon-book-networks 1.6 (data/csv_files/)",
    "licence": "ABS data: CC BY 4.0 (attribute the Australian Bureau of Statistics); quantecon-book-networks: MIT",
    "region": "AU",
}
USE_INTERMEDIATE = ("Total Intermediate", "T001")  # the column closing the inter-industry block
USE_TOTAL = ("Total use of products", "T019")
ROW_INTERMEDIATE = ("Total Intermediate", "T005")  # the row closing the commodity rows
ROW_OUTPUT = ("Total industry output (basic prices)", "T018")
MAKE_OUTPUT_ROW = ("Total industry supply",)
SUPPRESSED = ("---", "")  # BEA writes `---` for a cell below its disclosure level: taken as 0

# Necessity of a recipe input q of sector p by its share Z[q, p] / sum_q Z[q, p] of p's intermediate input use
# (Pichler, Pangallo, del Rio-Chanona, Lafond & Farmer 2022, partially binding Leontief; docs/importers.md, io).
# A share exactly at a threshold takes the higher necessity.
GOODS_CRITICAL = 0.05  # a goods input (raw_material, basic_material) with at least this share is critical
GOODS_IMPORTANT = 0.01  # ... with at least this share (and less than GOODS_CRITICAL) important; below it noncritical
SERVICE_IMPORTANT = 0.05  # a service input with at least this share is important, below it noncritical; never critical
NECESSITIES = tuple(n.value for n in Necessity)
NECESSITY_COLUMNS = ("product", "input", "necessity")  # the --necessities table


@dataclass
class IOTable:
    """A symmetric sector-by-sector table: flows `Z[i, j]` from sector i to sector j, final demand columns, total output."""

    ids: list[str]
    names: list[str]
    regions: list[str]
    Z: np.ndarray
    fd: np.ndarray | None  # sectors x final-demand columns; None when the table has none
    fd_names: list[str]
    x: np.ndarray | None  # total output; None: taken as the row sums Z 1 + f
    x_label: str
    source: str
    licence: str
    files: list[Path] = field(default_factory=list)
    data_digests: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unit: str = ""
    command_source: str = ""


# --- sector categories (labels only) ---------------------------------------------

_RAW = re.compile(r"agricultur|farm|forestry|fishing|hunting|mining|quarrying|oil and gas|extraction")
_MANUFACTURING = re.compile(
    r"manufact|products|equipment|vehicles|machinery|metal|mills|apparel|chemical|paper|printing|petroleum|plastic|wood|furniture|textile"
)


def sector_category(code: str, name: str) -> str:
    """A sector's category label: primary industries raw_material, manufacturing basic_material, the rest service.

    BEA codes (NAICS: 11, 21 primary; 31-33 manufacturing) and ABS IOIG codes
    (four digits: 01-10 primary, 11-25 manufacturing) decide when present,
    else keywords of the name.
    """
    if re.fullmatch(r"\d{4}", code):
        two = int(code[:2])
        return "raw_material" if two <= 10 else "basic_material" if two <= 25 else "service"
    if re.match(r"(11|21)\d", code):
        return "raw_material"
    if re.match(r"3[1-3]\d", code):
        return "basic_material"
    if re.match(r"\d", code):
        return "service"
    n = name.lower() or code.lower()
    if _RAW.search(n):
        return "raw_material"
    if _MANUFACTURING.search(n):
        return "basic_material"
    return "service"


def slug(name: str) -> str:
    """An id from a sector name: `Agriculture, forestry, fishing, and hunting` -> `agriculture_forestry_fishing_and_hunting`."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "sector"


# --- readers ---------------------------------------------------------------------


def _cell_number(t: SourceTable, i: int, pos: int, column: str, problems: list[Problem]) -> float:
    text = t.cell(i, pos)
    if text in SUPPRESSED:
        return 0.0
    value = parse_number(text.replace(" ", ""), t.file, t.where(i, column), problems)
    return 0.0 if value is None else value


def read_make_use(use_path: Path, make_path: Path | None = None) -> IOTable:
    """A BEA or ABS make/use pair as a symmetric industry table (commodity i is industry i's product)."""
    use_path = Path(use_path)
    make_path = Path(make_path) if make_path is not None else use_path.with_name(use_path.name.replace("use_", "make_", 1))
    problems: list[Problem] = []
    use = read_source_table(use_path, "use", problems)
    make = read_source_table(make_path, "make", problems)
    raise_if(problems)
    first = use.header[0].strip()
    if first in ("", "Name"):
        return _read_bea(use, make)
    return _read_abs(use, make)


def _index(labels: list[str], options: tuple[str, ...]) -> int | None:
    for k, label in enumerate(labels):
        if label.strip() in options:
            return k
    return None


def _read_bea(use: SourceTable, make: SourceTable) -> IOTable:
    problems: list[Problem] = []
    header = [h.strip() for h in use.header]
    t = _index(header, USE_INTERMEDIATE)
    if t is None:
        problems.append(
            Problem(
                use.file,
                use.header_where("Total Intermediate"),
                NO_VALUE,
                f"required column is missing: expected a column named {' or '.join(repr(o) for o in USE_INTERMEDIATE)} closing the industry columns",
            )
        )
        raise_if(problems)
    u = _index(header, USE_TOTAL)
    sector_cols = header[1:t]
    fd_cols = header[t + 1 : u if u is not None else len(header)]
    labels = [use.cell(i, 0) for i in range(len(use.rows))]
    n = len(sector_cols)
    r_int = _index(labels, ROW_INTERMEDIATE)
    r_out = _index(labels, ROW_OUTPUT)
    for r, opts in ((r_int, ROW_INTERMEDIATE), (r_out, ROW_OUTPUT)):
        if r is None:
            problems.append(Problem(use.file, "use", NO_VALUE, f"expected a row labelled {' or '.join(repr(o) for o in opts)}"))
    raise_if(problems)
    if r_int < n:
        raise InputError(
            [
                Problem(
                    use.file,
                    use.where(r_int, header[0] or "label"),
                    labels[r_int],
                    f"the {n} industry rows before the row '{labels[r_int]}' (one commodity row per industry column)",
                )
            ]
        )
    names = labels[:n]
    make_names = [h.strip() for h in make.header[1 : n + 1]]
    if sector_cols == names:
        ids = [slug(s) for s in names]
    else:
        if make_names != names:
            raise InputError(
                [
                    Problem(
                        make.file,
                        "make (line 1)",
                        NO_VALUE,
                        f"expected the industry names of the use table's rows ({name_some(names, 3)}) as the first {n} columns, in the same order",
                    )
                ]
            )
        ids = list(sector_cols)
    Z = np.array([[_cell_number(use, i, 1 + j, sector_cols[j], problems) for j in range(n)] for i in range(n)])
    fd = np.array([[_cell_number(use, i, t + 1 + k, fd_cols[k], problems) for k in range(len(fd_cols))] for i in range(n)]).reshape(n, len(fd_cols))
    x = np.array([_cell_number(use, r_out, 1 + j, sector_cols[j], problems) for j in range(n)])
    extra = list(range(n, r_int))  # commodity rows without an industry (scrap, non-comparable imports)
    extra_flow = sum(_cell_number(use, i, 1 + j, sector_cols[j], problems) for i in extra for j in range(n))
    make_labels = [make.cell(i, 0) for i in range(len(make.rows))]
    m_out = _index(make_labels, MAKE_OUTPUT_ROW)
    make_x = (
        np.array([_cell_number(make, m_out, 1 + j, make_names[j] if j < len(make_names) else str(j), problems) for j in range(n)])
        if m_out is not None
        else None
    )
    raise_if(problems)
    notes = []
    if extra:
        share = extra_flow / max(Z[Z > 0].sum() + extra_flow, 1e-300)
        notes.append(
            f"dropped {len(extra)} commodity row(s) without an industry ({name_some([labels[i] for i in extra])}), {share:.2%} of the intermediate flow"
        )
    if make_x is not None and not np.allclose(make_x, x, rtol=1e-9, atol=0.5):
        notes.append(f"the make table's '{MAKE_OUTPUT_ROW[0]}' row differs from the use table's industry output; the use table's row is used")
    return IOTable(
        ids=ids,
        names=names,
        regions=[BEA["region"]] * n,
        Z=Z,
        fd=fd,
        fd_names=fd_cols,
        x=x,
        x_label=f"industry output (the use table's row '{labels[r_out]}')",
        source=BEA["source"],
        licence=BEA["licence"],
        files=[use.path, make.path],
        notes=notes,
        unit="millions of US dollars per year",
    )


def _read_abs(use: SourceTable, make: SourceTable) -> IOTable:
    problems: list[Problem] = []
    codes = [h.strip() for h in use.header]
    n = len(codes)
    if len(use.rows) < n:
        raise InputError([Problem(use.file, "use", len(use.rows), f"{n} rows, one per industry of the header")])
    if len(use.rows) > n:
        problems.append(Problem(use.file, use.where(n), NO_VALUE, f"expected {n} rows of numbers, one per industry of the header, and no more"))
    Z = np.array([[_cell_number(use, i, j, codes[j], problems) for j in range(n)] for i in range(n)])
    mheader = [h.strip() for h in make.header]
    total = _index(mheader, ("total", "Total"))
    if total is None:
        problems.append(
            Problem(make.file, make.header_where("total"), NO_VALUE, "required column is missing: expected the industry output column 'total'")
        )
    raise_if(problems)
    rows = {make.cell(i, 0): i for i in range(len(make.rows)) if make.cell(i, 0)}
    missing = [c for c in codes if c not in rows]
    if missing:
        raise InputError([Problem(make.file, "make", NO_VALUE, f"expected a row for every industry of the use table; missing {name_some(missing)}")])
    x = np.array([_cell_number(make, rows[c], total, "total", problems) for c in codes])
    raise_if(problems)
    return IOTable(
        ids=codes,
        names=[""] * n,
        regions=[ABS["region"]] * n,
        Z=Z,
        fd=None,
        fd_names=[],
        x=x,
        x_label="industry output (the make table's column 'total')",
        source=ABS["source"],
        licence=ABS["licence"],
        files=[use.path, make.path],
        unit="millions of Australian dollars per year",
    )


def read_symmetric(path: Path, output_column: str = "total_output", final_demand_columns: list[str] | None = None) -> IOTable:
    """A symmetric table: row labels in the first column; columns named like a row are sectors, `output_column` the total output, the others final demand."""
    path = Path(path)
    problems: list[Problem] = []
    t = read_source_table(path, "table", problems)
    raise_if(problems)
    header = [h.strip() for h in t.header]
    labels = [t.cell(i, 0) for i in range(len(t.rows))]
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if not label:
            problems.append(
                Problem(t.file, t.where(i, header[0] or "label"), NO_VALUE, "expected a sector name in the first column (the cell is empty)")
            )
        elif label in seen:
            problems.append(Problem(t.file, t.where(i, header[0] or "label"), label, f"a row label not used before (also at {t.where(seen[label])})"))
        else:
            seen[label] = i
    raise_if(problems)
    sectors = [c for c in header[1:] if c in seen]
    if not sectors:
        raise InputError(
            [Problem(t.file, "table (line 1)", NO_VALUE, "expected columns named like the row labels (the sectors); none of the columns is")]
        )
    pos = {c: k for k, c in enumerate(header)}
    others = [c for c in header[1:] if c not in seen and c != output_column]
    if final_demand_columns is not None:
        for c in final_demand_columns:
            if c not in others:
                problems.append(
                    Problem(
                        t.file,
                        t.header_where(c),
                        NO_VALUE,
                        f"required column is missing: the final-demand column '{c}' (option final_demand_columns); the non-sector columns are {', '.join(others) or 'none'}",
                    )
                )
        fd_cols = list(final_demand_columns)
    else:
        fd_cols = others
    raise_if(problems)
    rows = [seen[s] for s in sectors]
    Z = np.array([[_strict(t, i, pos[c], c, problems) for c in sectors] for i in rows])
    fd = np.array([[_strict(t, i, pos[c], c, problems) for c in fd_cols] for i in rows]).reshape(len(sectors), len(fd_cols))
    x = np.array([_strict(t, i, pos[output_column], output_column, problems) for i in rows]) if output_column in pos else None
    raise_if(problems)
    notes = []
    ignored = [label for label in labels if label not in sectors]
    if ignored:
        notes.append(f"ignored {len(ignored)} row(s) that are not sectors (no column of that name): {name_some(ignored)}")
    return IOTable(
        ids=sectors,
        names=[""] * len(sectors),
        regions=["domestic"] * len(sectors),
        Z=Z,
        fd=fd if fd_cols else None,
        fd_names=fd_cols,
        x=x,
        x_label=f"output (column '{output_column}')" if x is not None else "output (row sums: intermediate use plus final demand)",
        source=f"symmetric input-output table {path.name}",
        licence="",
        files=[path],
        notes=notes,
    )


def _strict(t: SourceTable, i: int, pos: int, column: str, problems: list[Problem]) -> float:
    text = t.cell(i, pos)
    if text == "":
        return 0.0
    value = parse_number(text, t.file, t.where(i, column), problems)
    return 0.0 if value is None else value


def _pymrio():
    try:
        import pymrio
    except ImportError:  # pragma: no cover - depends on the environment
        raise SimcoreError("the io importer needs pymrio for MRIO sources: pip install 'simcore[io]'") from None
    return pymrio


def read_mrio(io: Any, licence: str = "") -> IOTable:
    """A pymrio IOSystem as a region x sector table (ids `region:sector`)."""
    if io.Z is None or io.Y is None or io.x is None:
        io = io.copy()
        io.calc_system()
    Z = io.Z.to_numpy(dtype=float)
    Y = io.Y.to_numpy(dtype=float)
    x = io.x.to_numpy(dtype=float).reshape(-1)
    index = list(io.Z.index)
    ids = [f"{r}:{s}" for r, s in index]
    fd_names = [f"{r}:{c}" for r, c in io.Y.columns]
    meta = getattr(io, "meta", None)
    mname = getattr(meta, "name", None) or getattr(io, "name", "") or "unnamed"
    desc = getattr(meta, "description", "") or ""
    version = getattr(meta, "version", "") or ""
    system = getattr(meta, "system", "") or ""
    digests = [f"{k} {hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()}" for k, v in (("Z", Z), ("Y", Y), ("x", x))]
    unit = ""
    if getattr(io, "unit", None) is not None:
        units = sorted({str(u) for u in np.asarray(io.unit).ravel()})
        unit = ", ".join(units)
    if not licence:
        licence = (
            "fictitious test data shipped with pymrio (LGPL-3.0)"
            if mname == "testmrio"
            else "as the MRIO's publisher states (not recorded in the IOSystem; pass licence=...)"
        )
    return IOTable(
        ids=ids,
        names=[""] * len(ids),
        regions=[str(r) for r, _ in index],
        Z=Z,
        fd=Y,
        fd_names=fd_names,
        x=x,
        x_label="total output x",
        source=f"pymrio IOSystem '{mname}'"
        + (f" ({desc})" if desc else "")
        + (f", version {version}" if version else "")
        + (f", system {system}" if system else "")
        + f", {len(io.get_regions())} regions x {len(io.get_sectors())} sectors",
        licence=licence,
        data_digests=digests,
        unit=unit,
        command_source="pymrio:test" if mname == "testmrio" else "",
    )


# --- necessity of inputs ---------------------------------------------------------


def input_shares(Z: np.ndarray) -> np.ndarray:
    """`share[q, p] = Z[q, p] / sum_q Z[q, p]` over the positive flows of the table (0 where a column has none)."""
    P = np.where(Z > 0, Z, 0.0)
    total = P.sum(axis=0)
    return np.divide(P, total[None, :], out=np.zeros_like(P), where=total[None, :] > 0)


def necessity_by_share(share: float, service: bool) -> str:
    """The necessity of an input with `share` of its customer's intermediate input use; `service`: the input is a service sector's product.

    Goods: below GOODS_IMPORTANT noncritical, below GOODS_CRITICAL important,
    else critical. Services: below SERVICE_IMPORTANT noncritical, else
    important (a service input never binds as Leontief).
    """
    if service:
        return Necessity.important.value if share >= SERVICE_IMPORTANT else Necessity.noncritical.value
    if share >= GOODS_CRITICAL:
        return Necessity.critical.value
    if share >= GOODS_IMPORTANT:
        return Necessity.important.value
    return Necessity.noncritical.value


def read_necessities(path: str | Path, recipes: dict[str, list[str]]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """The user's necessity table (columns product, input, necessity) checked against the map's recipes (product -> inputs).

    Returns the overrides by (product, input) and notes; InputError naming the
    file, row, column and value of every bad cell.
    """
    path = Path(path)
    problems: list[Problem] = []
    t = read_source_table(path, "necessities", problems)
    raise_if(problems)
    cols = t.columns(NECESSITY_COLUMNS, problems=problems)
    raise_if(problems)
    notes = []
    other = [h.strip() for h in t.header if h.strip() not in NECESSITY_COLUMNS]
    if other:
        notes.append(f"ignored {len(other)} column(s) of the necessity table {path.name}: {name_some(other)}")
    out: dict[tuple[str, str], str] = {}
    seen: dict[tuple[str, str], int] = {}
    for i in range(len(t.rows)):
        p, q, nec = (t.cell(i, cols[c]) for c in NECESSITY_COLUMNS)
        n_before = len(problems)
        if p not in recipes:
            problems.append(Problem(t.file, t.where(i, "product"), p, f"the id of a product of this map ({names_hint(p, recipes)})"))
        elif q not in recipes:
            problems.append(Problem(t.file, t.where(i, "input"), q, f"the id of a product of this map ({names_hint(q, recipes)})"))
        elif q not in recipes[p]:
            listed = names_hint(q, recipes[p]) if recipes[p] else "it has none"
            problems.append(
                Problem(t.file, t.where(i, "input"), q, f"an input of the recipe of '{p}' ({listed}; inputs dropped by the threshold are not in it)")
            )
        if nec not in NECESSITIES:
            problems.append(Problem(t.file, t.where(i, "necessity"), nec, f"one of {', '.join(NECESSITIES)}{did_you_mean(nec, NECESSITIES)}"))
        if len(problems) > n_before:
            continue
        if (p, q) in seen:
            problems.append(Problem(t.file, t.where(i, "input"), q, f"each (product, input) pair once (also at {t.where(seen[(p, q)])})"))
            continue
        seen[(p, q)] = i
        out[(p, q)] = nec
    raise_if(problems)
    return out, notes


# --- the map ---------------------------------------------------------------------


def table_map(
    table: IOTable,
    final_demand: str | None = None,
    threshold: float = 0.0,
    period_days: float = 1.0,
    lead_time: float = 1.0,
    lead_time_between_regions: float | None = None,
    name: str | None = None,
    options_extra: dict[str, Any] | None = None,
    necessities: str | Path | None = None,
) -> ImportedMap:
    """The chain map of a symmetric table: coefficients `Z / x` above `threshold`, final demand per `final_demand`;
    each input's necessity by its share of the customer's intermediate input use (`necessity_by_share`), or by the
    table `necessities` (CSV: product, input, necessity) where it says."""
    if final_demand is None:
        final_demand = "columns" if table.fd is not None else "residual"
    if final_demand not in FINAL_DEMAND:
        raise option_problem(KIND, "final_demand", final_demand, f"one of {', '.join(FINAL_DEMAND)}")
    if final_demand == "columns" and table.fd is None:
        raise option_problem(
            KIND,
            "final_demand",
            final_demand,
            "'residual': this table has no final-demand columns, so final demand can only be total output minus intermediate sales",
        )
    for opt, value, lo in (
        ("threshold", threshold, 0.0),
        ("lead_time", lead_time, 0.0),
        ("lead_time_between_regions", lead_time_between_regions, 0.0),
    ):
        if value is not None and (not isinstance(value, (int, float)) or not np.isfinite(value) or value < lo):
            raise option_problem(KIND, opt, value, f"a number >= {lo:g}")
    if not isinstance(period_days, (int, float)) or not np.isfinite(period_days) or period_days <= 0:
        raise option_problem(KIND, "period_days", period_days, "a number > 0 (the days the table's flows cover, e.g. 365 for a year)")
    notes = list(table.notes)
    n = len(table.ids)
    Z = table.Z.astype(float)
    f = table.fd.sum(axis=1) if table.fd is not None else np.zeros(n)
    x = table.x if table.x is not None else Z.sum(axis=1) + f

    positive = Z > 0
    total_flow = Z[positive].sum()
    negative = Z < 0
    if negative.any():
        notes.append(
            f"dropped {int(negative.sum())} negative flow(s) (no recipe can use a negative amount), {-Z[negative].sum() / max(total_flow, 1e-300):.2%} of the intermediate flow in absolute value"
        )
    no_output = x <= 0
    if no_output.any():
        lost = Z[:, no_output][positive[:, no_output]].sum() + Z[no_output][positive[no_output]].sum()
        notes.append(
            f"dropped {int(no_output.sum())} sector(s) with no output ({name_some([table.ids[k] for k in np.flatnonzero(no_output)])}) and their flows, {lost / max(total_flow, 1e-300):.2%} of the intermediate flow"
        )
    keep_sector = ~no_output
    A = np.zeros_like(Z)
    A[:, keep_sector] = Z[:, keep_sector] / x[keep_sector]
    A[~keep_sector, :] = 0.0
    A[A < 0] = 0.0
    small = (A > 0) & (A < threshold)
    if small.any():
        notes.append(
            f"dropped {int(small.sum())} flow(s) with a coefficient below the threshold {threshold:g}, {Z[small].sum() / max(total_flow, 1e-300):.2%} of the intermediate flow"
        )
    A[small] = 0.0
    kept = A > 0

    if final_demand == "columns":
        d = f.copy()
        neg = (d < 0) & keep_sector
        if neg.any():
            notes.append(
                f"{int(neg.sum())} sector(s) have negative final demand (inventory draw-downs exceed other uses), set to 0: {name_some([table.ids[k] for k in np.flatnonzero(neg)])}"
            )
    else:
        d = x - (A * x[None, :]).sum(axis=1)  # output minus the intermediate sales the map keeps
        neg = (d < -1e-9 * np.maximum(x, 1)) & keep_sector
        if neg.any():
            notes.append(
                f"{int(neg.sum())} sector(s) sell more to other sectors than their output (imports in the rows): their residual final demand is set to 0: {name_some([table.ids[k] for k in np.flatnonzero(neg)])}"
            )
    d = np.where(keep_sector, np.maximum(d, 0.0), 0.0)

    ids = table.ids
    sup, cus = np.nonzero(kept)
    live = prune_to_demand(
        [ids[k] for k in range(n) if keep_sector[k]], [(ids[i], ids[j]) for i, j in zip(sup, cus)], {ids[k]: d[k] for k in range(n)}
    )
    dead = [ids[k] for k in range(n) if keep_sector[k] and ids[k] not in live]
    if dead:
        notes.append(f"dropped {len(dead)} sector(s) with no final demand and no customer path to one: {name_some(dead)}")
    alive = np.array([ids[k] in live for k in range(n)])
    link = kept & alive[:, None] & alive[None, :]
    sup, cus = np.nonzero(link)

    # how far the map's baseline is from the table's output
    M = technical_matrix(n, sup, cus, A[sup, cus])
    try:
        xs = solve_outputs(M, d)
    except NotProductive as exc:
        raise InputError(
            [
                Problem(
                    str(table.files[0]) if table.files else "io table",
                    "coefficients",
                    NO_VALUE,
                    f"expected a productive table (columns of Z / x summing to less than 1): {exc}",
                )
            ]
        ) from None
    if table.x is not None and alive.any():
        dev = xs[alive] / x[alive] - 1.0
        worst = int(np.argmax(np.abs(dev)))
        if abs(dev[worst]) > 1e-9:
            label = [ids[k] for k in np.flatnonzero(alive)][worst]
            notes.append(
                f"baseline output vs the table's {table.x_label}: total {xs[alive].sum() / x[alive].sum() - 1:+.2%}, "
                f"median sector {np.median(dev):+.2%}, largest {label} {dev[worst]:+.2%}"
            )

    between = lead_time if lead_time_between_regions is None else lead_time_between_regions
    regions = table.regions
    lt = np.array([lead_time if regions[i] == regions[j] else between for i, j in zip(sup, cus)])
    order = [k for k in range(n) if alive[k]]
    category = [sector_category(ids[k].split(":")[-1], table.names[k] or ids[k].split(":")[-1]) for k in range(n)]
    products = pd.DataFrame(
        {
            "id": [ids[k] for k in order],
            "name": [table.names[k] for k in order],
            "category": [category[k] for k in order],
        }
    )
    share = input_shares(Z)
    necessity = [necessity_by_share(share[i, j], category[i] == "service") for i, j in zip(sup, cus)]
    counts = {v: necessity.count(v) for v in NECESSITIES}
    notes.append(
        "input necessity by share of the customer's intermediate input use"
        f" (goods: < {GOODS_IMPORTANT:.0%} noncritical, < {GOODS_CRITICAL:.0%} important, else critical;"
        f" services: < {SERVICE_IMPORTANT:.0%} noncritical, else important): "
        + ", ".join(f"{counts[v]} {v}" for v in NECESSITIES)
        + f" of {len(necessity)} inputs"
    )
    files = list(table.files)
    if necessities is not None:
        inputs: dict[str, list[str]] = {ids[k]: [] for k in order}
        for i, j in zip(sup, cus):
            inputs[ids[j]].append(ids[i])
        overrides, more = read_necessities(necessities, inputs)
        notes += more
        index = {(ids[j], ids[i]): r for r, (i, j) in enumerate(zip(sup, cus))}
        changed = 0
        for key, value in overrides.items():
            changed += necessity[index[key]] != value
            necessity[index[key]] = value
        notes.append(f"{len(overrides)} input necessities set by the table {Path(necessities).name} ({changed} of them differ from the share rule)")
        files.append(Path(necessities))
    recipes = pd.DataFrame({"product": [ids[j] for j in cus], "input": [ids[i] for i in sup], "units": A[sup, cus], "necessity": necessity})
    recipes = recipes.sort_values(["product", "input"], kind="stable", key=lambda s: s.map({v: k for k, v in enumerate(ids)})).reset_index(drop=True)
    firms = pd.DataFrame(
        {
            "id": [ids[k] for k in order],
            "name": [table.names[k] for k in order],
            "product": [ids[k] for k in order],
            "region": [regions[k] for k in order],
        }
    )
    links = pd.DataFrame({"supplier": [ids[i] for i in sup], "customer": [ids[j] for j in cus], "lead_time": lt})
    if lead_time == 1.0 and between == 1.0:
        links = links.drop(columns="lead_time")  # the loader's default
    dem = pd.DataFrame({"firm": [ids[k] for k in order if d[k] > 0], "units": [d[k] / period_days for k in order if d[k] > 0]})
    tables = MapTables(products=products, recipes=recipes, firms=firms, links=links, demand=dem)

    options: dict[str, Any] = {"final_demand": final_demand, "threshold": threshold, "period_days": period_days, "lead_time": lead_time}
    if lead_time_between_regions is not None:
        options["lead_time_between_regions"] = lead_time_between_regions
    options.update(options_extra or {})
    if necessities is not None:
        options["necessities"] = source_label(Path(necessities))
    if name:
        options["name"] = name
    unit = f"; flows in {table.unit}" if table.unit else ""
    per = f", divided by {period_days:g} days" if period_days != 1 else ""
    description = f"{len(order)} sectors, {len(sup)} inter-sector flows; final demand from {'the final-demand columns' if final_demand == 'columns' else 'output minus intermediate sales'}{per}{unit}"
    header = ModelHeader(
        name=name or f"input-output map: {Path(table.files[0]).stem if table.files else table.source.split(',')[0]}",
        description=description,
        provenance=provenance(
            KIND,
            __name__,
            VERSION,
            table.source,
            table.licence or "not stated (user data)",
            options,
            files=files,
            notes=notes,
            digests=table.data_digests,
        ),
        comment=regenerate_comment(
            KIND, table.command_source or (f"{table.files[0].parent.name}/{table.files[0].name}" if table.files else "SOURCE"), options
        ),
    )
    return ImportedMap(KIND, tables, header, notes)


def io_map(
    source: str | Path,
    final_demand: str | None = None,
    threshold: float = 0.0,
    period_days: float = 1.0,
    lead_time: float = 1.0,
    name: str | None = None,
    make: str | Path | None = None,
    output_column: str = "total_output",
    final_demand_columns: list[str] | None = None,
    region: str | None = None,
    necessities: str | Path | None = None,
) -> ImportedMap:
    """The chain map of a table file: a `use_*.csv` (with its `make_*.csv`, or `make`) or a symmetric table CSV;
    `necessities` a CSV table (product, input, necessity) overriding the share rule of input necessities."""
    path = Path(source)
    extra: dict[str, Any] = {}
    if isinstance(final_demand_columns, str):
        final_demand_columns = [c.strip() for c in final_demand_columns.split(";") if c.strip()]
    if path.name.startswith("use_") or make is not None:
        table = read_make_use(path, Path(make) if make is not None else None)
    else:
        table = read_symmetric(path, output_column, final_demand_columns)
        if output_column != "total_output":
            extra["output_column"] = output_column
        if final_demand_columns is not None:
            extra["final_demand_columns"] = ";".join(final_demand_columns)
    if region is not None:
        table.regions = [region] * len(table.ids)
        extra["region"] = region
    return table_map(table, final_demand, threshold, period_days, lead_time, None, name, extra, necessities)


def mrio_map(
    io: Any,
    final_demand: str | None = None,
    threshold: float = 0.0,
    period_days: float = 1.0,
    lead_time: float = 1.0,
    lead_time_between_regions: float | None = None,
    name: str | None = None,
    licence: str = "",
    necessities: str | Path | None = None,
) -> ImportedMap:
    """The chain map of a pymrio IOSystem: one firm and product per (region, sector), id `region:sector`."""
    table = read_mrio(io, licence)
    return table_map(table, final_demand, threshold, period_days, lead_time, lead_time_between_regions, name, None, necessities)


PICKLE_SUFFIXES = (".pkl", ".pickle")  # pymrio reads these with pandas.read_pickle (pymrio.core.constants.STORAGE_FORMAT)


def refuse_pickles(folder: Path) -> None:
    """A pymrio folder may hold its tables as pickles, which pandas can only read by running the code they contain:
    a data folder from elsewhere would run code here. Refuse any pickle in the folder or named by its
    file_parameters.json / .ini files, before pymrio reads anything."""
    import configparser
    import json

    named: list[tuple[Path, str]] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in PICKLE_SUFFIXES:
            named.append((path, path.name))
        elif path.suffix.lower() == ".json" and path.is_file():
            try:
                files = json.loads(path.read_text()).get("files", {})
                named += [(path, str(f.get("name", ""))) for f in files.values() if isinstance(f, dict)]
            except (OSError, UnicodeDecodeError, ValueError, AttributeError):
                continue  # not a pymrio parameter file; pymrio reports it if it is needed
        elif path.suffix.lower() == ".ini" and path.is_file():
            ini = configparser.RawConfigParser()
            try:
                ini.read(path)
            except (configparser.Error, UnicodeDecodeError):
                continue
            named += [(path, v) for v in ini["files"].values()] if ini.has_section("files") else []
    for where, name in named:
        if Path(name).suffix.lower() in PICKLE_SUFFIXES:
            raise InputError(
                [
                    Problem(
                        str(where),
                        "",
                        NO_VALUE,
                        f"holds or names a pickled table ({name}); simcore never reads pickles, as loading one runs whatever code it contains."
                        " Save the IOSystem as text or Parquet (IOSystem.save_all(path, table_format='txt' or 'parquet')) and import that folder",
                    )
                ]
            )


def build(source: Any, **options: Any) -> ImportedMap:
    """The registry's entry: a pymrio IOSystem, `pymrio:test`, a folder saved by pymrio, or a table file."""
    mrio_only = {"lead_time_between_regions", "licence"}
    file_only = {"make", "output_column", "final_demand_columns", "region"}
    if isinstance(source, (str, Path)) and str(source) == "pymrio:test":
        source = _pymrio().load_test()
    elif isinstance(source, (str, Path)) and Path(source).is_dir():
        refuse_pickles(Path(source))
        pymrio = _pymrio()
        try:
            source = pymrio.load_all(Path(source))
        except Exception as exc:  # noqa: BLE001  (pymrio raises several kinds for a folder it cannot read)
            raise InputError(
                [Problem(str(source), "", NO_VALUE, f"expected a folder saved by pymrio (IOSystem.save_all) or a table file; pymrio says: {exc}")]
            ) from None
    if not isinstance(source, (str, Path)):
        bad = sorted(file_only & {k for k, v in options.items() if v is not None})
        if bad:
            raise option_problem(KIND, bad[0], options[bad[0]], "an option of a table file (not of an MRIO source)")
        return mrio_map(source, **{k: v for k, v in options.items() if k not in file_only})
    bad = sorted(mrio_only & {k for k, v in options.items() if v not in (None, "")})
    if bad:
        raise option_problem(KIND, bad[0], options[bad[0]], "an option of an MRIO source (not of a table file)")
    if not Path(source).is_file():
        raise InputError(
            [
                Problem(
                    str(source),
                    "",
                    NO_VALUE,
                    "file not found (expected a use_*.csv file, a symmetric table CSV, pymrio:test or a folder saved by pymrio)",
                )
            ]
        )
    return io_map(source, **{k: v for k, v in options.items() if k not in mrio_only})


OPTIONS = (
    "final_demand",
    "threshold",
    "period_days",
    "lead_time",
    "lead_time_between_regions",
    "name",
    "make",
    "output_column",
    "final_demand_columns",
    "region",
    "licence",
    "necessities",
)


def add_arguments(p) -> None:
    p.add_argument(
        "--final-demand",
        choices=FINAL_DEMAND,
        default=None,
        help="columns: sum of the final-demand columns (default when the table has them); residual: output minus intermediate sales",
    )
    p.add_argument(
        "--threshold", type=float, default=0.0, help="drop flows whose coefficient Z[i,j]/x[j] is below this (default 0: keep every positive flow)"
    )
    p.add_argument(
        "--period-days",
        type=float,
        default=1.0,
        help="days the table's flows cover; final demand is divided by it (365 for an annual table; default 1)",
    )
    p.add_argument("--lead-time", type=float, default=1.0, help="lead time of every link in days (default 1)")
    p.add_argument("--lead-time-between-regions", type=float, default=None, help="MRIO: lead time of links between regions (default: --lead-time)")
    p.add_argument("--make", type=Path, default=None, help="make table of a use table (default: make_*.csv beside use_*.csv)")
    p.add_argument(
        "--output-column",
        default=None,
        help="symmetric table: the column holding total output (default total_output; without it output is the row sum)",
    )
    p.add_argument(
        "--final-demand-columns",
        default=None,
        help="symmetric table: the final-demand columns, separated by ';' (default: every column that is not a sector or the output)",
    )
    p.add_argument("--region", default=None, help="region of every sector of a single-region table (default US for BEA, AU for ABS, else domestic)")
    p.add_argument("--licence", default="", help="MRIO: the licence of the data, recorded in the provenance")
    p.add_argument(
        "--necessities",
        type=Path,
        default=None,
        metavar="FILE",
        help="CSV table with columns product,input,necessity (critical, important or noncritical) overriding the share rule for those inputs",
    )
