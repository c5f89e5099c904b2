"""Importers: published supply-chain data turned into valid simcore chain maps.

One module per kind of source, each a function that builds the map
(`willems_map`, `gsm_map`, `io_map` / `mrio_map`, `csv_map` / `graph_map`,
returning an `ImportedMap`) and one that also writes and checks it
(`import_willems`, ...). `import_map(kind, source, out, **options)` is the
registry's entry point and the command line's (`simcore import KIND SOURCE
OUT`). Every imported map records its provenance (source files with their
SHA-256, licence, importer and version, options, what was dropped) in
`[model] provenance`. See docs/importers.md.

    >>> from simcore.importers import import_map
    >>> import_map("willems", "data/willems2008", "models/willems_01.toml", chain=1)  # docs/importers.md, Source data
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simcore.errors import InputError, Problem
from simcore.importers import csvgraph, gsm, iotables, willems
from simcore.importers.common import ImportedMap, check_options
from simcore.importers.csvgraph import csv_map, graph_map
from simcore.importers.gsm import gsm_map
from simcore.importers.iotables import io_map, mrio_map
from simcore.importers.willems import willems_map
from simcore.importers.write import MapTables, ModelHeader, write_chain_map

__all__ = [
    "IMPORTERS",
    "ImportedMap",
    "MapTables",
    "ModelHeader",
    "build_map",
    "csv_map",
    "graph_map",
    "gsm_map",
    "import_csv",
    "import_gsm",
    "import_io",
    "import_map",
    "import_willems",
    "io_map",
    "mrio_map",
    "willems_map",
    "write_chain_map",
]


@dataclass(frozen=True)
class Importer:
    """One kind of source: the function that builds its map, its option names, and its command-line options."""

    kind: str
    build: Callable[..., ImportedMap]
    options: tuple[str, ...]
    add_arguments: Callable[[Any], None]
    help: str


IMPORTERS: dict[str, Importer] = {
    "willems": Importer(
        "willems",
        willems_map,
        willems.OPTIONS,
        willems.add_arguments,
        "the 38 multi-echelon chains of Willems (2008): a NN_stages.csv file, or the data folder with --chain",
    ),
    "gsm": Importer(
        "gsm",
        gsm_map,
        gsm.OPTIONS,
        gsm.add_arguments,
        "a guaranteed-service chain with bills of materials (stage_id, lead_time, ..., up_stages), e.g. bulldozer.txt",
    ),
    "io": Importer(
        "io",
        iotables.build,
        iotables.OPTIONS,
        iotables.add_arguments,
        "an input-output table: a use_*.csv make/use pair, a symmetric sector table CSV, or pymrio (pymrio:test or a saved IOSystem folder)",
    ),
    "csv": Importer(
        "csv",
        csvgraph.build,
        csvgraph.OPTIONS,
        csvgraph.add_arguments,
        "your own firms/links/products CSV tables (a folder or links file), or a GraphML/GEXF graph",
    ),
}


def build_map(kind: str, source: Any, **options: Any) -> ImportedMap:
    """The chain map of `source` read by the importer `kind`, not yet written."""
    if kind not in IMPORTERS:
        raise InputError([Problem("import", "kind", kind, f"one of {', '.join(IMPORTERS)}")])
    importer = IMPORTERS[kind]
    check_options(kind, options, importer.options)
    return importer.build(source, **options)


def import_map(kind: str, source: Any, out: str | Path, check: bool = True, **options: Any) -> Path:
    """Import `source` with the importer `kind` and write the chain map `out` (a `.toml` file plus a folder of CSV tables).

    With `check` (the default) the written map is loaded with
    `simcore.chainmap.load_model`, so an import either gives a valid map with a
    stationary baseline or raises InputError. Returns the model file's path.
    """
    out = Path(out)
    if out.suffix != ".toml":
        raise InputError([Problem("import", "out", str(out), "a model file name ending in .toml (its tables go in a folder of the same name)")])
    imported = build_map(kind, source, **options)
    path = imported.write(out)
    if check:
        from simcore.chainmap import load_model

        load_model(path)
    return path


def import_willems(source: str | Path, out: str | Path, **options: Any) -> Path:
    """`import_map("willems", ...)`: options `chain`, `region`, `name`."""
    return import_map("willems", source, out, **options)


def import_gsm(source: str | Path, out: str | Path, **options: Any) -> Path:
    """`import_map("gsm", ...)`: options `region`, `name`."""
    return import_map("gsm", source, out, **options)


def import_io(source: Any, out: str | Path, **options: Any) -> Path:
    """`import_map("io", ...)`: `source` is a table file or a `pymrio.IOSystem`; see `iotables.OPTIONS`."""
    return import_map("io", source, out, **options)


def import_csv(source: str | Path, out: str | Path, **options: Any) -> Path:
    """`import_map("csv", ...)`: `source` is a folder of tables, a links CSV file or a GraphML/GEXF file."""
    return import_map("csv", source, out, **options)
