"""Your own supply network as a chain map: firms/links/products CSV tables, or a GraphML/GEXF graph read with networkx.

Tables (a folder holding `firms.csv`, `links.csv` and optionally
`products.csv`; other names with the `firms`/`links`/`products` options):

- firms: `id` (required), `product` (default: the firm makes its own product,
  named like the firm), `region`, `name`, `tags`, `group`, `chains`, `cover`,
  `headroom`, `priority`, `demand` (final demand, units per day);
- links: `supplier`, `customer` (required), `units` (units of the supplier's
  product per unit of the customer's, default 1), `share`, `weight` (shares
  in proportion to it when `share` is not given; else equal shares),
  `lead_time`, `priority`;
- products: `id`, `name`, `category`, `price`, `chains`.

Columns with other names are mapped by the `columns` option
(`{"links.supplier": "from"}`). A graph's nodes are firms and its edges
links, with the same fields as node and edge attributes. Every choice is in
docs/importers.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simcore.errors import NO_VALUE, InputError, Problem
from simcore.importers.common import (
    CATEGORIES,
    ImportedMap,
    name_some,
    option_problem,
    provenance,
    prune_to_demand,
    read_source_table,
    regenerate_comment,
)
from simcore.importers.write import MapTables, ModelHeader
from simcore.validation import raise_if

VERSION = 1
KIND = "csv"
FIELDS = {
    "firms": ("id", "product", "region", "name", "tags", "group", "chains", "cover", "headroom", "priority", "demand"),
    "links": ("supplier", "customer", "units", "share", "weight", "lead_time", "priority"),
    "products": ("id", "name", "category", "price", "chains"),
}
REQUIRED = {"firms": ("id",), "links": ("supplier", "customer"), "products": ("id",)}
GRAPH_SUFFIXES = (".graphml", ".gexf")
SHARE_TOLERANCE = 1e-6


@dataclass
class Record:
    """One firm, link or product as read: raw values by field, and where each came from."""

    values: dict[str, Any]
    file: str
    loc: str  # `links[3] (line 5)` or `edges[3] (a -> b)`
    column: dict[str, str]  # field -> the column or attribute it was read from

    def where(self, field: str) -> str:
        return f"{self.loc}.{self.column.get(field, field)}"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(
    rec: Record,
    field: str,
    problems: list[Problem],
    minimum: float | None = None,
    strict: bool = False,
    maximum: float | None = None,
    integer: bool = False,
) -> float | None:
    raw = rec.values.get(field)
    text = _text(raw)
    if text == "":
        return None
    what = "a whole number" if integer else "a number"
    bounds = []
    if minimum is not None:
        bounds.append(f"{'>' if strict else '>='} {minimum:g}")
    if maximum is not None:
        bounds.append(f"<= {maximum:g}")
    expected = what + (" " + " and ".join(bounds) if bounds else "")
    try:
        value = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else float(text)
    except ValueError:
        problems.append(Problem(rec.file, rec.where(field), text, expected))
        return None
    if not math.isfinite(value) or (integer and not value.is_integer()):
        problems.append(Problem(rec.file, rec.where(field), raw, expected))
        return None
    if (minimum is not None and (value < minimum or (strict and value == minimum))) or (maximum is not None and value > maximum):
        problems.append(Problem(rec.file, rec.where(field), value, expected))
        return None
    return value


def _list(rec: Record, field: str) -> list[str]:
    return [t.strip() for t in _text(rec.values.get(field)).split(";") if t.strip()]


def read_table_records(path: Path, table: str, columns: dict[str, str], problems: list[Problem], notes: list[str]) -> list[Record] | None:
    """Rows of a user's CSV table as records; a missing required column names the file, the table and the column."""
    src = read_source_table(path, table, problems)
    if src is None:
        return None
    mapping = {f: columns.get(f"{table}.{f}", f) for f in FIELDS[table]}
    header = [h.strip() for h in src.header]
    pos = {f: header.index(c) for f, c in mapping.items() if c in header}
    for f in REQUIRED[table]:
        if f not in pos:
            hint = "" if mapping[f] != f else f" (map another column to it with the option columns, e.g. {table}.{f}=YOUR_COLUMN)"
            problems.append(
                Problem(
                    src.file,
                    src.header_where(mapping[f]),
                    NO_VALUE,
                    f"required column is missing: expected a column named '{mapping[f]}'{hint}; the header has {', '.join(h for h in header if h) or 'no names'}",
                )
            )
    ignored = [h for h in header if h and h not in mapping.values()]
    if ignored:
        notes.append(f"{path.name}: ignored column(s) {', '.join(ignored)}")
    if any(f not in pos for f in REQUIRED[table]):
        return None
    return [Record({f: src.cell(i, p) for f, p in pos.items()}, src.file, src.where(i), {f: mapping[f] for f in pos}) for i in range(len(src.rows))]


