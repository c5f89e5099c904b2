"""Load a chain map (TOML plus optional CSV tables, or an .xlsx workbook: simcore.chainmap.workbook) and check it as a whole.

Every problem of a file is collected before anything is raised.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from pathlib import Path
from typing import Any


import numpy as np
from simcore.chainmap.baseline import SHARE_TOLERANCE, NotProductive, link_coefficients, loop_radii, reaches, solve_outputs, tau_problem, technical_matrix
from simcore.chainmap.model import ChainMap
from simcore.chainmap.schema import ROW_MODELS, ChainMapFile, ModelInfo, RecipeRow, Tables
from simcore.errors import NO_VALUE, InputError, Problem, did_you_mean, format_loc
from simcore.limits import MAX_OUTPUT
from simcore.chainmap.columns import GiveUp, fast_records, load_columnar
from simcore.validation import CsvTable, is_parquet, is_workbook, raise_if, read_csv_table, read_parquet_table, read_toml, validate
from simcore.chainmap.workbook import read_sheet, workbook_model

_RECORD_TABLES = ("products", "firms", "links", "demand")
_REFERENCES = {"firms": [("product", "product")], "links": [("supplier", "firm"), ("customer", "firm")], "demand": [("firm", "firm"), ("product", "product")]}


def _is_table_array(value: Any) -> bool:
    """A TOML array of tables (`[[links]]`): its records are validated one by one."""
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _quiet(model: Any, data: Any) -> Any:
    """`data` as a `model` record, or None; its problems are reported elsewhere."""
    return validate(model, data, "")[0]


def _raw_ids(rows: list[Any], key: str) -> set[str]:
    return {r[key].strip() for r in rows if isinstance(r, dict) and isinstance(r.get(key), str)}


class _AnyId(frozenset):
    """The ids of a table that could not be read: any id may be among them."""

    def __contains__(self, item: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


def _unproductive_loops(M) -> list[tuple[set[int], float]]:
    """Strongly connected groups of firms whose own block of `M` has spectral radius >= 1."""
    return [(set(members.tolist()), rho) for members, rho in loop_radii(M, at_least=1.0 - 1e-12) if not rho < 1.0 - 1e-12]  # nan (no convergence) counts as suspect


def _columnar(path: Path, doc: ChainMapFile, inline: dict, table_paths: dict) -> ChainMap:
    """The map by the column path (`simcore.chainmap.columns.load_columnar`) when its firms, links and demand are
    plain CSV or Parquet tables; raise GiveUp otherwise (the record path then loads the map)."""
    if inline or any(table_paths.get(t) is None or is_workbook(table_paths[t]) for t in ("firms", "links", "demand")):
        raise GiveUp("inline records or workbook sheets")
    products, recipe_rows = [], []
    for table, into in (("products", products), ("recipes", recipe_rows)):
        rel = table_paths.get(table)
        if rel is None:
            continue
        quick = None if is_workbook(rel) or not (path.parent / rel).is_file() else fast_records(path.parent / rel, table)
        if quick is None:
            raise GiveUp(table)
        into += quick
    return load_columnar(path, doc, table_paths, products, recipe_rows)


def load_model(path: str | Path) -> ChainMap:
    """Read, validate and solve the baseline of a chain map; raise InputError listing every problem.

    Records are validated one by one, so a bad field in one record and an
    unknown id in another are reported together; references to a record that
    is itself invalid are not reported again. A workbook (`.xlsx`) is a model
    of its five sheets, named after the file; a TOML table entry may also
    name a workbook, whose sheet of the table's name is read.

    CSV tables are read column by column first (`simcore.chainmap.columns`):
    a valid map whose firms, links and demand are CSV tables loads as
    columns, with no record built. If that path gives up, the map is read
    record by record (a table whose cells are all plain still skips per-row
    validation); if the map has any problem at all, it is loaded again row by
    row, so that every problem is found and named exactly as without the fast
    path.
    """
    try:
        return _load(Path(path), fast=True)
    except InputError:
        return _load(Path(path), fast=False)


def _load(path: Path, fast: bool) -> ChainMap:
    file = str(path)
    raw = workbook_model(path) if is_workbook(path) else read_toml(path)
    inline = {t: raw[t] for t in _RECORD_TABLES if _is_table_array(raw.get(t))}
    doc, problems = validate(ChainMapFile, {k: v for k, v in raw.items() if k not in inline}, file)
    info = doc.model if doc is not None else _quiet(ModelInfo, raw.get("model"))
    unreadable: set[str] = set()  # tables whose CSV file is missing or unreadable: their ids are unknown
    if doc is not None:
        table_paths = doc.tables.model_dump()
    else:  # keep the table entries that are fine; the others are reported and their tables unknown
        given = raw.get("tables", {})
        given = given if isinstance(given, dict) else {}
        table_paths = {t: given.get(t) for t in Tables.model_fields if isinstance(given.get(t), str)}
        if any(not isinstance(v, str) or k not in Tables.model_fields for k, v in given.items()) or not isinstance(raw.get("tables", {}), dict):
            unreadable |= set(Tables.model_fields) - set(table_paths)

    if fast and doc is not None and not problems:
        with contextlib.suppress(GiveUp):
            return _columnar(path, doc, inline, table_paths)

    records: dict[str, list] = {t: [] for t in _RECORD_TABLES}
    origin: dict[str, list[tuple[str, int, Any]]] = {t: [] for t in _RECORD_TABLES}  # (file, row, its CsvTable or None if inline) per record
    broken: dict[str, list[Any]] = {t: [] for t in (*_RECORD_TABLES, "recipes")}  # raw rows that failed validation
    broken_at: dict[str, list[tuple[str, Any]]] = {t: [] for t in broken}  # (file, where(field)) of each broken row
    for table, items in inline.items():
        for i, item in enumerate(items):
            record, row_problems = validate(ROW_MODELS[table], item, file, (table, i))
            problems += row_problems
            if record is None:
                broken[table].append(item)
                broken_at[table].append((file, lambda field, table=table, i=i: f"{table}[{i}].{field}"))
            else:
                records[table].append(record)
                origin[table].append((file, i, None))

    recipe_rows: list[tuple[RecipeRow, str, int, Any]] = []
    books: dict[Path, Any] = {}  # workbooks opened by this load, each read once
    for table, rel in table_paths.items():
        if rel is None:
            continue
        csv_path = path.parent / rel
        if not csv_path.is_file():
            expected = f"an existing CSV file, Parquet file or .xlsx workbook (looked for {csv_path}; paths are relative to the model file's folder)"
            problems.append(Problem(file, f"tables.{table}", rel, expected))
            unreadable.add(table)
            continue
        model = ROW_MODELS[table]
        quick = fast_records(csv_path, table) if fast and not is_workbook(csv_path) else None
        if quick is not None:  # every cell valid: the records, with rows numbered for the checks below (never shown)
            rows = CsvTable([], list(range(2, len(quick) + 2)), [], True, table)
            if table == "recipes":
                recipe_rows += [(record, str(csv_path), i, rows) for i, record in enumerate(quick)]
            else:
                records[table] += quick
                origin[table] += [(str(csv_path), i, rows) for i in range(len(quick))]
            continue
        if is_workbook(csv_path):
            csv_table = read_sheet(csv_path, table, books)
        else:
            read = read_parquet_table if is_parquet(csv_path) else read_csv_table
            csv_table = read(csv_path, table, model.model_fields)
        problems += csv_table.problems
        if not csv_table.complete:
            unreadable.add(table)
        for i, row in enumerate(csv_table.rows):
            record, row_problems = validate(model, row, str(csv_path), cells=True, rename=lambda loc, i=i, t=csv_table: t.where(i, format_loc(loc)))
            problems += row_problems
            if record is None:
                broken[table].append(row)
                broken_at[table].append((str(csv_path), lambda field, i=i, t=csv_table: t.where(i, field)))
            elif table == "recipes":
                recipe_rows.append((record, str(csv_path), i, csv_table))
            else:
                records[table].append(record)
                origin[table].append((str(csv_path), i, csv_table))
    products, firms, links, demand = (records[t] for t in _RECORD_TABLES)

    # ids of records that failed validation: references to them are not reported a second time
    bad_products = _AnyId() if "products" in unreadable else _raw_ids(broken["products"], "id")
    bad_firms = _AnyId() if "firms" in unreadable else _raw_ids(broken["firms"], "id")
    partial_recipes = _AnyId() if "recipes" in unreadable else _raw_ids(broken["recipes"], "product")  # recipes that lost a row
    unchecked_customers = _raw_ids(broken["links"], "customer")  # firms whose supplier links are not all known
    all_links_known = "links" not in unreadable and all(isinstance(r, dict) and isinstance(r.get("customer"), str) for r in broken["links"])

    def where(table: str, k: int, field: str = "") -> tuple[str, str]:
        src, row, tbl = origin[table][k]
        return src, tbl.where(row, field) if tbl is not None else f"{table}[{row}]" + (f".{field}" if field else "")

    def where_rows(table: str, ks: list[int], field: str = "") -> str:
        """Several records of one table together: their rows in the table of the first."""
        tbl = origin[table][ks[0]][2]
        rows = [origin[table][k][1] for k in ks]
        return tbl.where_rows(rows, field) if tbl is not None else f"{table}[{','.join(map(str, rows))}]" + (f".{field}" if field else "")

    def problem(table: str, k: int, field: str, value: Any, expected: str) -> None:
        src, loc = where(table, k, field)
        problems.append(Problem(src, loc, value, expected))

    # --- ids -------------------------------------------------------------------
    product_index: dict[str, int] = {}
    for k, p in enumerate(products):
        if p.id in product_index:
            problem("products", k, "id", p.id, "a product id not used before")
        product_index.setdefault(p.id, k)
    recipes: list[dict[str, float]] = [dict(p.recipe) for p in products]
    necessities: list[dict] = [dict(p.necessity) for p in products]
    for row, src, i, tbl in recipe_rows:
        if row.product not in product_index:
            if row.product not in bad_products:
                problems.append(Problem(src, tbl.where(i, "product"), row.product, "the id of a product of this map" + did_you_mean(row.product, product_index)))
        elif row.input in recipes[product_index[row.product]]:
            problems.append(Problem(src, tbl.where(i, "input"), row.input, "each input once per product"))
        else:
            recipes[product_index[row.product]][row.input] = row.units
            if row.necessity is not None:
                necessities[product_index[row.product]][row.input] = row.necessity
    for k, p in enumerate(products):
        for q in recipes[k]:
            if q not in product_index and q not in bad_products:
                problem("products", k, f"recipe.{q}", q, "an input that is the id of a product of this map" + did_you_mean(q, product_index))
        for q in p.necessity:
            if q not in recipes[k] and p.id not in partial_recipes:
                problem("products", k, f"necessity.{q}", q, f"an input of the recipe of '{p.id}' ({', '.join(recipes[k]) or 'it has none'})")

    firm_index: dict[str, int] = {}
    for k, f in enumerate(firms):
        if f.id in firm_index:
            problem("firms", k, "id", f.id, "a firm id not used before")
        firm_index.setdefault(f.id, k)
        if f.product not in product_index:
            if f.product not in bad_products:
                problem("firms", k, "product", f.product, "the id of a product of this map" + did_you_mean(f.product, product_index))
            continue
        if f.product in partial_recipes:
            continue
        recipe = recipes[product_index[f.product]]
        for q in f.cover_by_input:
            if q not in recipe:
                problem("firms", k, f"cover_by_input.{q}", q, f"an input of product '{f.product}' ({', '.join(recipe) or 'it has none'})")

    declared = set(info.chains) if info is not None else set()
    for table, recs in (("products", products), ("firms", firms)):
        for k, rec in enumerate(recs):
            for c in rec.chains:
                if declared and c not in declared:
                    problem(table, k, "chains", c, f"a chain declared in model.chains ({', '.join(sorted(declared))})")

    # --- links -----------------------------------------------------------------
    seen_pairs: dict[tuple[str, str], int] = {}
    by_need: dict[tuple[int, str], list[int]] = defaultdict(list)  # (customer, input) -> link numbers
    for k, link in enumerate(links):
        ok = True
        for field in ("supplier", "customer"):
            if getattr(link, field) not in firm_index:
                if getattr(link, field) not in bad_firms:
                    problem("links", k, field, getattr(link, field), "the id of a firm of this map" + did_you_mean(getattr(link, field), firm_index))
                ok = False
        if not ok:
            unchecked_customers.add(link.customer)
            continue
        if (link.supplier, link.customer) in seen_pairs:
            problem("links", k, "", f"{link.supplier} -> {link.customer}", f"one link per supplier and customer (also links[{seen_pairs[link.supplier, link.customer]}])")
            continue
        seen_pairs[link.supplier, link.customer] = k
        s, c = firms[firm_index[link.supplier]], firms[firm_index[link.customer]]
        if s.product not in product_index or c.product not in product_index or c.product in partial_recipes:
            unchecked_customers.add(link.customer)
            continue
        if s.product not in recipes[product_index[c.product]]:
            problem("links", k, "supplier", link.supplier, f"a supplier of an input of '{c.product}' (it makes '{s.product}', which the recipe of '{c.product}' does not use)")
            continue
        by_need[firm_index[link.customer], s.product].append(k)

    for (ci, q), ks in by_need.items():
        total = sum(links[k].share for k in ks)
        if abs(total - 1.0) > SHARE_TOLERANCE and firms[ci].id not in unchecked_customers and all_links_known:
            src, _ = where("links", ks[0])
            problems.append(Problem(src, where_rows("links", ks, "share"), round(total, 9), f"shares of firm '{firms[ci].id}' suppliers of '{q}' to sum to 1"))

    for k, f in enumerate(firms):
        if f.product not in product_index or f.id in unchecked_customers or not all_links_known:
            continue
        for q in recipes[product_index[f.product]]:
            if q in product_index and (k, q) not in by_need:
                problem("firms", k, "product", f.product, f"a supplier link for input '{q}' of '{f.product}' (firm '{f.id}' has none)")

    # references of records that failed validation: every mistake of a record is reported, not only its first
    for table, fields in _REFERENCES.items():
        for raw, (src, at) in zip(broken[table], broken_at[table]):
            for field, kind in fields:
                value = raw.get(field) if isinstance(raw, dict) else None
                known, bad = (firm_index, bad_firms) if kind == "firm" else (product_index, bad_products)
                if isinstance(value, str) and value.strip() and value.strip() not in known and value.strip() not in bad:
                    problems.append(Problem(src, at(field), value.strip(), f"the id of a {kind} of this map" + did_you_mean(value.strip(), known)))

    # --- final demand ----------------------------------------------------------
    final = np.zeros(len(firms))
    makers: dict[str, list[int]] = defaultdict(list)
    for k, f in enumerate(firms):
        makers[f.product].append(k)
    for k, dem in enumerate(demand):
        if (dem.firm is None) == (dem.product is None):
            problem("demand", k, "", dem.model_dump(exclude_none=True), "exactly one of `firm` or `product`")
        elif dem.firm is not None:
            if dem.firm not in firm_index:
                if dem.firm not in bad_firms:
                    problem("demand", k, "firm", dem.firm, "the id of a firm of this map" + did_you_mean(dem.firm, firm_index))
            else:
                final[firm_index[dem.firm]] += dem.units
        elif dem.product not in product_index:
            if dem.product not in bad_products:
                problem("demand", k, "product", dem.product, "the id of a product of this map" + did_you_mean(dem.product, product_index))
        elif not makers[dem.product]:
            if not bad_firms:
                problem("demand", k, "product", dem.product, "a product that some firm makes")
        else:
            for m in makers[dem.product]:
                final[m] += dem.units / len(makers[dem.product])
    if not demand and not broken["demand"] and "demand" not in unreadable and not (doc is None and "demand" in raw and "demand" not in inline):
        problems.append(Problem(file, "demand", NO_VALUE, "expected at least one final demand entry (`[[demand]]` or a demand table)"))
    raise_if(problems)

    # --- baseline --------------------------------------------------------------
    n = len(firms)
    f_prod = np.array([product_index[f.product] for f in firms], dtype=np.int64)
    l_sup = np.array([firm_index[l.supplier] for l in links], dtype=np.int64)
    l_cus = np.array([firm_index[l.customer] for l in links], dtype=np.int64)
    l_coef = link_coefficients(recipes, products, f_prod, l_sup, l_cus)
    l_share = np.array([l.share for l in links], dtype=float)
    M = technical_matrix(n, l_sup, l_cus, l_share * l_coef)
    try:
        x = solve_outputs(M, final)
    except NotProductive as exc:
        loops = []
        for members, rho in _unproductive_loops(M):
            inside = [k for k in range(len(links)) if l_sup[k] in members and l_cus[k] in members]
            src, _ = where("links", inside[0])
            names = ", ".join(firms[k].id for k in sorted(members)[:10]) + (", ..." if len(members) > 10 else "")
            loops.append(Problem(src, where_rows("links", inside), NO_VALUE,
                                 f"not a productive map: the loop through firms {names} has spectral radius {rho:.4g}; "
                                 "expected below 1, so that x = d + M x has a solution x >= 0"))
        fallback = Problem(file, "links", NO_VALUE, f"expected a productive map (x = d + M x solvable with x >= 0): {exc}")
        raise InputError(loops or [fallback]) from None
    huge = np.flatnonzero(~(x <= MAX_OUTPUT))  # also nan and inf
    if len(huge):
        k = int(huge[np.argmax(np.nan_to_num(x[huge], nan=np.inf))])
        expected = (f"baseline outputs of at most {MAX_OUTPUT:g} units a day (simcore.limits: stocks and pipelines of many days "
                    f"must stay finite numbers); firm '{firms[k].id}' would make {x[k]:.3g} (final demand in all: {final.sum():.3g})")
        raise InputError([Problem(file, "demand", NO_VALUE, "expected " + expected)])
    dead = np.flatnonzero(~reaches(final > 0, l_sup, l_cus, n))
    for k in dead:
        problem("firms", int(k), "id", firms[k].id, "a firm with a supply path to final demand (its baseline output is 0)")
    cmap = ChainMap(
        file=path,
        info=doc.model,
        defaults=doc.defaults,
        parameters=doc.parameters,
        products=tuple(p.model_copy(update={"recipe": recipes[k], "necessity": necessities[k]}) for k, p in enumerate(products)),
        firms=tuple(firms),
        links=tuple(links),
        final_demand=final,
        outputs=x,
        firm_product=f_prod,
        link_supplier=l_sup,
        link_customer=l_cus,
        link_coef=l_coef,
    )
    object.__setattr__(cmap, "technical", M)  # built here already (the cached property's value)
    problems += tau_problem(doc.parameters.tau, cmap, file, "parameters.tau")
    raise_if(problems)
    return cmap
