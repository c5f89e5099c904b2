"""Chain-map tables as Parquet files (docs/formats.md, Parquet tables): the same map as the same tables written as
CSV, by the column path and by the record path, and the same quality of errors."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.test_columns import CSV_MODELS, csv_maps, same_map, tables_of, write_map
from simcore.chainmap import load as L
from simcore.chainmap.columns import COLUMNS, IDS, NUMBER, TIER, fast_records
from simcore.chainmap.schema import ROW_MODELS as MODELS
from simcore.validation import read_parquet_table, validate


def typed_column(table: str, name: str, cells: list[str]) -> pa.Array:
    """CSV text cells as a planner's Parquet column would hold them: numbers as float64, tiers as integers, lists
    as lists of text, an empty cell as a null."""
    kind = COLUMNS[table][name][0]
    if kind == NUMBER:
        return pa.array([float(c) if c else None for c in cells], pa.float64())
    if kind == TIER:
        return pa.array([int(c) if c.strip() else None for c in cells], pa.int64())
    if kind == IDS:
        return pa.array([[x for x in c.split(";") if x] if c else None for c in cells], pa.list_(pa.string()))
    return pa.array([c or None for c in cells], pa.string())


def write_parquet_map(folder: Path, tables: dict[str, list[dict]], typed: bool) -> Path:
    """`write_map`'s map with its tables as Parquet files instead: typed columns, or every column as text."""
    model = write_map(folder, tables)
    for name, rows in tables.items():
        columns = list(dict.fromkeys(c for r in rows for c in r))
        cells = {c: [r.get(c, "") for r in rows] for c in columns}
        data = {c: typed_column(name, c, v) if typed else pa.array(v, pa.string()) for c, v in cells.items()}
        pq.write_table(pa.table(data), folder / f"{name}.parquet")
        (folder / f"{name}.csv").unlink()
    model.write_text(model.read_text(encoding="utf-8").replace('.csv"', '.parquet"'), encoding="utf-8")
    return model


@settings(max_examples=40, deadline=None)
@given(drawn=csv_maps(), typed=st.booleans())
def test_a_parquet_map_is_its_csv_map(tmp_path_factory, drawn, typed):
    """Random maps written as Parquet (typed or as text) load by columns and by records to the map their CSV form gives."""
    tables = tables_of(drawn)
    by_csv = L._load(write_map(tmp_path_factory.mktemp("csv"), tables), fast=False)
    path = write_parquet_map(tmp_path_factory.mktemp("pq"), tables, typed)
    fast, slow = L._load(path, fast=True), L._load(path, fast=False)
    assert fast.firms.by_columns and fast.links.by_columns and not slow.firms.by_columns
    same_map(fast, by_csv)
    same_map(slow, by_csv)
    for table in ("firms", "links"):
        for field in MODELS[table].model_fields:
            assert getattr(fast, table).column(field) == getattr(by_csv, table).column(field), (table, field)


@pytest.mark.parametrize("model", CSV_MODELS, ids=lambda p: p.stem)
def test_a_shipped_map_as_parquet_is_the_same_map(tmp_path, model):
    """Each shipped CSV map, its tables converted with the column types Arrow infers from the CSV files."""
    shutil.copytree(model.parent / model.stem, tmp_path / model.stem)
    for table in (tmp_path / model.stem).glob("*.csv"):
        pq.write_table(pcsv.read_csv(table), table.with_suffix(".parquet"))
        table.unlink()
    path = tmp_path / model.name
    path.write_text(re.sub(r'\.csv"', '.parquet"', model.read_text(encoding="utf-8")), encoding="utf-8")
    same_map(L.load_model(path), L.load_model(model))


EDGES = [2**53, 2**53 + 1, 2**60 + 1, -(2**60) - 1, 1e308, 5e-324, -0.0, 0.1, 1 / 3]  # integers past float64's exact range among them
NUMBERS = st.one_of(st.sampled_from(EDGES), st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**60), 2**60), st.none())


@settings(max_examples=300, deadline=None)
@given(table=st.sampled_from(sorted(COLUMNS)), data=st.data())
def test_the_fast_path_never_accepts_what_the_record_path_refuses(tmp_path_factory, table, data):
    """One row of random typed cells (floats of every kind, float32, huge integers, nulls) below a valid row: the
    column path's records, when it takes the table, are exactly the record path's."""
    valid = {"firms": {"id": "f1", "product": "p", "region": "r"}, "links": {"supplier": "s", "customer": "c"},
             "products": {"id": "p", "category": "subassembly"}, "recipes": {"product": "p", "input": "q", "units": 1.0},
             "demand": {"firm": "f1", "units": 10.0}}[table]  # fmt: skip
    numeric = sorted(c for c, spec in COLUMNS[table].items() if spec[0] in (NUMBER, TIER))
    chosen = data.draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=3, unique=True))
    drawn = {c: data.draw(NUMBERS) for c in chosen}
    columns = {c: [valid.get(c), drawn.get(c)] for c in dict.fromkeys([*valid, *chosen])}
    arrays = {}
    for c, values in columns.items():
        if c in drawn and data.draw(st.booleans()):  # a float32 column: the float64 of the stored value, both ways
            arrays[c] = pa.array([None if v is None else float(np.float32(v)) if abs(float(v)) < 3e38 or math.isnan(float(v)) else None for v in values], pa.float32())
        elif c in drawn:
            kind = pa.int64() if all(v is None or isinstance(v, int) for v in values) else pa.float64()
            arrays[c] = pa.array([None if v is None else (v if kind == pa.int64() else float(v)) for v in values], kind)
        else:
            arrays[c] = pa.array(values)
    path = tmp_path_factory.mktemp("t") / f"{table}.parquet"
    pq.write_table(pa.table(arrays), path)
    fast = fast_records(path, table)
    if fast is not None:
        read = read_parquet_table(path, table, MODELS[table].model_fields)
        assert not read.problems
        slow = [validate(MODELS[table], row, str(path), cells=True) for row in read.rows]
        assert all(not problems for _, problems in slow), (arrays, slow)
        assert fast == [r for r, _ in slow] and [r.model_fields_set for r in fast] == [r.model_fields_set for r, _ in slow]