def read_graph_records(path: Path, problems: list[Problem], columns: dict[str, str]) -> tuple[list[Record], list[Record]] | None:
    """A GraphML or GEXF graph as firm records (nodes) and link records (edges)."""
    import networkx as nx

    file = str(path)
    if not path.is_file():
        problems.append(Problem(file, "", NO_VALUE, "file not found"))
        return None
    reader = nx.read_graphml if path.suffix.lower() == ".graphml" else nx.read_gexf
    try:
        g = reader(path)
    except Exception as exc:  # noqa: BLE001  (networkx raises several kinds for bad XML)
        problems.append(Problem(file, "", NO_VALUE, f"not a valid {path.suffix.lstrip('.').upper()} file: {exc}"))
        return None
    if not g.is_directed():
        problems.append(Problem(file, "graph", NO_VALUE, "expected a directed graph (each edge goes from a supplier to a customer)"))
        return None
    fmap = {f: columns.get(f"firms.{f}", f) for f in FIELDS["firms"] if f != "id"}
    lmap = {f: columns.get(f"links.{f}", f) for f in FIELDS["links"] if f not in ("supplier", "customer")}
    firms, links = [], []
    for k, (node, data) in enumerate(g.nodes(data=True)):
        values = {"id": str(node)}
        values |= {f: data[a] for f, a in fmap.items() if a in data}
        if "name" not in values and "label" in data and str(data["label"]) != str(node):
            values["name"] = data["label"]
        firms.append(Record(values, file, f"nodes[{k}] (id {str(node)!r})", {"id": "id", **fmap}))
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True))
    for k, (u, v, _key, data) in enumerate(edges):
        values = {"supplier": str(u), "customer": str(v)} | {f: data[a] for f, a in lmap.items() if a in data}
        links.append(Record(values, file, f"edges[{k}] ({u} -> {v})", {"supplier": "source", "customer": "target", **lmap}))
    for rec in (*firms, *links):  # a graph's NaN is written on purpose, unlike an empty cell: never read it as "not given"
        for field, value in rec.values.items():
            if isinstance(value, float) and math.isnan(value):
                problems.append(Problem(file, rec.where(field), value, "a number (not NaN); leave the attribute out for the default"))
    return firms, links


