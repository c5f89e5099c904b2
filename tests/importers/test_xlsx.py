"""Chain maps as .xlsx workbooks (simcore.chainmap.workbook): the template, the same ChainMap as the CSV form, each bad
workbook named to the cell, and result tables written as workbooks."""

import csv
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import simcore
from naive import write_file
from simcore.chainmap import load_model
from simcore.chainmap.schema import Demand, Firm, Link, Product, RecipeRow
from simcore.cli import main
from simcore.errors import InputError
from simcore.outputs import write_outputs
from simcore.chainmap.workbook import COLUMNS, TABLES, write_template

ROOT = Path(__file__).resolve().parents[2]
WILLEMS = ROOT / "models" / "willems_01"

# a small map with Chinese names, in the CSV form's cells
CHINESE = {
    "products": [
        {"id": "电芯", "name": "锂电池电芯", "category": "basic_component", "price": "1.5"},
        {"id": "整车", "name": "新能源汽车", "category": "final_product", "chains": "新能源汽车链", "price": "20"},
    ],
    "recipes": [{"product": "整车", "input": "电芯", "units": "4", "necessity": "important"}],
    "firms": [
        {"id": "宁德", "name": "宁德时代", "product": "电芯", "region": "福建", "tags": "single_champion;chain_master"},
        {"id": "比亚迪电池", "product": "电芯", "region": "广东", "headroom": "0.2"},
        {"id": "长安", "name": "长安汽车", "product": "整车", "region": "重庆", "cover": "5", "cover_by_input": "电芯=9", "priority": "0"},
    ],
    "links": [
        {"supplier": "宁德", "customer": "长安", "share": "0.6", "lead_time": "2.5"},
        {"supplier": "比亚迪电池", "customer": "长安", "share": "0.4"},
    ],
    "demand": [{"firm": "长安", "units": "10"}],
}


def write_csv_model(folder: Path, tables: dict[str, list[dict]]) -> Path:
    """The CSV/TOML form of `tables`: a model file and one CSV file per table."""
    for table, rows in tables.items():
        columns = list(dict.fromkeys(k for r in rows for k in r))
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, columns)
            w.writeheader()
            w.writerows(rows)
    entries = "\n".join(f'{t} = "{t}.csv"' for t in tables)
    return write_file(folder, "map.toml", f'[model]\nname = "map"\n[tables]\n{entries}\n')


def number(text: str):
    """A cell as a planner types it: numbers as numbers, the rest as text."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def fill(path: Path, tables: dict[str, list[dict]], typed: bool = True) -> Path:
    """The template at `path` filled with `tables` (rows of the CSV form), below each sheet's header."""
    wb = load_workbook(path)
    for table, rows in tables.items():
        ws = wb[table]
        header = [c.value for c in ws[1]]
        for r in rows:
            ws.append([(number(r[h]) if typed else r[h]) if r.get(h, "") != "" else None for h in header])
    wb.save(path)
    return path


def csv_rows(folder: Path) -> dict[str, list[dict]]:
    return {t: list(csv.DictReader((folder / f"{t}.csv").open(encoding="utf-8-sig"))) for t in TABLES}


def assert_same_map(a, b):
    assert a.products == b.products
    assert a.firms == b.firms
    assert a.links == b.links
    np.testing.assert_array_equal(a.final_demand, b.final_demand)
    np.testing.assert_array_equal(a.outputs, b.outputs)
    np.testing.assert_array_equal(a.link_coef, b.link_coef)


@pytest.fixture
def template(tmp_path) -> Path:
    return write_template(tmp_path / "city.xlsx")


def test_template_sheets_columns_and_explanations(template):
    wb = load_workbook(template)
    assert wb.sheetnames == [*TABLES, "explanations"]
    for table in TABLES:
        ws = wb[table]
        assert [c.value for c in ws[1]] == list(COLUMNS[table])
        assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
        assert ws.max_row == 1  # no example rows: nothing to delete before filling in
    (category,) = wb["products"].data_validations.dataValidation
    assert str(category.sqref) == "C2:C1048576" and "core_electronic_component" in category.formula1
    rows = list(wb["explanations"].iter_rows(min_row=2, values_only=True))
    described = {(r[0], r[1]): r[4] for r in rows if r[0] in TABLES}
    assert described == {(t, c): ("required" if req else "optional") for t, cols in COLUMNS.items() for c, (_, _, req) in cols.items()}