def test_bad_parquet_tables_are_named_by_file_row_and_column(tmp_path):
    """Every problem at once: a cell that is not a number, a missing required cell, a column of a type no field
    takes, an unknown column, a repeated column, a file that is not Parquet."""
    tables = {
        "products": [{"id": "a", "category": "raw_material"}, {"id": "b", "category": "final_product"}],
        "recipes": [{"product": "b", "input": "a", "units": "2"}],
        "firms": [{"id": "fa", "product": "a", "region": "r"}, {"id": "fb", "product": "b", "region": "r"}],
        "links": [{"supplier": "fa", "customer": "fb", "share": "1", "lead_time": "2"}],
        "demand": [{"firm": "fb", "product": "", "units": "5"}],
    }
    path = write_parquet_map(tmp_path, tables, typed=True)
    pq.write_table(pa.table({"supplier": ["fa", None], "customer": ["fb", "fb"], "lead_time": ["2", "two"], "when": [True, False]}), tmp_path / "links.parquet")
    firms = pa.table([pa.array(["fa", "fb"]), pa.array(["a", "b"]), pa.array(["r", "r"]), pa.array([True, False]), pa.array(["x", "y"])],
                     names=["id", "product", "region", "cover", "id"])  # fmt: skip
    pq.write_table(firms, tmp_path / "firms.parquet")
    (tmp_path / "demand.parquet").write_text("firm,units\nfb,5\n")
    with pytest.raises(L.InputError) as caught:
        L.load_model(path)
    text = str(caught.value).replace(str(tmp_path), "T")
    for line in [
        "T/firms.parquet: firms (columns).id: expected each column once (columns 1 and 5 are both named 'id')",
        "T/firms.parquet: firms (columns).cover: expected a column of text, numbers or lists of text; this one holds bool",
        "T/links.parquet: links (columns).when: unknown column; expected one of supplier, customer, share, lead_time, priority",
        "T/links.parquet: links[1] (row 2).supplier: required field is missing",
        "T/links.parquet: links[1] (row 2).lead_time: got 'two'; expected a number",
        "T/demand.parquet: expected a Parquet file that pyarrow can read",
    ]:
        assert line in text, (line, text)


def test_an_empty_parquet_table_is_refused(tmp_path):
    path = tmp_path / "links.parquet"
    pq.write_table(pa.table({"supplier": pa.array([], pa.string()), "customer": pa.array([], pa.string())}), path)
    read = read_parquet_table(path, "links", MODELS["links"].model_fields)
    assert [str(p) for p in read.problems] == [f"{path}: links: expected at least one row (leave a table without rows out of [tables])"]
    assert fast_records(path, "links") is None


@pytest.mark.parametrize("value", [2**53, 2**53 + 1, -(2**60) - 1, 2**62 + 3])
@pytest.mark.parametrize("float32", [False, True])
def test_numbers_past_float64s_exact_range_read_as_their_text(tmp_path, value, float32):
    """An integer that float64 cannot hold exactly (or a float32) gives the float its text reads as, by either path."""
    path = tmp_path / "firms.parquet"
    cells = pa.array([None, float(np.float32(value)) if float32 else value], pa.float32() if float32 else pa.int64())
    pq.write_table(pa.table({"id": ["f1", "f2"], "product": ["p", "p"], "region": ["r", "r"], "cover": cells}), path)
    read = read_parquet_table(path, "firms", MODELS["firms"].model_fields)
    slow = [validate(MODELS["firms"], row, str(path), cells=True)[0] for row in read.rows]
    fast = fast_records(path, "firms")
    expected = float(str(float(np.float32(value)) if float32 else value))
    if value < 0:  # a cover is never negative: both paths refuse it
        assert fast is None and slow[1] is None
    else:
        assert fast == slow and fast[1].cover == expected and fast[0].cover is None


def test_simcore_generate_writes_parquet_tables_that_load_as_its_csv_tables(tmp_path):
    """`simcore generate --format parquet`: numbers as float64 columns, text as text, the same map as the CSV form."""
    from simcore.cli import main

    assert main(["generate", str(tmp_path / "a.toml"), "--firms", "300", "--tiers", "4", "--seed", "3"]) == 0
    assert main(["generate", str(tmp_path / "b.toml"), "--firms", "300", "--tiers", "4", "--seed", "3", "--format", "parquet"]) == 0
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["demand.parquet", "firms.parquet", "links.parquet", "products.parquet", "recipes.parquet"]
    links = pq.read_table(tmp_path / "b" / "links.parquet")
    assert links.schema.field("share").type == pa.float64() and links.schema.field("supplier").type == pa.string()
    by_parquet = L.load_model(tmp_path / "b.toml")
    assert by_parquet.firms.by_columns
    same_map(by_parquet, L.load_model(tmp_path / "a.toml"))