def records_map(
    firm_recs: list[Record], link_recs: list[Record], product_recs: list[Record], region: str, category: str | None, notes: list[str]
) -> MapTables:
    """Firms, links and products as read, checked and completed (products, recipes, shares) into chain-map tables."""
    problems: list[Problem] = []
    firms: dict[str, dict[str, Any]] = {}
    firm_rec: dict[str, Record] = {}
    for rec in firm_recs:
        fid = _text(rec.values.get("id"))
        if not fid:
            problems.append(Problem(rec.file, rec.where("id"), NO_VALUE, "expected a firm id (the cell is empty)"))
            continue
        if fid in firms:
            problems.append(Problem(rec.file, rec.where("id"), fid, f"a firm id not used before (also at {firm_rec[fid].loc})"))
            continue
        n0 = len(problems)
        row = {
            "id": fid,
            "name": _text(rec.values.get("name")),
            "product": _text(rec.values.get("product")) or fid,
            "region": _text(rec.values.get("region")) or region,
            "tags": _list(rec, "tags"),
            "group": _text(rec.values.get("group")),
            "chains": _list(rec, "chains"),
            "cover": _number(rec, "cover", problems, minimum=0),
            "headroom": _number(rec, "headroom", problems, minimum=0),
            "priority": _number(rec, "priority", problems, minimum=0, maximum=9, integer=True),
            "demand": _number(rec, "demand", problems, minimum=0) or 0.0,
        }
        firm_rec[fid] = rec
        if len(problems) == n0:
            firms[fid] = row
        else:
            firms[fid] = None  # known id with a bad cell: links to it are not reported again

    products: dict[str, dict[str, Any]] = {}
    for rec in product_recs:
        pid = _text(rec.values.get("id"))
        if not pid:
            problems.append(Problem(rec.file, rec.where("id"), NO_VALUE, "expected a product id (the cell is empty)"))
            continue
        if pid in products:
            problems.append(Problem(rec.file, rec.where("id"), pid, "a product id not used before"))
            continue
        cat = _text(rec.values.get("category"))
        if cat and cat not in CATEGORIES:
            problems.append(Problem(rec.file, rec.where("category"), cat, f"one of {', '.join(CATEGORIES)}"))
        products[pid] = {
            "id": pid,
            "name": _text(rec.values.get("name")),
            "category": cat or None,
            "price": _number(rec, "price", problems, minimum=0, strict=True),
            "chains": _list(rec, "chains"),
        }

    links = []
    seen: dict[tuple[str, str], Record] = {}
    for rec in link_recs:
        ends = {}
        for field in ("supplier", "customer"):
            value = _text(rec.values.get(field))
            if not value:
                problems.append(Problem(rec.file, rec.where(field), NO_VALUE, f"expected the {field} firm's id (the cell is empty)"))
            elif value not in firms:
                problems.append(Problem(rec.file, rec.where(field), value, "the id of a firm of the firms table"))
            ends[field] = value
        n0 = len(problems)
        units = _number(rec, "units", problems, minimum=0, strict=True)
        share = _number(rec, "share", problems, minimum=0, strict=True, maximum=1)
        weight = _number(rec, "weight", problems, minimum=0, strict=True)
        lead = _number(rec, "lead_time", problems, minimum=0)
        priority = _number(rec, "priority", problems, minimum=0, maximum=9, integer=True)
        s, c = ends.get("supplier"), ends.get("customer")
        if len(problems) > n0 or s not in firms or c not in firms or firms[s] is None or firms[c] is None:
            continue
        if (s, c) in seen:
            problems.append(Problem(rec.file, rec.loc, f"{s} -> {c}", f"one link per supplier and customer (also {seen[s, c].loc})"))
            continue
        seen[s, c] = rec
        links.append(
            {"supplier": s, "customer": c, "units": units, "share": share, "weight": weight, "lead_time": lead, "priority": priority, "rec": rec}
        )
    raise_if(problems)
    firms = {k: v for k, v in firms.items() if v is not None}

    # recipes: one coefficient per (product, input); every maker of a product needs a supplier of each input
    recipe: dict[str, dict[str, tuple[float, Record]]] = defaultdict(dict)
    for ln in links:
        p, q = firms[ln["customer"]]["product"], firms[ln["supplier"]]["product"]
        u = 1.0 if ln["units"] is None else ln["units"]
        if q in recipe[p] and recipe[p][q][0] != u:
            first = recipe[p][q][1]
            problems.append(
                Problem(
                    ln["rec"].file,
                    ln["rec"].where("units"),
                    u,
                    f"the same units as {first.loc} ({recipe[p][q][0]:g}): one recipe per product, so every link of input '{q}' into product '{p}' uses the same units",
                )
            )
            continue
        recipe[p].setdefault(q, (u, ln["rec"]))
    supplied = {(ln["customer"], firms[ln["supplier"]]["product"]) for ln in links}
    for fid, f in firms.items():
        for q, (_, rec) in recipe[f["product"]].items():
            if (fid, q) not in supplied:
                problems.append(
                    Problem(
                        firm_rec[fid].file,
                        firm_rec[fid].where("product"),
                        f["product"],
                        f"a supplier link for input '{q}' of '{f['product']}' into firm '{fid}' (another maker of '{f['product']}' uses it: {rec.loc})",
                    )
                )

    # shares: given, or by weight, or equal
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for ln in links:
        groups[ln["customer"], firms[ln["supplier"]]["product"]].append(ln)
    for (c, q), members in groups.items():
        given = [m for m in members if m["share"] is not None]
        if given and len(given) < len(members):
            m = next(m for m in members if m["share"] is None)
            problems.append(
                Problem(
                    m["rec"].file,
                    m["rec"].where("share"),
                    NO_VALUE,
                    f"expected a share: other suppliers of '{q}' to firm '{c}' have one ({given[0]['rec'].loc})",
                )
            )
        elif given:
            total = sum(m["share"] for m in members)
            if abs(total - 1.0) > SHARE_TOLERANCE:
                problems.append(
                    Problem(
                        members[0]["rec"].file,
                        members[0]["rec"].where("share"),
                        round(total, 9),
                        f"shares of firm '{c}' suppliers of '{q}' to sum to 1 ({', '.join(m['rec'].loc for m in members)})",
                    )
                )
        else:
            weights = [m["weight"] for m in members]
            if any(w is not None for w in weights) and any(w is None for w in weights):
                m = members[weights.index(None)]
                problems.append(
                    Problem(m["rec"].file, m["rec"].where("weight"), NO_VALUE, f"expected a weight: other suppliers of '{q}' to firm '{c}' have one")
                )
                continue
            total = sum(weights) if weights[0] is not None else float(len(members))
            for m in members:
                m["share"] = (m["weight"] if m["weight"] is not None else 1.0) / total
    raise_if(problems)

    # firms with no path to final demand are dropped
    demand = {fid: f["demand"] for fid, f in firms.items()}
    live = prune_to_demand(list(firms), [(ln["supplier"], ln["customer"]) for ln in links], demand)
    if not any(d > 0 for d in demand.values()):
        raise InputError(
            [
                Problem(
                    firm_recs[0].file if firm_recs else "firms",
                    "demand",
                    NO_VALUE,
                    "expected final demand (column 'demand' > 0) at one firm at least",
                )
            ]
        )
    dead = [fid for fid in firms if fid not in live]
    if dead:
        notes.append(f"dropped {len(dead)} firm(s) with no path to final demand: {name_some(dead)}")
    firms = {k: v for k, v in firms.items() if k in live}
    links = [ln for ln in links if ln["supplier"] in live and ln["customer"] in live]

    has_customer = {firms[ln["supplier"]]["product"] for ln in links}
    carried = {(firms[ln["customer"]]["product"], firms[ln["supplier"]]["product"]) for ln in links}  # (product, input)
    used = {f["product"] for f in firms.values()}
    with_demand = {f["product"] for f in firms.values() if f["demand"] > 0}
    rows = []
    for p in dict.fromkeys([*products, *(f["product"] for f in firms.values())]):
        if p not in used:
            continue
        given = products.get(p, {})
        cat = given.get("category") or category
        if not cat:
            cat = "basic_component" if not recipe.get(p) else "final_product" if p in with_demand and p not in has_customer else "subassembly"
        rows.append({"id": p, "name": given.get("name", ""), "category": cat, "chains": given.get("chains", []), "price": given.get("price")})
    live_products = {r["id"] for r in rows}
    rec_rows = [
        {"product": p, "input": q, "units": u}
        for p, inputs in recipe.items()
        if p in live_products
        for q, (u, _) in inputs.items()
        if q in live_products and (p, q) in carried
    ]
    return MapTables(
        products=pd.DataFrame(rows, columns=["id", "name", "category", "chains", "price"]),
        recipes=pd.DataFrame(rec_rows, columns=["product", "input", "units"]),
        firms=pd.DataFrame(
            [{k: v for k, v in f.items() if k != "demand"} for f in firms.values()],
            columns=["id", "name", "product", "region", "tags", "group", "chains", "cover", "headroom", "priority"],
        ),
        links=pd.DataFrame(
            [{k: ln[k] for k in ("supplier", "customer", "share", "lead_time", "priority")} for ln in links],
            columns=["supplier", "customer", "share", "lead_time", "priority"],
        ),
        demand=pd.DataFrame([{"firm": fid, "units": f["demand"]} for fid, f in firms.items() if f["demand"] > 0], columns=["firm", "units"]),
    )


