"""Chain maps and result tables as Excel workbooks (.xlsx), for planners who work in spreadsheets.

A workbook holds the five tables of a chain map's CSV form, one sheet each
(`products`, `recipes`, `firms`, `links`, `demand`, the same columns), plus an
`explanations` sheet that `simcore template` writes and the reader ignores.
Each sheet is read here into the same text rows as a CSV file
(`simcore.validation.table_row`), so that `simcore.chainmap.load_model`
validates both forms by one code path; only what a sheet can hold and a CSV
file cannot (merged cells, formulas, a second table) is checked here.

Formulas: a formula cell counts with the result Excel saved for it (the file
keeps both); a formula without a saved result (a file written by a program
that does not calculate) is an error naming the cell. docs/formats.md,
Spreadsheets.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from simcore.chainmap.schema import Category, Necessity
from simcore.errors import NO_VALUE, InputError, Problem, did_you_mean

TABLES = ("products", "recipes", "firms", "links", "demand")
EXCEL_ROWS = 1_048_576  # rows of a sheet, the header included

# sheet -> column -> (meaning, expected values, required): the columns of docs/formats.md, CSV tables
COLUMNS: dict[str, dict[str, tuple[str, str, bool]]] = {
    "products": {
        "id": ("the product's id, unique among products", "text", True),
        "name": ("display name", "text (any language)", False),
        "category": ("the industrial foundation the product belongs to", "one of " + ", ".join(c.value for c in Category), True),
        "chains": ("key chains the product belongs to; every firm making it belongs to them too", "ids separated by ; (e.g. ev;ess)", False),
        "price": ("value of one unit, used to weight chain output", "a number > 0; empty: 1", False),
    },
    "recipes": {
        "product": ("the product made", "a product id of sheet products", True),
        "input": ("an input it needs", "a product id of sheet products; each input once per product", True),
        "units": ("units of the input per unit of the product", "a number > 0", True),
        "necessity": ("how strictly the input binds production", "one of " + ", ".join(n.value for n in Necessity) + "; empty: critical", False),
    },
    "firms": {
        "id": ("the firm's (plant's) id, unique among firms", "text", True),
        "name": ("display name", "text (any language)", False),
        "product": ("the one product the firm makes", "a product id of sheet products", True),
        "region": ("where the firm is", "text (any region name)", True),
        "tags": ("labels such as chain_master, little_giant, single_champion, foreign", "ids separated by ;", False),
        "group": ("the company group the plant belongs to (informational)", "text", False),
        "chains": ("chains the firm belongs to, besides those of its product", "ids separated by ;", False),
        "headroom": ("spare capacity as a fraction of baseline output", "a number >= 0; empty: 0.1", False),
        "cover": ("days of each input held at baseline", "a number >= 0; empty: 7", False),
        "cover_by_input": ("days held of particular inputs, overriding cover", "input=days pairs separated by ; (e.g. cells=10;pack=5)", False),
        "priority": ("rationing tier of the firm's orders at its suppliers (0 is served first)", "a whole number 0..9; empty: 1", False),
    },
    "links": {
        "supplier": ("the supplying firm", "a firm id of sheet firms", True),
        "customer": ("the buying firm; its product's recipe uses the supplier's product", "a firm id of sheet firms", True),
        "share": (
            "part of the customer's need for that product bought from this supplier",
            "a number in (0, 1]; the shares of one customer's suppliers of one product sum to 1; empty: 1",
            False,
        ),
        "lead_time": ("days in transit", "a number 0..3650; empty: 1", False),
        "priority": ("rationing tier of this link's orders at the supplier", "a whole number 0..9; empty: the customer's priority", False),
    },
    "demand": {
        "firm": ("the firm that sells to final demand", "a firm id of sheet firms; give firm or product, not both", False),
        "product": ("a product whose demand is split equally over the firms making it", "a product id of sheet products; give firm or product, not both", False),
        "units": ("final demand in units per day", "a number >= 0", True),
    },
}

CHOICES = {"products": {"category": [c.value for c in Category]}, "recipes": {"necessity": [n.value for n in Necessity]}}


# --- the template -------------------------------------------------------------


def write_template(path: str | Path) -> Path:
    """Write an empty workbook with the sheets and columns a planner fills, and an explanations sheet; atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from simcore.atomic import atomic_write

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, columns in COLUMNS.items():
        ws = wb.create_sheet(sheet)
        ws.append(list(columns))
        _style_header(ws, [max(12, len(c) + 4) for c in columns])
        for column, choices in CHOICES.get(sheet, {}).items():  # a drop-down where the cell is one of a few words
            letter = get_column_letter(list(columns).index(column) + 1)
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            dv.add(f"{letter}2:{letter}{EXCEL_ROWS}")
            ws.add_data_validation(dv)
    ws = wb.create_sheet("explanations")
    ws.append(["sheet", "column", "meaning", "expected values", "required"])
    for sheet, columns in COLUMNS.items():
        for column, (meaning, expected, required) in columns.items():
            ws.append([sheet, column, meaning, expected, "required" if required else "optional"])
    ws.append([])
    ws.append(["(all)", "", "One table per sheet, its header in row 1, one row per record from row 2, no blank rows between records, "
               "no merged cells. An empty cell means the default. Formulas count with the result Excel saved for them. "
               "Other sheets, like this one, are not read.", "", ""])
    _style_header(ws, [12, 16, 70, 70, 10])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    atomic_write(path, wb.save)
    return path


