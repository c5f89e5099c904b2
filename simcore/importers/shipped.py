"""The chain maps under models/ that importers write: how each is made, so it can be made again and checked for staleness.

    python -m simcore.importers.shipped            # rewrite them from the source data
    python -m simcore.importers.shipped --check    # exit 1 if any differs from a fresh import

The source data is not shipped: docs/importers.md, Source data, names where
each file comes from and the folder layout. The folder is `--data`, else
$SIMCORE_DATA, else the default of `DATA` below.

tests/importers/test_shipped.py runs the same comparison.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the repository
DATA = Path(os.environ.get("SIMCORE_DATA") or ROOT.parent / "shared" / "data")  # the source data (not shipped)


@dataclass(frozen=True)
class Shipped:
    model: str  # path of the model file, relative to the repository
    kind: str
    source: str  # relative to the data folder
    options: dict[str, Any] = field(default_factory=dict)


SHIPPED = (
    Shipped("models/gsm_bulldozer.toml", "gsm", "gsm_chains/bulldozer.txt", {"name": "Caterpillar bulldozer (Graves & Willems 2000)"}),
    Shipped("models/willems_01.toml", "willems", "willems2008", {"chain": 1}),
    Shipped("models/willems_17.toml", "willems", "willems2008", {"chain": 17}),
    Shipped("models/willems_38.toml", "willems", "willems2008", {"chain": 38}),
    Shipped(
        "models/us_io_71.toml",
        "io",
        "us_io_tables/use_71.csv",
        {"name": "US economy, 71 industries (BEA 2021)", "final_demand": "residual", "threshold": 1e-4, "period_days": 365},
    ),
)


def write_shipped(item: Shipped, out_root: Path = ROOT, data: Path = DATA) -> Path:
    """Import one shipped model into `out_root` (the repository by default) and return its model file."""
    from simcore.importers import import_map

    return import_map(item.kind, data / item.source, out_root / item.model, **item.options)


def differences(item: Shipped, root: Path = ROOT, data: Path = DATA) -> list[str]:
    """Files of a shipped model that differ from a fresh import (missing, extra or changed); [] when it is up to date."""
    shipped = root / item.model
    with tempfile.TemporaryDirectory() as tmp:
        fresh = write_shipped(item, Path(tmp), data)
        out = []
        pairs = [(shipped, fresh)]
        sf, ff = shipped.with_suffix(""), fresh.with_suffix("")
        names = sorted({p.name for p in sf.glob("*.csv")} | {p.name for p in ff.glob("*.csv")})
        pairs += [(sf / n, ff / n) for n in names]
        for a, b in pairs:
            rel = str(a.relative_to(root))
            if not a.exists():
                out.append(f"{rel}: missing")
            elif not b.exists():
                out.append(f"{rel}: not written by the importer any more")
            elif not filecmp.cmp(a, b, shallow=False):
                out.append(f"{rel}: differs from a fresh import")
        return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simcore.importers.shipped", description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on any difference")
    p.add_argument("--data", type=Path, default=DATA, help=f"the external data folder (default {DATA})")
    args = p.parse_args(argv)
    status = 0
    for item in SHIPPED:
        if args.check:
            diffs = differences(item, ROOT, args.data)
            for d in diffs:
                print(d)
            status |= bool(diffs)
        else:
            print(write_shipped(item, ROOT, args.data).relative_to(ROOT))
    return status


if __name__ == "__main__":
    sys.exit(main())