def test_template_columns_are_the_csv_tables_fields():
    """The sheets' columns follow the schema: a field added to a record and not to the template fails here."""
    models = {"products": Product, "recipes": RecipeRow, "firms": Firm, "links": Link, "demand": Demand}
    for table, model in models.items():
        fields = [f for f in model.model_fields if not (table == "products" and f in ("recipe", "necessity"))]
        assert list(COLUMNS[table]) == fields
        assert [c for c, (_, _, req) in COLUMNS[table].items() if req] == [f for f in fields if model.model_fields[f].is_required()]


@pytest.mark.parametrize("typed", [True, False], ids=["numbers", "text"])
def test_willems_workbook_is_the_same_map_as_its_csv_form(template, typed):
    book = fill(template, csv_rows(WILLEMS), typed)
    assert_same_map(load_model(book), load_model(ROOT / "models" / "willems_01.toml"))


def test_chinese_workbook_is_the_same_map_as_its_csv_form(tmp_path, template):
    folder = tmp_path / "csv"
    folder.mkdir()
    a, b = load_model(fill(template, CHINESE)), load_model(write_csv_model(folder, CHINESE))
    assert_same_map(a, b)
    assert a.name == "city" and a.firms[2].name == "长安汽车" and a.firms[2].cover_by_input == {"电芯": 9.0}


def test_a_model_file_may_take_its_tables_from_a_workbook(tmp_path, template):
    fill(template, CHINESE)
    model = write_file(tmp_path, "map.toml", '[model]\nname = "重庆"\n[parameters]\ntau = 8\n[tables]\n' + "\n".join(f'{t} = "city.xlsx"' for t in TABLES))
    m = load_model(model)
    assert m.name == "重庆" and m.parameters.tau == 8 and len(m.firms) == 3


# --- bad workbooks: one line each, naming the file, sheet, row and column ----------------------------------


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_model(path)
    return [str(p) for p in exc.value.problems]


def test_a_bad_cell_names_its_sheet_row_and_column(template):
    rows = {**CHINESE, "firms": [*CHINESE["firms"][:2], {**CHINESE["firms"][2], "cover": "abc"}]}
    fill(template, rows)
    assert problems(template) == [f"{template}: sheet firms, row 4, column I (cover): got 'abc'; expected a number"]


def test_cross_record_problems_name_cells_too(template):
    rows = {
        **CHINESE,
        "firms": [*CHINESE["firms"][:2], {**CHINESE["firms"][2], "product": "整车X"}],
        "links": [{**CHINESE["links"][0], "share": "0.5"}, CHINESE["links"][1]],
    }
    fill(template, rows)
    assert problems(template) == [f"{template}: sheet firms, row 4, column C (product): got '整车X'; expected the id of a product of this map (did you mean '整车'?)"]
    fill(write_template(template.with_name("b.xlsx")), {**CHINESE, "links": [{**CHINESE["links"][0], "share": "0.5"}, CHINESE["links"][1]]})
    assert problems(template.with_name("b.xlsx")) == [
        f"{template.with_name('b.xlsx')}: sheet links, rows 2, 3, column C (share): got 0.9; expected shares of firm '长安' suppliers of '电芯' to sum to 1"
    ]


