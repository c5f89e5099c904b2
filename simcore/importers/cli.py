"""`simcore import KIND SOURCE OUT [options]`: the importers on the command line.

Wired into `simcore/cli.py` by `_parser(argv)`, only when the command is `import`:

    from simcore.importers.cli import add_import_parser
    add_import_parser(sub)

The command builds the map, writes it, loads it back with the chain-map
loader (unless `--no-check`) and prints its size and every note (what was
dropped or assumed). Bad input raises InputError, which `simcore.cli.main`
prints one problem a line with exit status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simcore.importers import IMPORTERS, build_map


def add_import_parser(subparsers) -> argparse.ArgumentParser:
    """Add the `import` command (one sub-command per kind of source) to an argparse sub-parser collection."""
    p = subparsers.add_parser(
        "import",
        help="turn published supply-chain data into a chain map (willems, gsm, io, csv)",
        description="Turn published supply-chain data into a chain map. See docs/importers.md.",
    )
    kinds = p.add_subparsers(dest="import_kind", required=True, metavar="KIND")
    for kind, importer in IMPORTERS.items():
        k = kinds.add_parser(kind, help=importer.help, description=importer.help)
        k.add_argument("source", help="the data to import (file or folder; for io also pymrio:test)")
        k.add_argument("out", type=Path, help="model file to write (.toml); its CSV tables go in a folder of the same name")
        k.add_argument("--name", default=None, help="the map's name (default: from the source)")
        k.add_argument("--no-check", action="store_true", help="do not load the written map back to check it")
        importer.add_arguments(k)
        k.set_defaults(command=import_command, import_kind=kind)
    return p


def import_command(args: argparse.Namespace) -> int:
    """Run one import from parsed arguments; print the map's size and the import's notes. Returns the exit status."""
    from simcore.importers import import_map  # noqa: F401  (same checks as the Python API)

    importer = IMPORTERS[args.import_kind]
    options = {k: getattr(args, k) for k in importer.options if hasattr(args, k)}
    options = {k: v for k, v in options.items() if v is not None}
    imported = build_map(args.import_kind, args.source, **options)
    if args.out.suffix != ".toml":
        from simcore.errors import InputError, Problem

        raise InputError([Problem("command line", "OUT", str(args.out), "a model file name ending in .toml")])
    path = imported.write(args.out)
    checked = ""
    if not args.no_check:
        from simcore.chainmap import load_model

        load_model(path)
        checked = "; loads, baseline solved"
    print(f"{path}: {imported.summary()}{checked}")
    for note in imported.notes:
        print(f"note: {note}")
    return 0
