"""The fast path for big CSV tables: whole columns checked at once (Arrow), records built without per-row validation.

A large map is almost always valid, and validating its millions of rows one by one through pydantic was most of the
time and memory of loading it (benchmarks/README.md, Scaling). So a CSV table is first read by Arrow, every cell of
every column is checked against the plain form of its field (an id, a number in range, a tier, a category, a `;`
list, `input=days` pairs), and if every cell passes, the records are built directly (`model_construct`) with
exactly the values validation would give. If anything at all is unusual — an unknown or repeated column, a missing
required cell, a quoted cell over several lines, a ragged row, a number written another way, a value out of range —
the fast path gives up and the table goes through the record path (`simcore.validation.read_csv_table` and
per-record validation), which finds and names every problem. So the fast path can only ever accept what the record
path accepts, and produces the same records (tests/chainmap/test_columns.py checks both on random cells).
"""

from __future__ import annotations

import csv as text_csv
import math
import re
from pathlib import Path

import numpy as np

from simcore.chainmap.schema import ROW_MODELS, Category, Necessity
from simcore.limits import MAX_LEAD_TIME

# the plain form of each CSV column: (kind, low, low inclusive, high); kinds below
ID, TEXT, IDS, NUMBER, TIER, CATEGORY, NECESSITY, COVERS = "id", "text", "ids", "number", "tier", "category", "necessity", "covers"
NONNEG = (NUMBER, 0.0, True, math.inf)
POSITIVE = (NUMBER, 0.0, False, math.inf)
COLUMNS: dict[str, dict[str, tuple]] = {
    "products": {"id": (ID,), "name": (TEXT,), "category": (CATEGORY,), "chains": (IDS,), "price": POSITIVE},
    "recipes": {"product": (ID,), "input": (ID,), "units": POSITIVE, "necessity": (NECESSITY,)},
    "firms": {
        "id": (ID,), "name": (TEXT,), "product": (ID,), "region": (ID,), "tags": (IDS,), "group": (TEXT,), "chains": (IDS,),
        "headroom": NONNEG, "cover": NONNEG, "cover_by_input": (COVERS,), "priority": (TIER,),
    },  # fmt: skip
    "links": {"supplier": (ID,), "customer": (ID,), "share": (NUMBER, 0.0, False, 1.0), "lead_time": (NUMBER, 0.0, True, MAX_LEAD_TIME), "priority": (TIER,)},
    "demand": {"firm": (ID,), "product": (ID,), "units": NONNEG},
}
# a number as Python, pydantic and Arrow all read it alike (no `1_000`, `inf`, hex or spaces inside)
PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_PLAIN = re.compile(PLAIN_NUMBER)
ENUMS = {CATEGORY: Category, NECESSITY: Necessity}


def fast_records(path: Path, table: str) -> list | None:
    """The records of CSV table `table` at `path` if every cell is in its plain valid form; None otherwise (the
    record path then reads the table and reports what is wrong)."""
    import pyarrow as pa
    from pyarrow import csv

    spec, model = COLUMNS[table], ROW_MODELS[table]
    try:
        bom, header = _header(path)
        data = csv.read_csv(
            path,
            read_options=csv.ReadOptions(encoding="utf8"),
            parse_options=csv.ParseOptions(newlines_in_values=False),
            convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in header}, strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError, ValueError):
        return None
    names = data.column_names
    stripped = [n.strip() for n in names]
    if bom or len(set(stripped)) != len(stripped) or not set(stripped) <= set(spec) or data.num_rows == 0:
        return None
    required = [f for f, info in model.model_fields.items() if info.is_required()]
    if not set(required) <= set(stripped):
        return None
    columns: dict[str, list] = {}
    for name, field in zip(names, stripped):
        values = _column(data.column(name), spec[field], field in required)
        if values is None:
            return None
        columns[field] = values
    return _records(model, columns, data.num_rows)