def test_missing_sheet(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    del wb["recipes"]
    wb.save(template)
    assert problems(template) == [
        f"{template}: sheet recipes: expected a sheet named 'recipes' (the workbook's sheets: products, firms, links, demand, explanations; "
        "`simcore template` writes them all)"
    ]


def test_missing_required_column(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    wb["firms"].delete_cols(4)  # region
    wb.save(template)
    assert problems(template) == [
        f"{template}: sheet firms, row 1: expected a column named 'region' (required; the header has id, name, product, tags, group, chains, headroom, cover, cover_by_input, priority)"
    ]


def test_an_optional_column_may_be_left_out(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    wb["firms"].delete_cols(6)  # group
    wb.save(template)
    assert len(load_model(template).firms) == 3


def test_unknown_column(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    wb["links"]["F1"] = "leadtime"
    wb.save(template)
    assert problems(template) == [
        f"{template}: sheet links, row 1, column F: got 'leadtime'; expected one of supplier, customer, share, lead_time, priority (did you mean 'lead_time'?); the column is ignored"
    ]


def test_merged_cells(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    wb["firms"].merge_cells("D2:D3")
    wb.save(template)
    assert problems(template) == [f"{template}: sheet firms, row 2, column D: expected one value per cell: D2:D3 are merged (unmerge them)"]


def test_formula_without_a_saved_result(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    wb["firms"]["I4"] = "=2+3"  # openpyxl writes formulas without results
    wb.save(template)
    assert problems(template) == [
        f"{template}: sheet firms, row 4, column I (cover): got '=2+3'; expected a value: this formula has no result saved in the file "
        "(a program that does not calculate wrote it); open and save the workbook in Excel or LibreOffice, or type the value"
    ]


@pytest.mark.parametrize("formula", [False, True], ids=["typed", "formula"])
def test_an_excel_error_value(template, formula):
    fill(template, CHINESE)
    wb = load_workbook(template)
    wb["firms"]["I4"] = "=1/0" if formula else "#DIV/0!"
    wb.save(template)
    if formula:
        save_result(template, "1/0", "#DIV/0!", error=True)
    assert problems(template) == [f"{template}: sheet firms, row 4, column I (cover): got '#DIV/0!'; expected a value, not an Excel error"]


def save_result(path: Path, formula: str, result: str, error: bool = False) -> None:
    """Store `result` as the saved value of `formula`, as Excel does on saving (an error value with its cell type `e`)."""
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    name = next(n for n in files if n.startswith("xl/worksheets/") and f"<f>{formula}</f>".encode() in files[n])
    files[name] = files[name].replace(f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{result}</v>".encode())
    if error:
        files[name] = re.sub(rb'(<c r="[A-Z]+\d+")(><f>' + re.escape(formula.encode()) + rb"</f>)", rb'\1 t="e"\2', files[name])
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)


def test_formula_with_a_saved_result_counts_with_it(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    wb["firms"]["I4"] = "=2+3"
    wb.save(template)
    save_result(template, "2+3", "5")
    assert load_model(template).firms[2].cover == 5.0


def test_a_second_table_after_a_blank_row(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    ws = wb["links"]
    ws.append([])
    ws.append(["宁德", "长安", 1])
    wb.save(template)
    assert problems(template) == [
        f"{template}: sheet links, row 5: expected one table per sheet, but data follows after the blank row 4 "
        "(remove blank rows between records; put another table on a sheet of its own)"
    ]


def test_a_second_header_block(template):
    fill(template, CHINESE)
    wb = load_workbook(template)
    ws = wb["demand"]
    ws.append(["firm", None, "units"])
    ws.append(["长安", None, 3])
    wb.save(template)
    assert problems(template) == [
        f"{template}: sheet demand, row 3: expected one table per sheet, but data follows a second header row "
        "(remove blank rows between records; put another table on a sheet of its own)"
    ]


def test_not_a_workbook(tmp_path):
    path = write_file(tmp_path, "city.xlsx", "id,product\n")
    (line,) = problems(path)
    assert line.startswith(f"{path}: expected an Excel workbook (.xlsx) but cannot read it as one: ")


def test_the_csv_importer_refuses_a_workbook_clearly(tmp_path, template):
    with pytest.raises(InputError) as exc:
        simcore.importers.csv_map(tmp_path, links=template, firms=template)
    assert [str(p) for p in exc.value.problems][0] == (
        f"{template}: expected a CSV file, not an Excel workbook: save the sheet as CSV UTF-8; "
        "a workbook in the layout of `simcore template` is a chain map itself (simcore validate FILE.xlsx)"
    )


# --- the command line --------------------------------------------------------------------------------------


def test_cli_template_validate_and_refusals(tmp_path, capsys):
    out = tmp_path / "新城市.xlsx"
    assert main(["template", str(out)]) == 0
    assert main(["template", str(out)]) == 2  # a filled workbook is not replaced by accident
    assert main(["template", str(tmp_path / "city.csv")]) == 2 and not (tmp_path / "city.csv").exists()
    capsys.readouterr()
    fill(out, CHINESE)
    assert main(["validate", str(out)]) == 0
    assert "valid model '新城市' (3 firms, 2 links)" in capsys.readouterr().out
    assert main(["inspect", str(out)]) == 0
    capsys.readouterr()


def test_cli_bad_workbook_exits_2_one_line_per_problem(tmp_path, capsys):
    out = tmp_path / "city.xlsx"
    main(["template", str(out)])
    fill(out, {**CHINESE, "links": [{**CHINESE["links"][0], "lead_time": "两天"}, CHINESE["links"][1]]})
    wb = load_workbook(out)
    del wb["demand"]
    wb.save(out)
    capsys.readouterr()
    before = sorted(tmp_path.iterdir())
    assert main(["validate", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {out}: sheet links, row 2, column D (lead_time): got '两天'; expected a number",
        f"error: {out}: sheet demand: expected a sheet named 'demand' (the workbook's sheets: products, recipes, firms, links, explanations; `simcore template` writes them all)",
    ]
    assert sorted(tmp_path.iterdir()) == before


def test_cli_run_takes_a_workbook_model(tmp_path, capsys):
    book = fill(write_template(tmp_path / "city.xlsx"), CHINESE)
    scenario = write_file(tmp_path, "s.toml", '[scenario]\nname = "断供"\nmodel = "city.xlsx"\nhorizon = 20\n[[shocks]]\nkind = "firm_outage"\n'
                          'select = { ids = ["宁德"] }\nstart = 2\nduration = 5\n[output]\nformat = "xlsx"\n')
    assert book.is_file()
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--no-plots"]) == 0
    firms = pd.read_excel(tmp_path / "out" / "firm_trajectories.xlsx")
    assert set(firms.firm) == {"宁德", "比亚迪电池", "长安"}


# --- result tables as workbooks ----------------------------------------------------------------------------


def test_xlsx_tables_read_back_as_they_were(tmp_path):
    data = ROOT / "tests" / "data"
    scenario = write_file(tmp_path, "x.toml", (data / "serial_outage.toml").read_text().replace('model = "serial.toml"', f'model = "{data / "serial.toml"}"')
                          + '\n[output]\nformat = "xlsx"\n')
    result = simcore.run(scenario)
    out = write_outputs(result, tmp_path / "out", plots=False)
    assert {p.name for p in out.iterdir()} == {"summary.json", "metrics.xlsx", "chain_trajectories.xlsx", "firm_trajectories.xlsx", "firm_metrics.xlsx", "report.html"}
    for name, table in (("metrics", result.comparison()), ("chain_trajectories", result.chain_trajectories()), ("firm_metrics", result.firm_metrics())):
        back = pd.read_excel(out / f"{name}.xlsx", sheet_name=name)
        pd.testing.assert_frame_equal(back, table.replace([np.inf, -np.inf], ["inf", "-inf"]), check_exact=True, check_dtype=False)
        assert load_workbook(out / f"{name}.xlsx")[name]["A1"].font.b


def test_xlsx_refuses_more_rows_than_a_sheet_before_running(tmp_path, capsys):
    model = ROOT / "models" / "gsm_bulldozer.toml"  # 22 firms: 100,001 days of them do not fit a sheet
    scenario = write_file(tmp_path, "x.toml", f'[scenario]\nname = "long"\nmodel = "{model}"\nhorizon = 100000\n[output]\nformat = "xlsx"\n')
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--no-plots"]) == 2
    assert re.search(r"output\.format: got 'xlsx'; expected csv or parquet: table firm_trajectories would have up to [\d,]+ rows", capsys.readouterr().err)
    assert not (tmp_path / "out").exists()
