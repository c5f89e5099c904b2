"""What every importer shares: reading source tables with every problem located, provenance, and the stage-network builder.

A source problem names the file, the record and the column the way the
chain-map loader does (`table[row] (line N).column`, rows counted from 0 over
the data rows, lines from 1 with the header on line 1), so a planner fixes a
source file the same way as a model file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simcore.chainmap.schema import Category
from simcore.errors import NO_VALUE, InputError, Problem
from simcore.importers.write import MapTables, ModelHeader, write_chain_map
from simcore.validation import UNCLOSED_QUOTE, raise_if, repeated_columns, unclosed_quote_line

CATEGORIES = tuple(c.value for c in Category)


# --- the result of an import --------------------------------------------------


@dataclass
class ImportedMap:
    """A chain map built from a source, not yet written: its tables, its model-file header and what the import changed."""

    kind: str
    tables: MapTables
    header: ModelHeader
    notes: list[str] = field(default_factory=list)  # what was dropped, clipped or assumed; also in the provenance

    def write(self, out: str | Path) -> Path:
        """Write the model file `out` and its CSV tables in a folder of the same name beside it."""
        return write_chain_map(self.tables, out, self.header)

    def summary(self) -> str:
        t = self.tables
        return f"{len(t.products)} products, {len(t.firms)} firms, {len(t.links)} links, {len(t.demand)} firms with final demand"


def source_label(path: Path) -> str:
    """A source file as `folder/name`: where it came from without the machine-specific part of its path."""
    path = Path(path)
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def provenance(
    importer: str,
    module: str,
    version: int,
    source: str,
    licence: str,
    options: dict[str, Any],
    files: Sequence[Path] = (),
    notes: Sequence[str] = (),
    digests: Sequence[str] = (),
) -> str:
    """The `[model] provenance` text: one `key: value` line each, so it reads as text and parses as lines.

    Files are named by `folder/name` with their SHA-256, never by absolute
    path, so the same import gives the same bytes on every machine.
    """
    lines = [f"importer: simcore import {importer} ({module} version {version})", f"source: {source}"]
    if files:
        lines.append("files: " + ", ".join(f"{source_label(f)} (sha256 {digest(f)})" for f in files))
    lines += [f"data: {d}" for d in digests]
    lines.append(f"licence: {licence}")
    lines.append("options: " + json.dumps(options, sort_keys=True, default=str))
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


def regenerate_comment(kind: str, source: str, options: dict[str, Any]) -> str:
    """The first lines of an imported model file: what wrote it and how to write it again."""
    import shlex

    args = []
    for k, v in sorted(options.items()):
        if v is None or v is False:
            continue
        if k == "columns":  # one --column flag per mapping
            args += [f"--column {shlex.quote(item)}" for item in str(v).split(";")]
            continue
        flag = "--" + k.replace("_", "-")
        args.append(flag if v is True else f"{flag} {shlex.quote(str(v))}")
    return (
        f"Written by `simcore import {kind}`; do not edit by hand, import again instead:\n  simcore import {kind} {shlex.quote(source)} OUT "
        + " ".join(args)
    )


def check_options(kind: str, given: dict[str, Any], known: Iterable[str]) -> None:
    """Unknown keyword options are an InputError listing the known ones (a typo is not silently ignored)."""
    known = sorted(known)
    bad = [k for k in given if k not in known]
    if bad:
        raise InputError([Problem(f"import {kind}", k, NO_VALUE, f"unknown option; expected one of {', '.join(known)}") for k in bad])


def option_problem(kind: str, name: str, value: Any, expected: str) -> InputError:
    return InputError([Problem(f"import {kind}", name, value, expected)])


# --- reading source tables -----------------------------------------------------


@dataclass
class SourceTable:
    """The rows of one CSV source file with the line each starts on; cells are kept as text."""

    path: Path
    table: str  # the record name used in problems: `stages[3] (line 5).stageTime`
    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    @property
    def file(self) -> str:
        return str(self.path)

    def where(self, i: int, column: str = "") -> str:
        loc = f"{self.table}[{i}] (line {self.lines[i]})"
        return f"{loc}.{column}" if column else loc

    def header_where(self, column: str) -> str:
        return f"{self.table} (line 1).{column}"

    def columns(
        self,
        required: Sequence[str],
        optional: Sequence[str] = (),
        problems: list[Problem] | None = None,
        alternatives: dict[str, Sequence[str]] | None = None,
    ) -> dict[str, int]:
        """Column positions by name; a missing required column is a problem naming the columns the header has.

        `alternatives` maps a column to other names it may have (`cost_rate` or `cost`).
        """
        names = [h.strip() for h in self.header]
        out: dict[str, int] = {}
        for col in (*required, *optional):
            for name in (col, *(alternatives or {}).get(col, ())):
                if name in names:
                    out[col] = names.index(name)
                    break
            else:
                if col in required and problems is not None:
                    other = (alternatives or {}).get(col, ())
                    expected = f"a column named '{col}'" + (f" (or {', '.join(repr(o) for o in other)})" if other else "")
                    problems.append(
                        Problem(
                            self.file,
                            self.header_where(col),
                            NO_VALUE,
                            f"required column is missing: expected {expected}; the header has {', '.join(n for n in names if n) or 'no names'}",
                        )
                    )
        return out

    def cell(self, i: int, pos: int | None) -> str:
        """The stripped text of a cell; '' for a missing column or a short row."""
        if pos is None:
            return ""
        row = self.rows[i]
        return row[pos].strip() if pos < len(row) else ""


def read_source_table(path: str | Path, table: str, problems: list[Problem]) -> SourceTable | None:
    """A CSV source file as rows of text cells; None (with a problem) when it cannot be read."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        problems.append(Problem(file, "", NO_VALUE, "file not found"))
        return None
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):  # a zip file read as text reports a header of "PK..." garbage
        problems.append(Problem(file, "", NO_VALUE, "expected a CSV file, not an Excel workbook: save the sheet as CSV UTF-8; "
                                "a workbook in the layout of `simcore template` is a chain map itself (simcore validate FILE.xlsx)"))
        return None
    rows, lines = [], []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                problems.append(Problem(file, f"{table} (line 1)", NO_VALUE, "expected a header row naming the columns"))
                return None
            problems += repeated_columns(file, table, header)
            for raw in reader:
                if not any(c.strip() for c in raw):
                    continue  # blank line
                lines.append(reader.line_num - sum(c.count("\n") for c in raw))
                rows.append(raw)
            if rows and any("\n" in c for c in rows[-1]):  # the last row spans lines: perhaps a quote never closes
                opened = unclosed_quote_line(path)
                if opened is not None:
                    problems.append(Problem(file, f"{table} (line {opened})", NO_VALUE, UNCLOSED_QUOTE))
                    return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, "", NO_VALUE, f"not UTF-8 text: {exc}"))
        return None
    except csv.Error as exc:
        problems.append(Problem(file, f"{table} (line {reader.line_num})", NO_VALUE, f"not valid CSV: {exc}"))
        return None
    except OSError as exc:
        problems.append(Problem(file, "", NO_VALUE, f"cannot be read: {exc.strerror or exc}"))
        return None
    return SourceTable(path, table, header, rows, lines)


