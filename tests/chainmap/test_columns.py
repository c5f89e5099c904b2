"""The column-by-column fast path of loading (simcore.chainmap.columns) accepts only what the record path accepts,
and gives the same records: on the shipped models, and on tables with random cells."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.chainmap import load as L
from simcore.chainmap.columns import COLUMNS, COVERS, IDS, fast_records
from simcore.chainmap.schema import ROW_MODELS as MODELS
from simcore.validation import LIST_COLUMNS, MAP_COLUMNS, read_csv_table, validate

ROOT = Path(__file__).resolve().parents[2]
CSV_MODELS = sorted(p for p in (ROOT / "models").glob("*.toml") if (ROOT / "models" / p.stem).is_dir())


def test_the_column_kinds_cover_the_schema():
    """Every table has its columns' plain forms, every column is a field, and the list and pair columns are the
    record path's (simcore.validation.table_row)."""
    assert set(COLUMNS) == set(MODELS) and all(set(COLUMNS[t]) <= set(MODELS[t].model_fields) for t in COLUMNS)
    assert {c for t in COLUMNS.values() for c, s in t.items() if s[0] == IDS} == LIST_COLUMNS
    assert {c for t in COLUMNS.values() for c, s in t.items() if s[0] == COVERS} == MAP_COLUMNS


@pytest.mark.parametrize("model", CSV_MODELS, ids=lambda p: p.stem)
def test_a_shipped_map_loads_the_same_either_way(model):
    fast, slow = L._load(model, fast=True), L._load(model, fast=False)
    assert fast.products == slow.products and fast.firms == slow.firms and fast.links == slow.links
    for name in ("final_demand", "outputs", "firm_product", "link_supplier", "link_customer", "link_coef"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    assert [f.model_fields_set for f in fast.firms] == [f.model_fields_set for f in slow.firms]


def record_path(path: Path, table: str) -> list | None:
    """The table's records as the record path reads them, or None if it finds any problem."""
    read = read_csv_table(path, table, MODELS[table].model_fields)
    records = []
    for i, row in enumerate(read.rows):
        record, problems = validate(MODELS[table], row, str(path), cells=True)
        if problems:
            return None
        records.append(record)
    return None if read.problems else records


VALID = {  # one valid row of each table, as text
    "firms": {"id": "f1", "name": "厂 A", "product": "p", "region": "r", "tags": "a;b", "group": "g", "chains": "c", "headroom": "0.1", "cover": "5", "cover_by_input": "q=2", "priority": "1"},
    "links": {"supplier": "s", "customer": "c", "share": "0.5", "lead_time": "2", "priority": "3"},
    "products": {"id": "p", "name": "part", "category": "basic_component", "chains": "ev", "price": "2.5"},
    "recipes": {"product": "p", "input": "q", "units": "1.5", "necessity": "important"},
    "demand": {"firm": "f1", "product": "", "units": "10"},
}
CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "1", "-1", "1.", ".5", "1e3", "1E-3", "+2", "1_0", "inf", "nan", "0x10", " 7 ", "\t3", "1,5", "2 000",
                     "10", "1.0000000000000002", "9", "a", "a;", ";a", "a;;b", "q=1", "q=", "=1", "q=1;r=2", "q=-1", "q=1=2",
                     "critical", "Critical", "basic_component", "ev", "中文", "\u00a01", "1\u3000", "\x0b2"]),
    st.text(alphabet="0123456789.eE+- ;=abc\t", max_size=6),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(table=st.sampled_from(sorted(COLUMNS)), data=st.data())
def test_the_fast_path_never_accepts_what_the_record_path_refuses(tmp_path_factory, table, data):
    row = dict(VALID[table])
    for column in data.draw(st.lists(st.sampled_from(sorted(row)), min_size=1, max_size=3, unique=True)):
        row[column] = data.draw(CELLS)
    path = tmp_path_factory.mktemp("t") / f"{table}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(VALID[table])
        writer.writerow(row)
    fast = fast_records(path, table)
    if fast is not None:
        slow = record_path(path, table)
        assert slow is not None, (row, fast)
        assert fast == slow and [r.model_fields_set for r in fast] == [r.model_fields_set for r in slow]
