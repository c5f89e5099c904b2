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
from simcore.chainmap.columns import COLUMNS, COVERS, IDS, GiveUp, fast_records
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


# --- whole maps by columns (simcore.chainmap.columns.load_columnar) ---------------------------------------------


def write_map(folder: Path, tables: dict[str, list[dict]], tau: float = 6.0) -> Path:
    """A model file with its five tables as CSV beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(dict.fromkeys(c for r in rows for c in r))
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    model = folder / "map.toml"
    listed = "\n".join(f'{t} = "{t}.csv"' for t in tables)
    model.write_text(f'[model]\nname = "m"\nchains = ["ev", "chip"]\n\n[parameters]\ntau = {tau}\n\n[tables]\n{listed}\n', encoding="utf-8")
    return model


@st.composite
def csv_maps(draw) -> dict[str, list[dict]]:
    """A valid layered map: tiers of products, 1-3 firms each, every input bought from 1-2 makers; random optional
    cells (names, tags, chains, covers per input, priorities, empty cells), demand by firm or by product."""
    tiers = draw(st.integers(2, 4))
    products, recipes, firms, links, demand = [], [], [], [], []
    makers: dict[str, list[str]] = {}
    maybe = lambda cell: draw(st.sampled_from(["", cell]))  # noqa: E731 - an optional cell, left empty or not
    for t in range(tiers):
        for j in range(draw(st.integers(1, 3))):
            p = f"p{t}_{j}"
            products.append({"id": p, "name": maybe(f"产品 {p}"), "category": "subassembly", "chains": maybe(draw(st.sampled_from(["ev", "chip", "ev;chip"]))), "price": maybe("2.5")})
            inputs = draw(st.lists(st.sampled_from(sorted(makers)), min_size=1, max_size=2, unique=True)) if t else []
            for q in inputs:
                recipes.append({"product": p, "input": q, "units": str(draw(st.sampled_from([0.5, 1, 1.25]))), "necessity": maybe(draw(st.sampled_from(["critical", "important", "noncritical"])))})
            makers[p] = []
            for m in range(draw(st.integers(1, 3))):
                f = f"f{t}_{j}_{m}"
                makers[p].append(f)
                covers = ";".join(f"{q}={draw(st.sampled_from([0, 2, 3.5]))}" for q in inputs[:1])
                firms.append({"id": f, "name": maybe(f"厂 {f}"), "product": p, "region": draw(st.sampled_from(["r1", "r2"])), "tags": maybe("chain_master;tier1"),
                              "chains": maybe("ev"), "headroom": maybe("0.2"), "cover": maybe("4"), "cover_by_input": maybe(covers), "priority": maybe("2")})  # fmt: skip
                for q in inputs:
                    sellers = draw(st.lists(st.sampled_from(makers[q]), min_size=1, max_size=2, unique=True))
                    shares = [1.0] if len(sellers) == 1 else [0.25, 0.75]
                    for s, share in zip(sellers, shares):
                        links.append({"supplier": s, "customer": f, "share": maybe(str(share)) if share == 1.0 else str(share), "lead_time": maybe("2.5"), "priority": maybe("3")})
    used = {r["input"] for r in recipes}
    for p in (p["id"] for p in products if p["id"] not in used):  # final products: demand of the product, or of its makers
        if draw(st.booleans()):
            demand.append({"firm": "", "product": p, "units": "10"})
        else:
            demand += [{"firm": f, "product": "", "units": str(draw(st.sampled_from([1, 2.5])))} for f in makers[p]]
    selling = {link["supplier"] for link in links} | {d["firm"] for d in demand} | {f for d in demand for f in makers.get(d["product"], [])}
    demand += [{"firm": f["id"], "product": "", "units": "0.5"} for f in firms if f["id"] not in selling]  # no firm without a customer
    return {"products": products, "recipes": recipes, "firms": firms, "links": links, "demand": demand}


def tables_of(drawn: dict) -> dict[str, list[dict]]:
    return {t: rows for t, rows in drawn.items() if rows}


def same_map(a, b) -> None:
    assert a.products == b.products and a.firms == b.firms and a.links == b.links
    for name in ("final_demand", "outputs", "firm_product", "link_supplier", "link_customer", "link_coef"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.loop_gain == b.loop_gain
    for table in ("firms", "links"):
        assert [r.model_fields_set for r in getattr(a, table)] == [r.model_fields_set for r in getattr(b, table)], table
        assert [getattr(a, table)[k] for k in range(len(getattr(a, table)))] == list(getattr(b, table))  # a record at a time too


@settings(max_examples=60, deadline=None)
@given(drawn=csv_maps())
def test_a_map_by_columns_is_the_map_by_records(tmp_path_factory, drawn):
    """Random valid CSV maps load by columns (no record built), and give the same map as the record path."""
    path = write_map(tmp_path_factory.mktemp("m"), tables_of(drawn))
    fast, slow = L._load(path, fast=True), L._load(path, fast=False)
    assert fast.firms.by_columns and fast.links.by_columns and not slow.firms.by_columns
    same_map(fast, slow)
    for table in ("firms", "links"):  # and every column as the records hold it
        for field in MODELS[table].model_fields:
            assert getattr(fast, table).column(field) == getattr(slow, table).column(field), (table, field)


BROKEN = {  # what breaks a valid map as a whole (each row alone is plain), and where
    "unknown supplier": lambda t: t["links"][0].update(supplier="nobody"),
    "repeated firm id": lambda t: t["firms"].append(dict(t["firms"][0])),
    "repeated link": lambda t: t["links"].append(dict(t["links"][-1])),
    "supplier of no input": lambda t: t["links"].append({**t["links"][-1], "supplier": t["firms"][-1]["id"]}),
    "shares off": lambda t: t["links"][-1].update(share="0.5"),
    "unknown firm product": lambda t: t["firms"][0].update(product="p_none"),
    "demand of both": lambda t: t["demand"][0].update(firm=t["firms"][-1]["id"], product=t["firms"][-1]["product"]),
    "demand of an unknown firm": lambda t: t["demand"][0].update(firm="nobody", product=""),
    "no demand at all": lambda t: t["demand"][0].update(units="0") or t.update(demand=t["demand"][:1]),
    "undeclared chain": lambda t: t["firms"][0].update(chains="rail"),
    "cover of no input": lambda t: t["firms"][0].update(cover_by_input="p_none=2"),
    "tau below its limit": None,
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_map_gets_the_record_paths_errors(tmp_path, case):
    """The column path gives up on every map-level problem, so `load_model` names exactly what the record path names."""
    tables = {
        "products": [{"id": "a", "category": "raw_material"}, {"id": "b", "category": "final_product"}],
        "recipes": [{"product": "b", "input": "a", "units": "2"}],
        "firms": [{"id": "fa1", "product": "a", "region": "r"}, {"id": "fa2", "product": "a", "region": "r"}, {"id": "fb", "product": "b", "region": "r"}],
        "links": [{"supplier": "fa1", "customer": "fb", "share": "0.4"}, {"supplier": "fa2", "customer": "fb", "share": "0.6"}],
        "demand": [{"firm": "fb", "product": "", "units": "5"}],
    }
    tau = 0.5 if case == "tau below its limit" else 6.0
    if BROKEN[case] is not None:
        BROKEN[case](tables)
    path = write_map(tmp_path, tables, tau=tau)
    with pytest.raises(L.InputError) as slow:
        L._load(path, fast=False)
    with pytest.raises(L.InputError) as loaded:
        L.load_model(path)
    assert str(loaded.value) == str(slow.value)
    doc = L.validate(L.ChainMapFile, L.read_toml(path), str(path))[0]
    if doc is not None:
        with pytest.raises(GiveUp):
            L._columnar(path, doc, {}, doc.tables.model_dump())


def test_a_column_map_shares_one_default_but_its_records_do_not(tmp_path):
    """Firms without a tags column read as one shared empty list per column (a million would be 60 MB), and
    every firm record still gets a list of its own: changing one record's tags changes no other and not the column."""
    tables = {
        "products": [{"id": "a", "category": "raw_material"}, {"id": "b", "category": "final_product"}],
        "recipes": [{"product": "b", "input": "a", "units": "2"}],
        "firms": [{"id": "fa", "product": "a", "region": "r"}, {"id": "fb", "product": "b", "region": "r"}],
        "links": [{"supplier": "fa", "customer": "fb", "share": "1"}],
        "demand": [{"firm": "fb", "product": "", "units": "5"}],
    }
    cmap = L.load_model(write_map(tmp_path, tables))
    assert cmap.firms.by_columns
    tags = cmap.firms.column("tags")
    assert tags == [[], []] and tags[0] is tags[1]
    first, second = list(cmap.firms)
    first.tags.append("chain_master")
    assert second.tags == [] and cmap.firms.column("tags") == [[], []] and cmap.firms[0].tags == []
    assert cmap.tagged("chain_master").tolist() == [False, False]