def _style_header(ws, widths: list[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for k, width in enumerate(widths):
        ws.cell(1, k + 1).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(k + 1)].width = width
    ws.freeze_panes = "A2"


# --- reading a chain map ------------------------------------------------------


def workbook_model(path: Path) -> dict[str, Any]:
    """A workbook given as the model itself, as the model file it stands for: named after the file, every table a sheet of it."""
    if not path.is_file():
        raise InputError([Problem(str(path), "", NO_VALUE, "file not found")])
    return {"model": {"name": path.stem}, "tables": {t: path.name for t in TABLES}}


class _Book:
    """An opened workbook: openpyxl gives either the formulas or the results Excel saved for them, so it is read twice."""

    def __init__(self, path: Path):
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Data Validation extension is not supported": styling we do not need
            self.formulas = load_workbook(path, data_only=False)
            self.values = load_workbook(path, data_only=True)


def _open(path: Path, books: dict[Path, Any]) -> tuple[_Book | None, list[Problem]]:
    """The workbook at `path`, opened once per load (`books` is the cache); if it cannot be read, the problem, given once."""
    if path in books:
        return books[path], []
    file = str(path)
    book, problems = None, []
    if path.suffix.lower() == ".xls":
        problems.append(Problem(file, "", NO_VALUE, "an Excel 97-2003 .xls file, which simcore cannot read; expected an .xlsx workbook (save it as .xlsx)"))
    else:
        try:
            book = _Book(path)
        except OSError as exc:
            problems.append(Problem(file, "", NO_VALUE, f"cannot be read: {exc.strerror or exc}"))
        except Exception as exc:  # noqa: BLE001  (zipfile, XML and openpyxl errors of a damaged or renamed file)
            problems.append(Problem(file, "", NO_VALUE, f"expected an Excel workbook (.xlsx) but cannot read it as one: {exc}"))
    books[path] = book
    return book, problems


def read_sheet(path: Path, table: str, books: dict[Path, Any]):
    """The rows of sheet `table` as text cells, like `simcore.validation.read_csv_table` reads a CSV file.

    Row 1 is the header; records follow without a blank row. Columns a sheet
    may leave out are optional fields; a missing required column, a merged
    cell, an error value, a formula without a saved result, or data after
    the table (a blank row, then more) is a problem naming the cell.
    """
    from openpyxl.utils import get_column_letter

    from simcore.validation import CsvTable, table_row

    file = str(path)
    book, problems = _open(path, books)
    if book is None:
        return CsvTable([], [], problems, False, table, table)
    sheets = book.formulas.sheetnames
    if table not in sheets:
        have = ", ".join(sheets) or "none"
        expected = f"expected a sheet named '{table}' (the workbook's sheets: {have}{did_you_mean(table, sheets)}; `simcore template` writes them all)"
        return CsvTable([], [], [Problem(file, f"sheet {table}", NO_VALUE, expected)], False, table, table)
    fs, vs = book.formulas[table], book.values[table]
    merged = sorted(fs.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
    if merged:
        problems = [
            Problem(file, f"sheet {table}, row {r.min_row}, column {get_column_letter(r.min_col)}", NO_VALUE,
                    f"expected one value per cell: {r.coord} are merged (unmerge them)")
            for r in merged
        ]
        return CsvTable([], [], problems, False, table, table)

    names = {c.column: str(c.value).strip() for c in next(fs.iter_rows(max_row=1), ()) if c.value is not None and c.data_type != "f"}

    def at(cell) -> str:
        """A cell as messages name it: `sheet firms, row 7, column I (cover)`."""
        name = names.get(cell.column) if cell.row > 1 else None
        return f"sheet {table}, row {cell.row}, column {cell.column_letter}" + (f" ({name})" if name else "")

    grid = [[_text(f, v, at, file, problems) for f, v in zip(frow, vrow)] for frow, vrow in zip(fs.iter_rows(), vs.iter_rows())]
    header = [h.strip() for h in grid[0]] if grid else []
    if not any(header):
        return CsvTable([], [], problems + [Problem(file, f"sheet {table}, row 1", NO_VALUE, f"expected a header row naming the columns ({', '.join(COLUMNS[table])})")], False, table, table)
    known = COLUMNS[table]
    pos: dict[str, int] = {}
    for c, name in enumerate(header):
        head = f"sheet {table}, row 1, column {get_column_letter(c + 1)}"
        if not name:
            if any(r[c].strip() for r in grid[1:] if c < len(r)):
                problems.append(Problem(file, head, NO_VALUE, f"a column without a name but with cells below; expected one of {', '.join(known)}"))
        elif name in pos:
            problems.append(Problem(file, head, name, f"each column once (column {get_column_letter(pos[name] + 1)} is also named '{name}')"))
        elif name not in known:
            problems.append(Problem(file, head, name, f"one of {', '.join(known)}{did_you_mean(name, known)}; the column is ignored"))
        else:
            pos[name] = c
    missing = [c for c, (_, _, required) in known.items() if required and c not in pos]
    if missing:
        got = ", ".join(h for h in header if h)
        problems += [Problem(file, f"sheet {table}, row 1", NO_VALUE, f"expected a column named '{c}' (required; the header has {got})") for c in missing]
        return CsvTable([], [], problems, False, table, table)

    letters = {f: get_column_letter(c + 1) for f, c in pos.items()}
    rows, lines = [], []
    blank_at = None
    for r, cells in enumerate(grid[1:], start=2):
        if not any(c.strip() for c in cells):
            blank_at = blank_at or r
            continue
        if blank_at is not None or _repeats_header(cells, header):
            why = f"after the blank row {blank_at}" if blank_at is not None else "a second header row"
            problems.append(Problem(file, f"sheet {table}, row {r}", NO_VALUE,
                                    f"expected one table per sheet, but data follows {why} (remove blank rows between records; put another table on a sheet of its own)"))
            return CsvTable(rows, lines, problems, False, table, table, letters)
        rows.append(table_row(((f, cells[c]) for f, c in pos.items()), file, lambda f, r=r: f"sheet {table}, row {r}, column {letters[f]} ({f})", problems))
        lines.append(r)
    return CsvTable(rows, lines, problems, True, table, table, letters)


def _repeats_header(cells: list[str], header: list[str]) -> bool:
    """A row that names the columns again: the header of a second table pasted below the first."""
    named = [(c.strip(), h) for c, h in zip(cells, header) if c.strip()]
    return len(named) >= min(2, len([h for h in header if h])) and all(c.lower() == h.lower() for c, h in named)


def _text(fcell, vcell, at, file: str, problems: list[Problem]) -> str:
    """A cell as the text a CSV file would hold: numbers as written, a formula as the result saved with it."""
    value = fcell.value
    if fcell.data_type == "f":
        value = vcell.value
        if value is None:
            formula = fcell.value if isinstance(fcell.value, str) else getattr(fcell.value, "text", "a formula")
            problems.append(Problem(file, at(fcell), formula, "a value: this formula has no result saved in the file (a program that does not calculate wrote it); "
                                    "open and save the workbook in Excel or LibreOffice, or type the value"))
            return ""
    if vcell.data_type == "e" or fcell.data_type == "e":
        problems.append(Problem(file, at(fcell), value, "a value, not an Excel error"))
        return ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # text, so a number column reports it: booleans do not occur in a chain map
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- result tables --------------------------------------------------------------


def write_table(df, path: Path, sheet: str) -> None:
    """One result table as a workbook of one sheet: bold, frozen header; NaN as an empty cell, infinity as the text inf.

    Numbers are written in full (repr, 17 digits), so a table reads back with
    the numbers of its CSV form; openpyxl alone writes 16 digits.
    """
    if len(df) + 1 > EXCEL_ROWS:
        raise InputError([Problem(str(path), "output.format", "xlsx", f"a table of at most {EXCEL_ROWS - 1:,} rows for a sheet; this one has {len(df):,} (use csv or parquet)")])
    from unittest import mock

    import numpy as np
    import pandas as pd
    from openpyxl.cell import _writer
    from openpyxl.styles import Font

    plain = _writer.safe_string
    with mock.patch.object(_writer, "safe_string", lambda v: repr(float(v)) if isinstance(v, (float, np.floating)) else plain(v)):
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            df.to_excel(writer, sheet_name=sheet[:31], index=False, freeze_panes=(1, 0), inf_rep="inf")
            for cell in writer.sheets[sheet[:31]][1]:
                cell.font = Font(bold=True)