def _columns_option(columns: dict[str, str] | list[str] | str | None) -> dict[str, str]:
    """`{"links.supplier": "from"}`, or `["links.supplier=from", ...]` / `"links.supplier=from;..."` from the command line."""
    if columns is None:
        return {}
    if isinstance(columns, str):
        columns = [c for c in columns.split(";") if c.strip()]
    if isinstance(columns, (list, tuple)):
        out = {}
        for item in columns:
            key, sep, value = str(item).partition("=")
            if not sep:
                raise option_problem(KIND, "columns", item, "TABLE.FIELD=COLUMN, e.g. links.supplier=from")
            out[key.strip()] = value.strip()
        columns = out
    known = {f"{t}.{f}" for t, fs in FIELDS.items() for f in fs}
    for key in columns:
        if key not in known:
            raise option_problem(KIND, "columns", key, f"TABLE.FIELD with a field of docs/importers.md: one of {', '.join(sorted(known))}")
    return dict(columns)


def csv_map(
    source: str | Path,
    firms: str | Path | None = None,
    links: str | Path | None = None,
    products: str | Path | None = None,
    columns: dict[str, str] | list[str] | str | None = None,
    region: str = "unspecified",
    category: str | None = None,
    licence: str = "",
    name: str | None = None,
) -> ImportedMap:
    """The chain map of a folder of tables (`firms.csv`, `links.csv`, optional `products.csv`), or of the tables named by the options."""
    source = Path(source)
    cols = _columns_option(columns)
    _check_category(category)
    folder = source if source.is_dir() else source.parent
    paths = {
        "firms": Path(firms) if firms else folder / "firms.csv",
        "links": Path(links) if links else (source if source.is_file() else folder / "links.csv"),
        "products": Path(products) if products else folder / "products.csv",
    }
    if not source.exists():
        raise InputError([Problem(str(source), "", NO_VALUE, "file or folder not found")])
    problems: list[Problem] = []
    notes: list[str] = []
    recs = {}
    for table, path in paths.items():
        if table == "products" and not path.is_file() and products is None:
            recs[table] = []
            continue
        recs[table] = read_table_records(path, table, cols, problems, notes)
    raise_if(problems)
    tables = records_map(recs["firms"], recs["links"], recs["products"], region, category, notes)
    files = [p for t, p in paths.items() if p.is_file() and (t != "products" or recs["products"])]
    options = _options(region, cols, category, name, licence)
    return _imported(tables, files, notes, options, licence, name or source.stem, f"{source.parent.name}/{source.name}")


