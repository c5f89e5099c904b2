"""Reading plain-data input files into validated records, with every problem collected.

Shared by chain maps and scenarios: TOML and CSV parsing, and turning
pydantic's errors into `Problem`s that name the file, field, value and
expectation.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, TypeAdapter, ValidationError

from simcore.errors import NO_VALUE, InputError, Problem, format_loc


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, or raise an InputError naming the file and the syntax problem."""
    if not path.is_file():
        raise InputError([Problem(str(path), "", NO_VALUE, "file not found")])
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(str(path), "", NO_VALUE, f"not valid TOML: {exc}")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), "", NO_VALUE, f"not UTF-8 text: {exc}")]) from None


def pydantic_problems(exc: ValidationError, file: str, prefix: tuple = (), rename: Callable[[tuple], str] | None = None) -> list[Problem]:
    """Translate pydantic's error list into Problems, one per bad field."""
    problems = []
    for err in exc.errors():
        loc = tuple(prefix) + tuple(err["loc"])
        # Tagged unions add the tag to the path (`shocks.0.firm_outage.start`): drop it.
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-")))
        field = rename(loc) if rename else format_loc(loc)
        value = err.get("input", NO_VALUE)
        if err["type"] == "missing":
            value = NO_VALUE
            expected = "required field is missing"
        elif err["type"] == "extra_forbidden":
            expected = "unknown field (check its spelling in docs/formats.md)"
        else:
            expected = "expected " + _lower_first(err["msg"])
        if isinstance(value, dict | list) and err["type"] not in ("model_type", "list_type", "dict_type"):
            value = NO_VALUE
        problems.append(Problem(file, field, value, expected))
    return problems


def _lower_first(text: str) -> str:
    text = text.replace("Input should be", "a value that should be").replace("Value error, ", "")
    return text[:1].lower() + text[1:]


def validate(model: type[BaseModel] | TypeAdapter, data: Any, file: str, prefix: tuple = ()) -> tuple[Any, list[Problem]]:
    """Validate `data`; return (value or None, problems)."""
    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    try:
        return adapter.validate_python(data), []
    except ValidationError as exc:
        return None, pydantic_problems(exc, file, prefix)


LIST_COLUMNS = {"tags", "chains"}
MAP_COLUMNS = {"cover_by_input"}


def read_csv_rows(path: Path, table: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Rows of a CSV table as dicts; empty cells are left out, `a;b` cells become lists.

    `cover_by_input` cells are written `cells=10;pack=5`.
    """
    if not path.is_file():
        return [], [Problem(str(path), f"tables.{table}", str(path), "a CSV file that exists beside the model file")]
    rows, problems = [], []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        for i, raw in enumerate(reader):
            row: dict[str, Any] = {}
            for key, cell in raw.items():
                if key is None:
                    problems.append(Problem(str(path), f"{table}[{i}] (line {i + 2})", cell, "no more cells than header columns"))
                    continue
                key = key.strip()
                cell = (cell or "").strip()
                if cell == "":
                    continue
                if key in LIST_COLUMNS:
                    row[key] = [c.strip() for c in cell.split(";") if c.strip()]
                elif key in MAP_COLUMNS:
                    try:
                        row[key] = {k.strip(): v.strip() for k, v in (p.split("=") for p in cell.split(";") if p.strip())}
                    except ValueError:
                        problems.append(Problem(str(path), f"{table}[{i}].{key} (line {i + 2})", cell, "`input=days` pairs separated by `;`"))
                else:
                    row[key] = cell
            rows.append(row)
    return rows, problems


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)
