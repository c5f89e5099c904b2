"""The fast path for big CSV tables: whole columns checked at once (Arrow), no record built for a valid map.

A large map is almost always valid, and validating its millions of rows one by one through pydantic was most of the
time and memory of loading it (benchmarks/README.md, Scaling). So a CSV table is first read by Arrow, and every cell
of every column is checked against the plain form of its field (an id, a number in range, a tier, a category, a `;`
list, `input=days` pairs). If every cell of the firms, links and demand tables passes, `load_columnar` checks the map
as a whole on arrays (unique ids, known references, one link per pair, suppliers of recipe inputs, shares summing to
1, every input supplied, final demand, the baseline) and keeps the firms and links as columns (`RecordTable`).

If anything at all is unusual — an unknown or repeated column, a missing required cell, a quoted cell over several
lines, a ragged row, a number written another way, a value out of range, any problem of the map as a whole — the fast
path gives up (`GiveUp`) and the map goes through the record path (`simcore.chainmap.load`: per-record validation),
which finds and names every problem. So the fast path can only ever accept what the record path accepts, and gives
the same map (tests/chainmap/test_columns.py checks both on random cells and random maps).
"""

from __future__ import annotations

import csv as text_csv
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from simcore.chainmap.schema import ROW_MODELS, Category, Necessity
from simcore.chainmap.table import RecordTable
from simcore.limits import MAX_LEAD_TIME
from simcore.validation import is_parquet, parquet_cells, read_parquet

# the plain form of each CSV column: (kind, low, low inclusive, high); kinds below
ID, TEXT, IDS, NUMBER, TIER, CATEGORY, NECESSITY, COVERS = "id", "text", "ids", "number", "tier", "category", "necessity", "covers"
NONNEG = (NUMBER, 0.0, True, math.inf)
POSITIVE = (NUMBER, 0.0, False, math.inf)
COLUMNS: dict[str, dict[str, tuple]] = {
    "products": {"id": (ID,), "name": (TEXT,), "category": (CATEGORY,), "chains": (IDS,), "price": POSITIVE},
    "recipes": {"product": (ID,), "input": (ID,), "units": POSITIVE, "necessity": (NECESSITY,)},
    "firms": {
        "id": (ID,), "name": (TEXT,), "product": (ID,), "region": (ID,), "tags": (IDS,), "group": (TEXT,), "chains": (IDS,),
        "headroom": NONNEG, "cover": NONNEG, "cover_by_input": (COVERS,), "priority": (TIER,),
    },  # fmt: skip
    "links": {"supplier": (ID,), "customer": (ID,), "share": (NUMBER, 0.0, False, 1.0), "lead_time": (NUMBER, 0.0, True, MAX_LEAD_TIME), "priority": (TIER,)},
    "demand": {"firm": (ID,), "product": (ID,), "units": NONNEG},
}
# a number as Python, pydantic and Arrow all read it alike (no `1_000`, `inf`, hex or spaces inside)
PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_PLAIN = re.compile(PLAIN_NUMBER)
ENUMS = {CATEGORY: Category, NECESSITY: Necessity}
# what `str.strip` strips beyond spaces and tabs (Unicode whitespace): a cell that starts or ends with it goes the record path
PADDED = r"^[\s\x0b\x1c-\x1f\x85\pZ]|[\s\x0b\x1c-\x1f\x85\pZ]$"


def fast_records(path: Path, table: str) -> list | None:
    """The records of CSV table `table` at `path` if every cell is in its plain valid form; None otherwise (the
    record path then reads the table and reports what is wrong)."""
    read = fast_columns(path, table)
    return None if read is None else list(RecordTable(ROW_MODELS[table], columns=read[0], length=read[1]))


