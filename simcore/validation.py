"""Reading plain-data input files into validated records, with every problem collected.

Shared by chain maps and scenarios: TOML and CSV parsing, and turning
pydantic's errors into `Problem`s that name the file, field, value and
expectation.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import BaseModel, TypeAdapter, ValidationError

from simcore.errors import NO_VALUE, InputError, Problem, did_you_mean, format_loc


MAX_DEPTH = 32  # tables and arrays inside each other; simcore's own files need fewer than 8


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, or raise an InputError naming the file and the syntax problem.

    A UTF-8 byte-order mark is skipped (as for CSV tables: editors on Windows
    write one); nesting deeper than MAX_DEPTH is refused before anything
    recursive sees it.
    """
    file = str(path)
    if path.is_dir():
        raise InputError([Problem(file, "", NO_VALUE, "a TOML file, not a folder")])
    if not path.is_file():
        raise InputError([Problem(file, "", NO_VALUE, "file not found")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(file, "", NO_VALUE, f"not valid TOML: {exc}")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(file, "", NO_VALUE, f"not UTF-8 text: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(file, "", NO_VALUE, f"tables or arrays nested too deeply; expected at most {MAX_DEPTH} levels")]) from None
    except OSError as exc:
        raise InputError([Problem(file, "", NO_VALUE, f"cannot be read: {exc.strerror or exc}")]) from None
    deep = _too_deep(doc)
    if deep is not None:
        raise InputError([Problem(file, format_loc(deep), NO_VALUE, f"tables or arrays nested too deeply; expected at most {MAX_DEPTH} levels")])
    return doc


def _too_deep(doc: Any) -> tuple | None:
    """The path of a value nested deeper than MAX_DEPTH, or None (iterative, so any depth is safe)."""
    stack = [((), doc)]
    while stack:
        loc, value = stack.pop()
        if len(loc) > MAX_DEPTH:
            return loc[:MAX_DEPTH]
        if isinstance(value, dict):
            stack += [((*loc, k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [((*loc, i), v) for i, v in enumerate(value)]
    return None


def pydantic_problems(
    exc: ValidationError,
    file: str,
    prefix: tuple = (),
    rename: Callable[[tuple], str] | None = None,
    *,
    data: Any = NO_VALUE,
    schema: Any = None,
) -> list[Problem]:
    """Translate pydantic's error list into Problems, one per bad field.

    `data` (the validated input) lets tags of discriminated unions be dropped
    from field paths (`shocks[0].firm_outage.start` -> `shocks[0].start`);
    `schema` (the validated type) lets an unknown field list the known ones.
    """
    problems = []
    for err in exc.errors():
        raw_loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "~"))))
        loc = _drop_tags(raw_loc, data, err["type"])
        ctx = err.get("ctx") or {}
        value = err.get("input", NO_VALUE)
        kind = err["type"]
        if kind == "missing":
            value, expected = NO_VALUE, "required field is missing"
        elif kind == "extra_forbidden":
            known = _known_fields(schema, raw_loc[:-1])
            value = NO_VALUE
            expected = "unknown field" + (f"; expected one of {', '.join(known)}{did_you_mean(raw_loc[-1], known)}" if known else " (check its spelling in docs/formats.md)")
        elif kind == "union_tag_invalid":
            tag = _strip_quotes(ctx.get("discriminator", "kind"))
            loc = loc + (tag,)
            value = value.get(tag, ctx.get("tag")) if isinstance(value, dict) else ctx.get("tag")
            tags = re.findall(r"'([^']*)'", ctx.get("expected_tags", ""))
            expected = "one of " + _plain_list(ctx.get("expected_tags", "")) + did_you_mean(value, tags)
        elif kind == "union_tag_not_found":
            tag = _strip_quotes(ctx.get("discriminator", "kind"))
            loc = loc + (tag,)
            tags = _union_tags(schema, tag)
            value = NO_VALUE
            expected = "required field is missing" + (f"; expected one of {', '.join(tags)}" if tags else "")
        elif loc and loc[-1] == "[key]":  # a bad key of a table, e.g. `recipe = { "" = 1 }`
            value, loc = (loc[-2] if len(loc) > 1 else value), loc[:-2]
            expected = "a key that is " + _expectation(kind, err["msg"], ctx, value)
        else:
            expected = _expectation(kind, err["msg"], ctx, value)
        field = rename(tuple(prefix) + loc) if rename else format_loc(tuple(prefix) + loc)
        if isinstance(value, dict | list) and kind not in ("model_type", "list_type", "dict_type", "model_attributes_type", "too_short", "too_long"):
            value = NO_VALUE
        if value is NO_VALUE and kind not in ("missing", "extra_forbidden", "union_tag_not_found") and not expected.startswith("expected "):
            expected = "expected " + expected  # printed without a value: make it a sentence
        problems.append(Problem(file, field, value, expected))
    return problems


_BOUNDS = {"greater_than": (">", "gt"), "greater_than_equal": (">=", "ge"), "less_than": ("<", "lt"), "less_than_equal": ("<=", "le")}
_PLAIN = {
    "finite_number": "a finite number (not nan or inf)",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string (text in quotes)",
    "string_too_short": "a non-empty string",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def _expectation(kind: str, msg: str, ctx: dict, value: Any) -> str:
    """What a field should hold, as a phrase: `a number >= 0`, `one of csv, parquet`."""
    if kind in _BOUNDS:
        op, key = _BOUNDS[kind]
        bound = ctx.get(key)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"a number {op} {bound}"
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", ""))
        options = re.findall(r"'([^']*)'", expected)
        return "one of " + (", ".join(options) or expected) + did_you_mean(value, options)
    if kind == "list_type":
        return "a list (a table array is written [[name]], not [name])" if isinstance(value, dict) else "a list"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"at least {n} item" + ("s" if n != 1 else "")
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    text = msg.replace("Input should be ", "")
    return text[:1].lower() + text[1:]


def _strip_quotes(text: str) -> str:
    return text.strip().strip("'\"")


def _plain_list(quoted: str) -> str:
    """`"'a', 'b' or 'c'"` -> `"a, b, c"`."""
    return ", ".join(re.findall(r"'([^']*)'", quoted)) or quoted


def _drop_tags(loc: tuple, data: Any, kind: str) -> tuple:
    """Drop the tags that discriminated unions add to a path, by walking the input alongside it.

    A string step that is not a key of the input table at that point is a tag,
    unless it is the last step of a `missing` error (the missing field itself).
    """
    if data is NO_VALUE:
        return loc
    out, cursor = [], data
    for n, part in enumerate(loc):
        last = n == len(loc) - 1
        if isinstance(cursor, dict):
            if part in cursor:
                cursor = cursor[part]
            elif isinstance(part, str) and part != "[key]" and not (last and kind in ("missing", "extra_forbidden")) and part in cursor.values():
                continue  # the tag, e.g. `firm_outage` of `kind = "firm_outage"`
            else:
                cursor = NO_VALUE
        elif isinstance(cursor, list) and isinstance(part, int) and 0 <= part < len(cursor):
            cursor = cursor[part]
        else:
            cursor = NO_VALUE
        out.append(part)
    return tuple(out)


def _unwrap(tp: Any) -> Any:
    """Strip `Annotated[...]` and `X | None` down to the type itself."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _step(tp: Any, part: Any) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        f = tp.model_fields.get(part) if isinstance(part, str) else None
        return f.annotation if f is not None else None
    if origin in (list, tuple) and isinstance(part, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, types.UnionType) and isinstance(part, str):
        for member in typing.get_args(tp):
            member = _unwrap(member)
            if isinstance(member, type) and issubclass(member, BaseModel):
                for f in member.model_fields.values():
                    if typing.get_origin(f.annotation) is typing.Literal and part in typing.get_args(f.annotation):
                        return member
    return None


def _known_fields(schema: Any, loc: tuple) -> list[str]:
    """Field names of the record at `loc` (tags included) inside `schema`; [] when unknown."""
    tp = schema
    try:
        for part in loc:
            if tp is None:
                return []
            tp = _step(tp, part)
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and tp.model_config.get("extra") == "forbid":
            return list(tp.model_fields)
    except Exception:  # best effort: the plain message is still right
        return []
    return []


def _union_tags(schema: Any, discriminator: str) -> list[str]:
    """Tags of the discriminated unions on `discriminator` anywhere in `schema` (for a missing `kind`)."""
    tags: list[str] = []
    seen: set[int] = set()

    def walk(tp: Any) -> None:
        if id(tp) in seen or tp is None:
            return
        seen.add(id(tp))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            for f in tp.model_fields.values():
                walk(f.annotation)
            return
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Annotated and typing.get_origin(_unwrap(args[0])) in (typing.Union, types.UnionType):
            if any(getattr(m, "discriminator", None) == discriminator for m in args[1:]):
                for member in typing.get_args(_unwrap(args[0])):
                    f = getattr(member, "model_fields", {}).get(discriminator)
                    if f is not None and typing.get_origin(f.annotation) is typing.Literal:
                        tags.extend(t for t in typing.get_args(f.annotation) if t not in tags)
        for a in args:
            walk(a)

    try:
        walk(schema)
    except Exception:
        return []
    return tags


_ADAPTERS: dict[int, tuple[Any, TypeAdapter]] = {}


def adapter_for(schema: Any) -> TypeAdapter:
    """One TypeAdapter per schema type, built once (tables may have many rows)."""
    hit = _ADAPTERS.get(id(schema))
    if hit is None or hit[0] is not schema:
        hit = _ADAPTERS[id(schema)] = (schema, TypeAdapter(schema))
    return hit[1]


def validate(
    model: type[BaseModel] | TypeAdapter | Any,
    data: Any,
    file: str,
    prefix: tuple = (),
    *,
    cells: bool = False,
    rename: Callable[[tuple], str] | None = None,
) -> tuple[Any, list[Problem]]:
    """Validate `data` against a model class, a type (e.g. a tagged union) or a TypeAdapter; return (value or None, problems).

    TOML values carry their type, so they are validated strictly: `share = "0.5"`
    or `units = true` is a string or a boolean where a number belongs, and
    `set_rationing = 1` a number where true or false belongs. CSV cells
    (`cells=True`) are text and are parsed: `0.5` is a number there (workbook
    cells are turned into the same text first). `rename` names a field path
    as messages should (a sheet's row and column). Strict
    validation goes through JSON because pydantic's strict Python mode would
    also refuse the text of an enum (`rationing = "priority"`).
    """
    if isinstance(model, TypeAdapter):
        adapter, schema = model, getattr(model, "_type", None)
    else:
        adapter, schema = adapter_for(model), model
    try:
        if cells:
            return adapter.validate_python(data), []
        return adapter.validate_json(json.dumps(data, default=_json_scalar, allow_nan=True), strict=True), []
    except ValidationError as exc:
        return None, pydantic_problems(exc, file, prefix, rename, data=data, schema=schema)


def _json_scalar(value: Any) -> str:
    """TOML dates and times as their text: never valid where a number is expected, and readable in a message."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a TOML value")


LIST_COLUMNS = {"tags", "chains"}
MAP_COLUMNS = {"cover_by_input"}


@dataclass
class CsvTable:
    """The rows of one table (a CSV file, a Parquet file or a workbook sheet), the line or row each starts on, and the
    problems found."""

    rows: list[dict[str, Any]]
    lines: list[int]
    problems: list[Problem]
    complete: bool  # False when the file could not be read to its end
    table: str = ""
    sheet: str | None = None  # the workbook sheet the rows come from; None for a CSV or Parquet file
    letters: dict[str, str] = field(default_factory=dict)  # a sheet's column letter of each field
    unit: str = "line"  # what `lines` count: a CSV file's lines, a Parquet file's rows

    def where(self, i: int, field: str = "") -> str:
        """Row `i` (and its `field`) as messages name it: `firms[3] (line 5).cover`, `firms[3] (row 4).cover` (Parquet),
        or `sheet firms, row 5, column H (cover)`."""
        if self.sheet is None:
            return f"{self.table}[{i}] ({self.unit} {self.lines[i]})" + (f".{field}" if field else "")
        return f"sheet {self.sheet}, row {self.lines[i]}" + self._column(field)

    def where_rows(self, rows: list[int], field: str = "") -> str:
        """Several rows together (a share sum, a loop): `links[2,5].share`, or `sheet links, rows 4, 7, column C (share)`."""
        if self.sheet is None:
            return f"{self.table}[{','.join(map(str, rows))}]" + (f".{field}" if field else "")
        return f"sheet {self.sheet}, rows {', '.join(str(self.lines[i]) for i in rows)}" + self._column(field)

    def _column(self, field: str) -> str:
        if not field:
            return ""
        letter = self.letters.get(field.split(".")[0].split("[")[0])
        return f", column {letter} ({field})" if letter else f" ({field})"


def read_csv_table(path: Path, table: str, columns: Iterable[str] | None = None) -> CsvTable:
    """Rows of a CSV table as dicts, the file line each row starts on, and the problems found.

    Empty cells are left out, `a;b` cells of list columns become lists, and
    `cover_by_input` cells are written `cells=10;pack=5`. With `columns`, a
    header naming another column is reported once (at line 1) and the column
    is ignored, instead of one problem per row.
    """
    file = str(path)
    if not path.is_file():
        return CsvTable([], [], [Problem(file, f"tables.{table}", file, "a CSV file (paths are relative to the model file's folder)")], False)
    rows, lines, problems = [], [], []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames
            if not header:
                return CsvTable([], [], [Problem(file, f"{table} (line 1)", NO_VALUE, "expected a header row naming the columns")], False)
            problems += repeated_columns(file, table, header)
            problems += unknown_columns(file, table, header, columns)
            ignored = {name for name in header if columns is not None and name.strip() not in columns}
            for i, raw in enumerate(reader):
                # the line the row starts on: DictReader skips blank lines, and quoted cells may span lines
                line = reader.line_num - sum(str(c).count("\n") for c in _cells(raw))
                where = f"{table}[{i}] (line {line})"
                cells = ((key.strip(), cell) for key, cell in raw.items() if key is not None and key not in ignored)
                rows.append(table_row(cells, file, lambda key: f"{where}.{key}", problems))
                if None in raw:
                    problems.append(Problem(file, where, raw[None], "no more cells than header columns"))
                lines.append(line)
                last = raw
            if rows and any("\n" in c for c in _cells(last)):  # the last row spans lines: perhaps a quote never closes
                opened = unclosed_quote_line(path)
                if opened is not None:
                    del rows[-1], lines[-1]
                    problems.append(Problem(file, f"{table} (line {opened})", NO_VALUE, UNCLOSED_QUOTE))
                    return CsvTable(rows, lines, [p for p in problems if f"{table}[{len(rows)}]" not in p.field], False, table)
            if not rows:
                problems.append(Problem(file, f"{table} (line 2)", NO_VALUE, "expected at least one row below the header (leave a table without rows out of [tables])"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, "", NO_VALUE, f"not UTF-8 text: {exc}"))
    except csv.Error as exc:
        problems.append(Problem(file, f"{table} (line {reader.line_num})", NO_VALUE, f"not valid CSV: {exc}"))
    except OSError as exc:
        problems.append(Problem(file, "", NO_VALUE, f"cannot be read: {exc.strerror or exc}"))
    else:
        return CsvTable(rows, lines, problems, True, table)
    return CsvTable(rows, lines, problems, False, table)


PARQUET_SUFFIXES = (".parquet", ".pq")


def is_parquet(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


def parquet_cells(column):
    """A Parquet column as the text cells a CSV file of the table would hold, or None for a type no field takes:
    text as it is; numbers as the shortest text that reads back as the same float64 (Arrow's; a float32 is widened
    first); a list of text joined by `;`; a null as an empty cell. Both loading paths read a Parquet table through
    these cells (or, for numbers, their values), so it is checked as the same table written as CSV would be."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):  # pandas' categoricals
        column, kind = pc.cast(column, kind.value_type), kind.value_type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        if not (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
            return None
        column = pc.binary_join(column, ";")
    elif pa.types.is_floating(kind):
        column = pc.cast(pc.cast(column, pa.float64()), pa.string())
    elif pa.types.is_integer(kind):
        column = pc.cast(column, pa.string())
    elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    return pc.fill_null(pc.cast(column, pa.string()), "")


def read_parquet(path: Path):
    """The Arrow table of a Parquet file, or the problem that it cannot be read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).read(), None  # `pq.read_table` refuses a column named twice: read it, then name it
    except (pa.ArrowException, OSError) as exc:
        return None, Problem(str(path), "", NO_VALUE, f"expected a Parquet file that pyarrow can read ({exc})")


def read_parquet_table(path: Path, table: str, columns: Iterable[str] | None = None) -> CsvTable:
    """Rows of a Parquet table as `read_csv_table` gives a CSV file's: cells as text (`parquet_cells`), an empty cell
    left out, list and pair columns split as in CSV, rows numbered from 1; the same problems of columns and cells,
    and a column of a type no field takes (dates, booleans, structs) named with its type."""
    file = str(path)
    data, problem = read_parquet(path)
    if data is None:
        return CsvTable([], [], [problem], False, table, unit="row")
    header = data.column_names
    problems = repeated_columns(file, table, header, at="columns") + unknown_columns(file, table, header, columns, at="columns")
    text = []
    for c, name in enumerate(header):
        if columns is not None and name.strip() not in columns:
            continue
        cells = parquet_cells(data.column(c))
        if cells is None:
            expected = f"expected a column of text, numbers or lists of text; this one holds {data.schema.field(c).type}"
            problems.append(Problem(file, f"{table} (columns).{name.strip()}", NO_VALUE, expected))
            continue
        text.append((name.strip(), cells.to_pylist()))
    rows = []
    for i in range(data.num_rows):
        where = f"{table}[{i}] (row {i + 1})"
        rows.append(table_row(((name, cells[i]) for name, cells in text), file, lambda key, where=where: f"{where}.{key}", problems))
    if not rows:
        problems.append(Problem(file, table, NO_VALUE, "expected at least one row (leave a table without rows out of [tables])"))
    return CsvTable(rows, list(range(1, len(rows) + 1)), problems, True, table, unit="row")


def table_row(cells: Iterable[tuple[str, str]], file: str, where: Callable[[str], str], problems: list[Problem]) -> dict[str, Any]:
    """One row's (column, text) cells as a record's fields; shared by CSV files and workbook sheets, so both read alike.

    Empty cells are left out (the default applies), list columns split on `;`,
    `cover_by_input` cells are `input=days` pairs.
    """
    row: dict[str, Any] = {}
    for key, cell in cells:
        cell = (cell or "").strip()
        if cell == "":
            continue
        if key in LIST_COLUMNS:
            row[key] = [c.strip() for c in cell.split(";") if c.strip()]
        elif key in MAP_COLUMNS:
            try:
                row[key] = {k.strip(): v.strip() for k, v in (p.split("=") for p in cell.split(";") if p.strip())}
            except ValueError:
                problems.append(Problem(file, where(key), cell, "`input=days` pairs separated by `;`"))
        else:
            row[key] = cell
    return row


UNCLOSED_QUOTE = "expected a closing quote: the quoted cell that opens on this line runs to the end of the file"


def repeated_columns(file: str, table: str, header: list[str], at: str = "line 1") -> list[Problem]:
    """A column named twice in a CSV header (a reader would silently keep only one of them), or in a Parquet file's
    columns (`at="columns"`)."""
    first: dict[str, int] = {}
    problems = []
    for c, name in enumerate(header):
        name = name.strip()
        if name and name in first:
            problems.append(Problem(file, f"{table} ({at}).{name}", NO_VALUE, f"expected each column once (columns {first[name] + 1} and {c + 1} are both named '{name}')"))
        first.setdefault(name, c)
    return problems


def unknown_columns(file: str, table: str, header: list[str], columns: Iterable[str] | None, at: str = "line 1") -> list[Problem]:
    """A column that names no field (reported once, then ignored), in a CSV header or a Parquet file's columns."""
    if columns is None:
        return []
    known = list(columns)
    problems = []
    for c, name in enumerate(header):
        if name.strip() not in known:
            where = f"{table} ({at}).{name.strip()}" if name.strip() else f"{table} ({at}), column {c + 1}"
            what = "unknown column" if name.strip() else "a column without a name"
            problems.append(Problem(file, where, NO_VALUE, f"{what}; expected one of {', '.join(known)}"))
    return problems


def unclosed_quote_line(path: Path) -> int | None:
    """The line on which a quoted CSV cell opens that no quote closes, or None.

    Python's csv reader takes such a cell to the end of the file without an
    error, so the rows after it vanish into one cell; a doubled quote `""`
    inside a quoted cell toggles twice and changes nothing.
    """
    text = path.read_text(encoding="utf-8-sig")
    inside, opened = False, 0
    for match in re.finditer('"', text):
        inside = not inside
        if inside:
            opened = match.start()
    return text.count("\n", 0, opened) + 1 if inside else None


def _cells(raw: dict) -> list:
    out = []
    for key, cell in raw.items():
        out += cell if key is None and isinstance(cell, list) else [cell or ""]
    return out


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


SUFFIXES = (".xlsx", ".xlsm")  # Excel workbooks simcore reads (simcore.chainmap.workbook)


def is_workbook(path: str | Path) -> bool:
    """An Excel file by its name (.xls too, to be refused with a clear message rather than read as text)."""
    return Path(path).suffix.lower() in (*SUFFIXES, ".xls")


def file_kind(path: Path) -> str:
    """"scenario" or "model", by the file's top table (for commands that take either); a workbook is a model."""
    if is_workbook(path):
        return "model"
    doc = read_toml(path)
    if "scenario" in doc:
        return "scenario"
    if "model" in doc:
        return "model"
    raise InputError([Problem(str(path), "", NO_VALUE, "a model file (with a [model] table) or a scenario file (with a [scenario] table)")])