def parse_number(
    text: str, file: str, where: str, problems: list[Problem], *, minimum: float | None = None, strict_minimum: bool = False
) -> float | None:
    """A finite number from a cell, or None with a problem naming the file, record, column and value."""
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(file, where, text, "a number"))
        return None
    if not math.isfinite(value):
        problems.append(Problem(file, where, text, "a finite number (not nan or inf)"))
        return None
    if minimum is not None and (value < minimum or (strict_minimum and value == minimum)):
        problems.append(Problem(file, where, value, f"a number {'>' if strict_minimum else '>='} {minimum:g}"))
        return None
    return value


# --- stage networks (Willems 2008, GSM chains) ----------------------------------


@dataclass
class Stage:
    """One stage of a multi-echelon chain: it becomes one firm making its own product."""

    id: str
    lead_time: float  # the stage time: days from having its inputs to its output being usable downstream
    demand: float = 0.0  # mean external demand per day
    cost: float | None = None  # cost added at the stage
    tags: list[str] = field(default_factory=list)
    category: str | None = None  # None: by position (source, demand stage, other)


@dataclass
class Arc:
    up: str
    down: str
    units: float = 1.0  # units of `up` per unit of `down`


def prune_to_demand(firms: Sequence[str], links: Sequence[tuple[str, str]], demand: dict[str, float]) -> set[str]:
    """Firms with a supply path to a firm with positive final demand (including those firms themselves)."""
    upstream = defaultdict(list)
    for s, c in links:
        upstream[c].append(s)
    keep = {f for f in firms if demand.get(f, 0.0) > 0}
    queue = deque(keep)
    while queue:
        for s in upstream[queue.popleft()]:
            if s not in keep:
                keep.add(s)
                queue.append(s)
    return keep


def name_some(ids: Sequence[str], n: int = 5) -> str:
    ids = list(ids)
    return ", ".join(ids[:n]) + (f", ... ({len(ids)} in all)" if len(ids) > n else "")