def _records(model, columns: dict[str, list], n: int) -> list:
    """`n` records of `model` from their columns (None: the field's default), set up as pydantic's
    `model_construct` sets them up (the instance's `__dict__`, fields set, no extra, no private attributes) but
    with no per-record resolution of defaults: 18 µs a record down to about 1. The records equal validated ones
    (tests/chainmap/test_columns.py)."""
    from itertools import compress, repeat

    names = list(model.model_fields)
    filled, present = [], []
    for f in names:
        col = columns.get(f)
        if col is None:  # no such column: the default everywhere
            filled.append(repeat(model.model_fields[f].get_default(call_default_factory=True), n))
            present.append(repeat(False, n))
        else:
            default = None if model.model_fields[f].is_required() else model.model_fields[f].get_default(call_default_factory=True)
            filled.append([default if v is None else v for v in col])
            present.append([v is not None for v in col])
    new, setattr_ = model.__new__, object.__setattr__
    out = []
    for row, flags in zip(zip(*filled), zip(*present)):
        record = new(model)
        setattr_(record, "__dict__", dict(zip(names, row)))
        setattr_(record, "__pydantic_fields_set__", set(compress(names, flags)))
        setattr_(record, "__pydantic_extra__", None)
        setattr_(record, "__pydantic_private__", None)
        out.append(record)
    return out


def _header(path: Path) -> tuple[bool, list[str]]:
    """Whether the file starts with a byte-order mark (the record path reads those), and its header's names: every
    column is read as text by name (Arrow would otherwise guess types and read `007` as 7)."""
    with path.open("rb") as fh:
        first = fh.readline()
    return first.startswith(b"\xef\xbb\xbf"), next(text_csv.reader([first.decode("utf-8")]), [])


def _column(column, spec: tuple, required: bool) -> list | None:
    """One column's values as validation would give them (None for an empty cell: the default applies), or None
    when some cell is not in the plain form of its field. Numbers are checked and parsed by Arrow, padded by
    spaces or tabs at most (what `str.strip` removes too); every other cell is stripped as the record path does."""
    import pyarrow.compute as pc

    raw = column.combine_chunks()
    kind = spec[0]
    if kind in (NUMBER, TIER):
        text = pc.utf8_trim(raw, " \t")
        empty = pc.equal(text, "")
        if required and pc.any(empty).as_py():
            return None
        filled = pc.filter(text, pc.invert(empty))
        pattern = PLAIN_NUMBER if kind == NUMBER else r"^[0-9]$"
        if len(filled) and not pc.all(pc.match_substring_regex(filled, pattern)).as_py():
            return None
        values = pc.cast(filled, "float64").to_numpy()
        if kind == NUMBER:
            _, low, inclusive, high = spec
            if not (np.isfinite(values).all() and (values >= low if inclusive else values > low).all() and (values <= high).all()):
                return None
        else:
            values = values.astype(np.int64)
        gaps = empty.to_numpy(zero_copy_only=False)
        if not gaps.any():
            return values.tolist()
        out: list = [None] * len(raw)
        for k, v in zip(np.flatnonzero(~gaps).tolist(), values.tolist()):
            out[k] = v
        return out
    cells = [c.strip() for c in raw.to_pylist()]
    if required and "" in cells:
        return None
    if kind in (ID, TEXT):
        return [c or None for c in cells]
    if kind in ENUMS:
        allowed = {e.value: e for e in ENUMS[kind]}
        if not all(c == "" or c in allowed for c in cells):
            return None
        return [allowed[c] if c else None for c in cells]
    if kind == IDS:
        return [[x.strip() for x in c.split(";") if x.strip()] if c else None for c in cells]
    return _covers(cells)


def _covers(cells: list[str]) -> list | None:
    """`input=days;input=days` cells as dicts of non-negative days, as `simcore.validation.table_row` reads them."""
    out = []
    for c in cells:
        if c == "":
            out.append(None)
            continue
        pairs = {}
        for part in (p for p in c.split(";") if p.strip()):
            kv = part.split("=")
            if len(kv) != 2 or not kv[0].strip():
                return None
            key, value = kv[0].strip(), kv[1].strip()
            if not _PLAIN.match(value):
                return None
            days = float(value)
            if not (math.isfinite(days) and days >= 0):
                return None
            pairs[key] = days
        out.append(pairs)
    return out