def graph_map(
    source: str | Path,
    columns: dict[str, str] | list[str] | str | None = None,
    region: str = "unspecified",
    category: str | None = None,
    licence: str = "",
    name: str | None = None,
) -> ImportedMap:
    """The chain map of a GraphML or GEXF file: nodes are firms, directed edges links (supplier -> customer)."""
    path = Path(source)
    cols = _columns_option(columns)
    _check_category(category)
    problems: list[Problem] = []
    read = read_graph_records(path, problems, cols)
    raise_if(problems)
    notes: list[str] = []
    tables = records_map(read[0], read[1], [], region, category, notes)
    options = _options(region, cols, category, name, licence)
    return _imported(tables, [path], notes, options, licence, name or path.stem, f"{path.parent.name}/{path.name}")


def _check_category(category: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise option_problem(KIND, "category", category, f"one of {', '.join(CATEGORIES)}")


def _options(region: str, cols: dict[str, str], category: str | None, name: str | None, licence: str) -> dict[str, Any]:
    """The options recorded in the map's provenance: the region, and the others only when given."""
    options: dict[str, Any] = {"region": region}
    if cols:
        options["columns"] = ";".join(f"{k}={v}" for k, v in sorted(cols.items()))
    options.update({k: v for k, v in (("category", category), ("name", name), ("licence", licence)) if v})
    return options


def _imported(tables: MapTables, files: list[Path], notes: list[str], options: dict[str, Any], licence: str, name: str, shown: str) -> ImportedMap:
    header = ModelHeader(
        name=name,
        description=f"{len(tables.firms)} firms, {len(tables.links)} links, {len(tables.products)} products (imported from your tables)",
        provenance=provenance(
            KIND,
            __name__,
            VERSION,
            f"user data: {', '.join(f.name for f in files)}",
            licence or "not stated (user data)",
            options,
            files=files,
            notes=notes,
        ),
        comment=regenerate_comment(KIND, shown, options),
    )
    return ImportedMap(KIND, tables, header, notes)


def build(source: Any, **options: Any) -> ImportedMap:
    """The registry's entry: a GraphML/GEXF file, or CSV tables (a folder or a links file)."""
    if Path(source).suffix.lower() in GRAPH_SUFFIXES:
        table_only = [k for k in ("firms", "links", "products") if options.get(k) is not None]
        if table_only:
            raise option_problem(KIND, table_only[0], options[table_only[0]], "an option of CSV tables (a graph holds firms and links itself)")
        return graph_map(source, **{k: v for k, v in options.items() if k not in ("firms", "links", "products")})
    return csv_map(source, **options)


OPTIONS = ("firms", "links", "products", "columns", "region", "category", "licence", "name")


def add_arguments(p) -> None:
    p.add_argument("--firms", type=Path, default=None, help="firms table (default: firms.csv in the SOURCE folder)")
    p.add_argument("--links", type=Path, default=None, help="links table (default: SOURCE if it is a file, else links.csv in the folder)")
    p.add_argument("--products", type=Path, default=None, help="products table (default: products.csv in the folder, if present)")
    p.add_argument(
        "--column",
        dest="columns",
        action="append",
        default=None,
        metavar="TABLE.FIELD=COLUMN",
        help="read a field from a column of another name, e.g. links.supplier=from (repeatable)",
    )
    p.add_argument("--region", default="unspecified", help="region of firms without one (default: unspecified)")
    p.add_argument("--category", default=None, help="category of every product the tables do not categorise (default: by position in the chain)")
    p.add_argument("--licence", default="", help="licence of the data, recorded in the provenance")
