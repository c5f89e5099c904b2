"""Write a chain map as a model file plus CSV tables (docs/formats.md), the one writer importers share.

`write_chain_map` takes any object with the five table attributes
(`products`, `recipes`, `firms`, `links`, `demand`, each a DataFrame whose
columns are field names of docs/formats.md), so `simcore.generate.SyntheticMap`
can be written by it too. The output is deterministic (same tables, same
bytes): numbers are written in their shortest exact form, whole numbers
without a decimal point, and columns that are empty in every row are left
out (their defaults apply).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TABLES = ("products", "recipes", "firms", "links", "demand")
LIST_COLUMNS = ("tags", "chains")


@dataclass
class MapTables:
    """The records of a chain map as tables; an empty or missing table is not written."""

    products: pd.DataFrame  # id, name, category, chains, price
    recipes: pd.DataFrame  # product, input, units, necessity (critical, important, noncritical; empty: critical)
    firms: pd.DataFrame  # id, name, product, region, tags, group, chains, headroom, cover, priority
    links: pd.DataFrame  # supplier, customer, share, lead_time, priority
    demand: pd.DataFrame  # firm (or product), units


@dataclass
class ModelHeader:
    """What goes into the model file besides the tables."""

    name: str
    description: str = ""
    provenance: str = ""
    chains: list[str] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    comment: str = ""  # written as `# ` lines at the top of the file


def format_number(value: Any) -> str:
    """Shortest text that reads back as the same number: `1` not `1.0`, `0.1` not `0.10000000000000001`."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("booleans do not occur in chain-map tables")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x!r}")
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, Enum):  # a schema enum (Necessity, Category): its value, not `Necessity.important`
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={format_number(v)}" for k, v in value.items())
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return format_number(value)
    return str(value)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0)


def table_text(df: pd.DataFrame) -> str:
    """A table as CSV text: the columns that have a value in some row, cells formatted exactly."""
    columns = [c for c in df.columns if not all(_is_empty(v) for v in df[c].tolist())]
    rows = [[_cell(v) for v in values] for values in zip(*(df[c].tolist() for c in columns))] if columns else []
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue()


def table_arrow(df: pd.DataFrame):
    """A table as an Arrow table for a Parquet file: the columns `table_text` writes, numbers as float64 (a column
    whose every value is a number), everything else as the text cells CSV holds, an empty cell as a null."""
    import pyarrow as pa

    columns = {}
    for c in df.columns:
        values = df[c].tolist()
        if all(_is_empty(v) for v in values):
            continue
        numbers = all(_is_empty(v) or (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))) for v in values)
        if numbers:
            columns[c] = pa.array([None if _is_empty(v) else float(format_number(v)) for v in values], pa.float64())
        else:
            columns[c] = pa.array([None if _is_empty(v) else _cell(v) for v in values], pa.string())
    return pa.table(columns)


def toml_string(text: str) -> str:
    """A TOML string: a multi-line literal string when that reads better, else a basic string."""
    if "\n" in text and "'''" not in text and all(c == "\n" or c == "\t" or ord(c) >= 32 for c in text) and "\r" not in text:
        return "'''\n" + text + "'''"
    return json.dumps(text, ensure_ascii=False)


def toml_value(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format_number(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} to TOML")


def model_text(header: ModelHeader, table_paths: Mapping[str, str]) -> str:
    """The model file: comment header, [model], [defaults], [parameters], [tables]."""
    lines = [f"# {line}".rstrip() for line in header.comment.splitlines()]
    if lines:
        lines.append("")
    lines += ["[model]", f"name = {toml_value(header.name)}"]
    if header.description:
        lines.append(f"description = {toml_value(header.description)}")
    if header.provenance:
        lines.append(f"provenance = {toml_value(header.provenance)}")
    if header.chains:
        lines.append(f"chains = {toml_value(list(header.chains))}")
    for section in ("defaults", "parameters"):
        values = getattr(header, section)
        if values:
            lines += ["", f"[{section}]"] + [f"{k} = {toml_value(v)}" for k, v in values.items()]
    if table_paths:
        lines += ["", "[tables]"] + [f"{t} = {toml_value(p)}" for t, p in table_paths.items()]
    return "\n".join(lines) + "\n"


def write_chain_map(tables: Any, out: str | Path, header: ModelHeader | None = None, table_format: str = "csv", **header_fields: Any) -> Path:
    """Write `out` (a `.toml` model file) and its CSV (or Parquet) tables in a folder of the same name beside it.

    `tables` has the attributes `products`, `recipes`, `firms`, `links`,
    `demand` (DataFrames; None or empty ones are not written). The header is a
    `ModelHeader` or its fields as keywords (`name=...`, `provenance=...`).
    `table_format="parquet"` writes the tables as Parquet files (`table_arrow`),
    which load to the same map as the CSV form. Returns the path of the model file.
    """
    header = header or ModelHeader(**header_fields)
    out = Path(out)
    folder = out.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table in TABLES:
        df = getattr(tables, table, None)
        if df is None or len(df) == 0:
            continue
        if table_format == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table_arrow(df), folder / f"{table}.parquet")
        else:
            (folder / f"{table}.csv").write_text(table_text(df), encoding="utf-8")
        paths[table] = f"{folder.name}/{table}.{table_format}"
    out.write_text(model_text(header, paths), encoding="utf-8")
    return out


def round_shares(raw: np.ndarray) -> list[float]:
    """Supplier shares for a written map (the generators of models/): rounded to 0.001, at least 0.05 each, summing to exactly 1 (the largest takes the rest)."""
    raw = np.maximum(raw / raw.sum(), 0.05)
    raw = raw / raw.sum()
    shares = [round(float(s), 3) for s in raw]
    big = int(np.argmax(shares))
    shares[big] = round(1.0 - sum(s for k, s in enumerate(shares) if k != big), 3)
    return shares