def fast_columns(path: Path, table: str) -> tuple[dict, int] | None:
    """The columns of CSV table `table` at `path`, and its number of rows, if every cell is in its plain valid
    form; None otherwise. Each column is in the form `RecordTable` holds: numbers as floats (NaN for an empty
    cell), ids and text as Arrow strings (null for an empty cell), anything else as a list of values (None)."""
    import pyarrow as pa
    from pyarrow import csv

    spec, model = COLUMNS[table], ROW_MODELS[table]
    if is_parquet(path):
        data, bom = read_parquet(path)[0], False
        if data is None:
            return None
    else:
        try:
            bom, header = _header(path)
            data = csv.read_csv(
                path,
                read_options=csv.ReadOptions(encoding="utf8"),
                parse_options=csv.ParseOptions(newlines_in_values=False),
                convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in header}, strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError, ValueError):
            return None
    names = data.column_names
    stripped = [n.strip() for n in names]
    if bom or len(set(stripped)) != len(stripped) or not set(stripped) <= set(spec) or data.num_rows == 0:
        return None
    required = [f for f, info in model.model_fields.items() if info.is_required()]
    if not set(required) <= set(stripped):
        return None
    columns: dict[str, Any] = {}
    for c, field in enumerate(stripped):
        values = _column(data.column(c), spec[field], field in required)
        if values is None:
            return None
        columns[field] = values
    return columns, data.num_rows


def _header(path: Path) -> tuple[bool, list[str]]:
    """Whether the file starts with a byte-order mark (the record path reads those), and its header's names: every
    column is read as text by name (Arrow would otherwise guess types and read `007` as 7)."""
    with path.open("rb") as fh:
        first = fh.readline()
    return first.startswith(b"\xef\xbb\xbf"), next(text_csv.reader([first.decode("utf-8")]), [])