def stage_tables(stages: Sequence[Stage], arcs: Sequence[Arc], region: str, notes: list[str]) -> MapTables:
    """One firm and one product per stage, one link and one recipe entry per arc (share 1, since every stage makes its own product).

    Lead time of a link is the stage time of its upstream stage, plus that of
    its downstream stage when that has no customer (a demand stage), so every
    path from a source to final demand takes the sum of its stage times; the price of a
    stage's product is its cumulative cost (its own cost plus that of every
    input, times the units used), left at the default 1 where that is 0.
    Stages with no path to positive demand are dropped (a note says which).
    """
    by_id = {s.id: s for s in stages}
    demand = {s.id: s.demand for s in stages}
    keep = prune_to_demand([s.id for s in stages], [(a.up, a.down) for a in arcs], demand)
    dropped = [s.id for s in stages if s.id not in keep]
    if dropped:
        suppliers = {a.up for a in arcs}
        zero = [s for s in dropped if s not in suppliers]
        notes.append(
            f"dropped {len(dropped)} stage(s) with no path to a stage with positive demand ({len(zero)} of them demand stages with zero demand): {name_some(dropped)}"
        )
    stages = [s for s in stages if s.id in keep]
    arcs = [a for a in arcs if a.up in keep and a.down in keep]

    inputs: dict[str, list[Arc]] = defaultdict(list)
    has_customer = set()
    for a in arcs:
        inputs[a.down].append(a)
        has_customer.add(a.up)

    # cumulative cost in topological order (stage data is acyclic: checked by the caller)
    cum: dict[str, float | None] = {}
    for v in topological_order([s.id for s in stages], arcs):
        own = by_id[v].cost
        parts = [cum[a.up] for a in inputs[v]]
        cum[v] = None if own is None or any(p is None for p in parts) else own + sum(a.units * cum[a.up] for a in inputs[v])
    no_price = [s.id for s in stages if not (cum.get(s.id) or 0) > 0]
    if no_price and len(no_price) < len(stages):
        notes.append(f"{len(no_price)} stage(s) have cumulative cost 0 or unknown: their price is left at the default 1: {name_some(no_price)}")

    def category(s: Stage) -> str:
        if s.demand > 0:
            return "final_product"
        if s.category:
            return s.category
        return "basic_component" if not inputs[s.id] else "subassembly"

    products = pd.DataFrame(
        {
            "id": [s.id for s in stages],
            "category": [category(s) for s in stages],
            "price": [cum[s.id] if (cum.get(s.id) or 0) > 0 else None for s in stages],
        }
    )
    recipes = pd.DataFrame({"product": [a.down for a in arcs], "input": [a.up for a in arcs], "units": [a.units for a in arcs]})
    firms = pd.DataFrame(
        {
            "id": [s.id for s in stages],
            "product": [s.id for s in stages],
            "region": [region] * len(stages),
            "tags": [list(s.tags) for s in stages],
        }
    )
    # a stage's time is carried by the links out of it; a stage with no customer (a demand stage) adds its time to the links into it
    lead = [by_id[a.up].lead_time + (by_id[a.down].lead_time if a.down not in has_customer else 0.0) for a in arcs]
    links = pd.DataFrame({"supplier": [a.up for a in arcs], "customer": [a.down for a in arcs], "lead_time": lead})
    dem = pd.DataFrame({"firm": [s.id for s in stages if s.demand > 0], "units": [s.demand for s in stages if s.demand > 0]})
    return MapTables(products=products, recipes=recipes, firms=firms, links=links, demand=dem)


