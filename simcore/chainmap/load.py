"""Load a chain map (TOML plus optional CSV tables) and check it as a whole.

Every problem of a file is collected before anything is raised.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from simcore.chainmap.baseline import NotProductive, solve_outputs, technical_matrix
from simcore.chainmap.model import ChainMap
from simcore.chainmap.schema import ChainMapFile, Demand, Firm, Link, Product, RecipeRow
from simcore.errors import NO_VALUE, InputError, Problem
from simcore.validation import raise_if, read_csv_rows, read_toml, validate

SHARE_TOLERANCE = 1e-6

_ROW_MODELS = {"products": Product, "firms": Firm, "links": Link, "demand": Demand, "recipes": RecipeRow}


def load_model(path: str | Path) -> ChainMap:
    """Read, validate and solve the baseline of a chain map; raise InputError listing every problem."""
    path = Path(path)
    file = str(path)
    doc, problems = validate(ChainMapFile, read_toml(path), file)
    raise_if(problems)
    assert doc is not None

    products, firms, links, demand = list(doc.products), list(doc.firms), list(doc.links), list(doc.demand)
    origin: dict[str, list[tuple[str, int]]] = {}  # table -> (file, row in that file) per record
    for table, records in (("products", products), ("firms", firms), ("links", links), ("demand", demand)):
        origin[table] = [(file, i) for i in range(len(records))]

    recipe_rows: list[tuple[RecipeRow, str, int]] = []
    for table, rel in doc.tables.model_dump().items():
        if rel is None:
            continue
        csv_path = path.parent / rel
        rows, row_problems = read_csv_rows(csv_path, table)
        problems += [Problem(file, p.field, p.value, p.expected) if p.file == str(csv_path) and "tables." in p.field else p for p in row_problems]
        adapter = TypeAdapter(_ROW_MODELS[table])
        for i, row in enumerate(rows):
            record, row_problems = validate(adapter, row, str(csv_path), (f"{table}[{i}] (line {i + 2})",))
            problems += row_problems
            if record is None:
                continue
            if table == "recipes":
                recipe_rows.append((record, str(csv_path), i))
            else:
                {"products": products, "firms": firms, "links": links, "demand": demand}[table].append(record)
                origin[table].append((str(csv_path), i))
    raise_if(problems)

    def where(table: str, k: int, field: str = "") -> tuple[str, str]:
        src, row = origin[table][k]
        loc = f"{table}[{row}]" + (f" (line {row + 2})" if src != file else "")
        return src, loc + (f".{field}" if field else "")

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
    for row, src, i in recipe_rows:
        if row.product not in product_index:
            problems.append(Problem(src, f"recipes[{i}] (line {i + 2}).product", row.product, "the id of a product of this map"))
        elif row.input in recipes[product_index[row.product]]:
            problems.append(Problem(src, f"recipes[{i}] (line {i + 2}).input", row.input, "each input once per product"))
        else:
            recipes[product_index[row.product]][row.input] = row.units
    for k, p in enumerate(products):
        for q in recipes[k]:
            if q not in product_index:
                problem("products", k, f"recipe.{q}", q, "an input that is the id of a product of this map")

    firm_index: dict[str, int] = {}
    for k, f in enumerate(firms):
        if f.id in firm_index:
            problem("firms", k, "id", f.id, "a firm id not used before")
        firm_index.setdefault(f.id, k)
        if f.product not in product_index:
            problem("firms", k, "product", f.product, "the id of a product of this map")
            continue
        recipe = recipes[product_index[f.product]]
        for q in f.cover_by_input:
            if q not in recipe:
                problem("firms", k, f"cover_by_input.{q}", q, f"an input of product '{f.product}' ({', '.join(recipe) or 'it has none'})")

    declared = set(doc.model.chains)
    for table, records in (("products", products), ("firms", firms)):
        for k, rec in enumerate(records):
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
                problem("links", k, field, getattr(link, field), "the id of a firm of this map")
                ok = False
        if not ok:
            continue
        if (link.supplier, link.customer) in seen_pairs:
            problem("links", k, "", f"{link.supplier} -> {link.customer}", f"one link per supplier and customer (also links[{seen_pairs[link.supplier, link.customer]}])")
            continue
        seen_pairs[link.supplier, link.customer] = k
        s, c = firms[firm_index[link.supplier]], firms[firm_index[link.customer]]
        if s.product not in product_index or c.product not in product_index:
            continue
        if s.product not in recipes[product_index[c.product]]:
            problem("links", k, "supplier", link.supplier, f"a supplier of an input of '{c.product}' (it makes '{s.product}', which the recipe of '{c.product}' does not use)")
            continue
        by_need[firm_index[link.customer], s.product].append(k)

    for (ci, q), ks in by_need.items():
        total = sum(links[k].share for k in ks)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            src, _ = where("links", ks[0])
            rows = ",".join(str(origin["links"][k][1]) for k in ks)
            problems.append(Problem(src, f"links[{rows}].share", round(total, 9), f"shares of firm '{firms[ci].id}' suppliers of '{q}' to sum to 1"))

    for k, f in enumerate(firms):
        if f.product not in product_index:
            continue
        for q in recipes[product_index[f.product]]:
            if q in product_index and (k, q) not in by_need:
                problem("firms", k, "product", f.product, f"a supplier link for input '{q}' of '{f.product}' (firm '{f.id}' has none)")

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
                problem("demand", k, "firm", dem.firm, "the id of a firm of this map")
            else:
                final[firm_index[dem.firm]] += dem.units
        elif dem.product not in product_index:
            problem("demand", k, "product", dem.product, "the id of a product of this map")
        elif not makers[dem.product]:
            problem("demand", k, "product", dem.product, "a product that some firm makes")
        else:
            for m in makers[dem.product]:
                final[m] += dem.units / len(makers[dem.product])
    if not demand and not problems:
        problems.append(Problem(file, "demand", NO_VALUE, "at least one final demand entry (`[[demand]]` or a demand table)"))
    raise_if(problems)

    # --- baseline --------------------------------------------------------------
    n = len(firms)
    f_prod = np.array([product_index[f.product] for f in firms], dtype=np.int64)
    l_sup = np.array([firm_index[l.supplier] for l in links], dtype=np.int64)
    l_cus = np.array([firm_index[l.customer] for l in links], dtype=np.int64)
    l_coef = np.array([recipes[f_prod[c]][products[f_prod[s]].id] for s, c in zip(l_sup, l_cus)], dtype=float)
    l_share = np.array([l.share for l in links], dtype=float)
    M = technical_matrix(n, l_sup, l_cus, l_share * l_coef)
    try:
        x = solve_outputs(M, final)
    except NotProductive as exc:
        raise InputError([Problem(file, "links", NO_VALUE, f"a productive map (x = d + M x solvable with x >= 0): {exc}")]) from None
    dead = np.flatnonzero(x <= 1e-12 * max(1.0, float(x.max(initial=0.0))))
    for k in dead:
        problem("firms", int(k), "", firms[k].id, "a firm with a supply path to final demand (its baseline output is 0)")
    raise_if(problems)

    return ChainMap(
        file=path,
        info=doc.model,
        defaults=doc.defaults,
        parameters=doc.parameters,
        products=tuple(p.model_copy(update={"recipe": recipes[k]}) for k, p in enumerate(products)),
        firms=tuple(firms),
        links=tuple(links),
        final_demand=final,
        outputs=x,
        firm_product=f_prod,
        link_supplier=l_sup,
        link_customer=l_cus,
        link_coef=l_coef,
    )