def _column(column, spec: tuple, required: bool) -> Any:
    """One column's values as validation would give them, in the form `RecordTable` holds (an empty cell: NaN or
    None, the default applies), or None when some cell is not in the plain form of its field. Numbers are checked
    and parsed by Arrow, padded by spaces or tabs at most (what `str.strip` removes too); ids and text stay Arrow
    strings; every other cell is stripped as the record path does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = spec[0]
    if not pa.types.is_string(column.type) or column.null_count:  # Parquet: numbers as they are, the rest as text cells
        numeric = pa.types.is_floating(column.type) or (pa.types.is_integer(column.type) and _exact(column))
        if kind == NUMBER and numeric:
            return _numbers(column, spec, required)
        column = parquet_cells(column)
        if column is None:
            return None
    raw = column.combine_chunks()
    if kind == NUMBER:
        text = pc.utf8_trim(raw, " \t")
        empty = pc.equal(text, "")
        if required and pc.any(empty).as_py():
            return None
        filled = pc.filter(text, pc.invert(empty))
        if len(filled) and not pc.all(pc.match_substring_regex(filled, PLAIN_NUMBER)).as_py():
            return None
        values = pc.cast(filled, "float64").to_numpy()
        _, low, inclusive, high = spec
        if not (np.isfinite(values).all() and (values >= low if inclusive else values > low).all() and (values <= high).all()):
            return None
        gaps = empty.to_numpy(zero_copy_only=False)
        if not gaps.any():
            return values
        out = np.full(len(raw), np.nan)
        out[~gaps] = values
        return out
    if kind == TIER and not pc.all(pc.match_substring_regex(raw, r"^[ \t]*[0-9]?[ \t]*$")).as_py():
        return None
    if kind in (ID, TEXT):  # stripped as `str.strip` strips; a cell padded by anything else goes the record path
        text = pc.utf8_trim(raw, " \t")
        if pc.any(pc.match_substring_regex(text, PADDED)).as_py():
            return None
        empty = pc.equal(text, "")
        if required and pc.any(empty).as_py():
            return None
        return pc.if_else(empty, pa.scalar(None, pa.string()), text) if pc.any(empty).as_py() else text
    cells = [c.strip() for c in raw.to_pylist()]
    if required and "" in cells:
        return None
    if kind == TIER:
        return [int(c) if c else None for c in cells]
    if kind in ENUMS:
        allowed = {e.value: e for e in ENUMS[kind]}
        if not all(c == "" or c in allowed for c in cells):
            return None
        return [allowed[c] if c else None for c in cells]
    if kind == IDS:
        return [[x.strip() for x in c.split(";") if x.strip()] if c else None for c in cells]
    return _covers(cells)


def _exact(column) -> bool:
    """Whether every integer of a column is a float64 as it is (the record path reads its text as a float)."""
    import pyarrow.compute as pc

    bounds = pc.min_max(column)
    return bounds["min"].as_py() is None or max(abs(bounds["min"].as_py()), abs(bounds["max"].as_py())) <= 2**53


def _numbers(column, spec: tuple, required: bool) -> np.ndarray | None:
    """A Parquet column of numbers as `_column` gives a CSV column (NaN for a null), or None if a value is missing
    where required, not finite or out of range; float32 is widened, as `parquet_cells` widens it."""
    import pyarrow as pa

    values = column.cast(pa.float64()).to_numpy()  # a null becomes NaN
    gaps = column.is_null().to_numpy(zero_copy_only=False)
    if required and gaps.any():
        return None
    _, low, inclusive, high = spec
    given = values[~gaps]
    if not (np.isfinite(given).all() and (given >= low if inclusive else given > low).all() and (given <= high).all()):
        return None
    return values


def _covers(cells: list[str]) -> list | None:
    """`input=days;input=days` cells as dicts of non-negative days, as `simcore.validation.table_row` reads them."""
    out = []
    for c in cells:
        if c == "":
            out.append(None)
            continue
        pairs = {}
        for part in (p for p in c.split(";") if p.strip()):
            kv = part.split("=")
            if len(kv) != 2 or not kv[0].strip():
                return None
            key, value = kv[0].strip(), kv[1].strip()
            if not _PLAIN.match(value):
                return None
            days = float(value)
            if not (math.isfinite(days) and days >= 0):
                return None
            pairs[key] = days
        out.append(pairs)
    return out


class GiveUp(Exception):
    """The column path cannot vouch for this map: the record path loads it and names whatever is wrong."""


def load_columnar(path: Path, doc, table_paths: dict[str, str | None], products: list, recipe_rows: list):
    """The chain map of `path` when its firms, links and demand are CSV tables whose every cell is plain, checked
    as whole columns; raise GiveUp at the first thing the record path would report (or that this path does not
    handle), so that every accepted map is exactly the one the record path builds (tests/chainmap/test_columns.py).

    `products` are the map's validated product records and `recipe_rows` its validated recipe-table rows (both are
    small); the checks are those of `simcore.chainmap.load._load`, on arrays."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from simcore.chainmap.baseline import SHARE_TOLERANCE, NotProductive, link_coefficients, reaches, solve_outputs, tau_problem, technical_matrix
    from simcore.chainmap.model import ChainMap
    from simcore.chainmap.schema import Firm, Link
    from simcore.limits import MAX_OUTPUT

    tables = {}
    for table in ("firms", "links", "demand"):
        rel = table_paths.get(table)
        read = fast_columns(path.parent / rel, table) if rel is not None and (path.parent / rel).is_file() else None
        if read is None:
            raise GiveUp(table)
        tables[table] = read
    (firms, n), (links, n_links), (demand, n_demand) = tables["firms"], tables["links"], tables["demand"]

    # products and recipes: few records, checked one by one as the record path checks them
    product_index: dict[str, int] = {}
    for k, p in enumerate(products):
        if p.id in product_index:
            raise GiveUp("products.id")
        product_index[p.id] = k
    recipes = [dict(p.recipe) for p in products]
    necessities = [dict(p.necessity) for p in products]
    for row in recipe_rows:
        if row.product not in product_index or row.input in recipes[product_index[row.product]]:
            raise GiveUp("recipes")
        recipes[product_index[row.product]][row.input] = row.units
        if row.necessity is not None:
            necessities[product_index[row.product]][row.input] = row.necessity
    declared = set(doc.model.chains)
    for k, p in enumerate(products):
        if not set(recipes[k]) <= set(product_index) or not set(p.necessity) <= set(recipes[k]) or (declared and not set(p.chains) <= declared):
            raise GiveUp("products")

    # firms: unique ids, known products, covers of inputs they have, declared chains
    ids = firms["id"]
    if pc.count_distinct(ids).as_py() != n:
        raise GiveUp("firms.id")
    product_ids = pa.array(list(product_index), pa.string())
    f_prod = pc.index_in(firms["product"], value_set=product_ids)
    if f_prod.null_count:
        raise GiveUp("firms.product")
    f_prod = f_prod.to_numpy().astype(np.int64)
    for k, covers in enumerate(firms.get("cover_by_input", ())):
        if covers and not set(covers) <= set(recipes[f_prod[k]]):
            raise GiveUp("firms.cover_by_input")
    for chains in firms.get("chains", ()):
        if chains and declared and not set(chains) <= declared:
            raise GiveUp("firms.chains")

    # links: known firms, one link per pair, suppliers of recipe inputs, shares summing to 1, every input supplied
    l_sup, l_cus = (pc.index_in(links[f], value_set=ids) for f in ("supplier", "customer"))
    if l_sup.null_count or l_cus.null_count:
        raise GiveUp("links.supplier")
    l_sup, l_cus = l_sup.to_numpy().astype(np.int64), l_cus.to_numpy().astype(np.int64)
    pairs = np.sort(l_sup * n + l_cus)
    if (pairs[1:] == pairs[:-1]).any():
        raise GiveUp("links")
    P = len(products)
    recipe_keys = np.array(sorted(c * P + product_index[q] for c in range(P) for q in recipes[c]), dtype=np.int64)
    need = f_prod[l_cus] * P + f_prod[l_sup]  # (customer's product, input) of each link
    at = np.searchsorted(recipe_keys, need)
    if not (recipe_keys.size and (at < recipe_keys.size).all() and (recipe_keys[np.minimum(at, recipe_keys.size - 1)] == need).all()):
        raise GiveUp("links.supplier")
    firm_table, link_table = RecordTable(Firm, columns=firms, length=n), RecordTable(Link, columns=links, length=n_links)
    l_share = link_table.numbers("share")
    groups, group_of = np.unique(l_cus * P + f_prod[l_sup], return_inverse=True)  # (customer, input)
    totals = np.bincount(group_of, weights=l_share, minlength=groups.size)
    if (np.abs(totals - 1.0) > SHARE_TOLERANCE / 2).any():  # near the tolerance, the record path's own sum decides
        raise GiveUp("links.share")
    inputs = np.array([len(r) for r in recipes], dtype=np.int64)[f_prod]
    if not np.array_equal(np.bincount(groups // P, minlength=n), inputs):
        raise GiveUp("firms.product")

    # final demand, summed in the order of the rows as the record path sums it
    d_firm = pc.index_in(demand["firm"], value_set=ids) if "firm" in demand else pa.nulls(n_demand, pa.int32())
    d_prod = pc.index_in(demand["product"], value_set=product_ids) if "product" in demand else pa.nulls(n_demand, pa.int32())
    by_firm = pc.is_valid(demand["firm"]).to_numpy(zero_copy_only=False) if "firm" in demand else np.zeros(n_demand, bool)
    by_product = pc.is_valid(demand["product"]).to_numpy(zero_copy_only=False) if "product" in demand else np.zeros(n_demand, bool)
    if (by_firm == by_product).any() or d_firm.null_count != (~by_firm).sum() or d_prod.null_count != (~by_product).sum():
        raise GiveUp("demand")
    units = demand["units"]
    final = np.zeros(n)
    if not by_product.any():
        np.add.at(final, d_firm.to_numpy(zero_copy_only=False).astype(np.int64), units)
    else:
        makers = [[] for _ in range(P)]
        for k, p in enumerate(f_prod.tolist()):
            makers[p].append(k)
        firm_rows, product_rows = d_firm.to_pylist(), d_prod.to_pylist()
        for r in range(n_demand):
            if by_firm[r]:
                final[firm_rows[r]] += units[r]
            elif not makers[product_rows[r]]:
                raise GiveUp("demand.product")
            else:
                for m in makers[product_rows[r]]:
                    final[m] += units[r] / len(makers[product_rows[r]])

    # baseline
    l_coef = link_coefficients(recipes, products, f_prod, l_sup, l_cus)
    M = technical_matrix(n, l_sup, l_cus, l_share * l_coef)
    try:
        x = solve_outputs(M, final)
    except NotProductive:
        raise GiveUp("links") from None
    if not (x <= MAX_OUTPUT).all() or not reaches(final > 0, l_sup, l_cus, n).all():
        raise GiveUp("demand")
    cmap = ChainMap(
        file=path,
        info=doc.model,
        defaults=doc.defaults,
        parameters=doc.parameters,
        products=tuple(p.model_copy(update={"recipe": recipes[k], "necessity": necessities[k]}) for k, p in enumerate(products)),
        firms=firm_table,
        links=link_table,
        final_demand=final,
        outputs=x,
        firm_product=f_prod,
        link_supplier=l_sup,
        link_customer=l_cus,
        link_coef=l_coef,
    )
    object.__setattr__(cmap, "technical", M)  # built here already (the cached property's value)
    if tau_problem(doc.parameters.tau, cmap, str(path), "parameters.tau"):
        raise GiveUp("parameters.tau")
    return cmap