def topological_order(ids: Sequence[str], arcs: Sequence[Arc]) -> list[str]:
    """The stages in an order where every arc goes forward (Kahn); the stages on or behind a cycle are left out."""
    indeg = {i: 0 for i in ids}
    users = defaultdict(list)
    for a in arcs:
        indeg[a.down] += 1
        users[a.up].append(a.down)
    order, ready = [], deque(i for i, d in indeg.items() if d == 0)
    while ready:
        v = ready.popleft()
        order.append(v)
        for w in users[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                ready.append(w)
    return order


def find_cycle(ids: Sequence[str], arcs: Sequence[Arc]) -> list[str]:
    """Stages of one cycle of the arcs, or [] when the arcs are acyclic (a topological sort first: fast on large chains)."""
    rest = set(ids) - set(topological_order(ids, arcs))
    if not rest:
        return []
    import networkx as nx

    g = nx.DiGraph((a.up, a.down) for a in arcs if a.up in rest and a.down in rest)
    return [u for u, _ in nx.find_cycle(g)]


@dataclass
class ArcSource:
    """Where an arc was read: its file and the field paths of its upstream and downstream cells."""

    file: str
    up: str
    down: str


def check_stage_arcs(stages: Sequence[Stage], arcs: Sequence[tuple[Arc, ArcSource]], problems: list[Problem]) -> list[Arc]:
    """The arcs whose stages exist, each pair once, no stage its own input; problems for the others."""
    ids = {s.id for s in stages}
    seen: dict[tuple[str, str], str] = {}
    good = []
    for arc, src in arcs:
        ok = True
        for end, where, name in ((arc.up, src.up, "upstream"), (arc.down, src.down, "downstream")):
            if end not in ids:
                problems.append(Problem(src.file, where, end, f"the name of a stage of this chain (no stage of that name; {name} stage of an arc)"))
                ok = False
        if not ok:
            continue
        if arc.up == arc.down:
            problems.append(Problem(src.file, src.up, arc.up, "an upstream stage other than the stage itself"))
            continue
        if (arc.up, arc.down) in seen:
            problems.append(Problem(src.file, src.up, f"{arc.up} -> {arc.down}", f"each arc once (also at {seen[arc.up, arc.down]})"))
            continue
        seen[arc.up, arc.down] = src.up
        good.append(arc)
    return good




@dataclass(frozen=True)
class StageColumns:
    """What a stage table calls the cells every stage network has; the Willems and GSM layouts differ only in these names."""

    stage: str  # the stage's name
    lead_time: str  # days
    lead_time_is: str  # what the lead-time cell holds, for the message when it is empty
    demand: str  # mean external demand per day; empty for a stage without demand
    cost: str  # cost added at the stage; optional
    cost_alternatives: tuple[str, ...] = ()  # other names of the cost column

    def positions(
        self, table: SourceTable, problems: list[Problem], required: Sequence[str] = (), optional: Sequence[str] = ()
    ) -> dict[str, int]:
        """Column positions of these cells and of the layout's own `required` and `optional` columns."""
        return table.columns(
            [self.stage, self.lead_time, self.demand, *required],
            [self.cost, *optional],
            problems,
            alternatives={self.cost: self.cost_alternatives},
        )


def read_stages(
    table: SourceTable,
    names: StageColumns,
    cols: dict[str, int],
    problems: list[Problem],
    more: Callable[[int, str], dict[str, Any]] | None = None,
) -> tuple[list[Stage], set[str]]:
    """One Stage per row of a stage table, and the names of the stages whose row has a bad cell (left out).

    `more(i, name)` reads what only one layout has from row `i` (adding any
    problems to the same list) and returns further Stage fields.
    """
    cost_name = table.header[cols[names.cost]].strip() if names.cost in cols else names.cost
    stages: list[Stage] = []
    seen: dict[str, str] = {}
    bad: set[str] = set()
    for i in range(len(table.rows)):
        sid = table.cell(i, cols[names.stage])
        if not sid:
            problems.append(Problem(table.file, table.where(i, names.stage), NO_VALUE, "expected a stage name (the cell is empty)"))
            continue
        if sid in seen:
            problems.append(Problem(table.file, table.where(i, names.stage), sid, f"a stage name not used before (also at {seen[sid]})"))
            continue
        seen[sid] = table.where(i)
        n_before = len(problems)
        text = table.cell(i, cols[names.lead_time])
        where = table.where(i, names.lead_time)
        if not text:
            problems.append(Problem(table.file, where, NO_VALUE, f"expected {names.lead_time_is} (the cell is empty)"))
            lead = 0.0
        else:
            lead = parse_number(text, table.file, where, problems, minimum=0)
        text = table.cell(i, cols[names.demand])
        demand = parse_number(text, table.file, table.where(i, names.demand), problems, minimum=0) if text else 0.0
        text = table.cell(i, cols.get(names.cost))
        cost = parse_number(text, table.file, table.where(i, cost_name), problems, minimum=0) if text else None
        fields = more(i, sid) if more else {}
        if len(problems) > n_before:
            bad.add(sid)
            continue
        stages.append(Stage(id=sid, lead_time=lead, demand=demand, cost=cost, **fields))
    return stages, bad


def stage_arcs(
    stages: Sequence[Stage], arcs: Sequence[tuple[Arc, ArcSource]], bad: set[str], problems: list[Problem], file: str, field: str, what: str
) -> list[Arc]:
    """The checked arcs of a stage network; InputError for any problem so far, or a cycle (`what` has none: "arcs", ...).

    Arcs to or from a stage in `bad` are dropped unreported: that stage's row already has a problem.
    """
    arcs = [(a, s) for a, s in arcs if a.up not in bad and a.down not in bad]
    good = check_stage_arcs(stages, arcs, problems)
    raise_if(problems)
    cycle = find_cycle([s.id for s in stages], good)
    if cycle:
        raise InputError(
            [Problem(file, field, NO_VALUE, f"expected {what} without a cycle (a stage cannot be its own input); found one through {name_some(cycle)}")]
        )
    return good
