"""Chunks on disk: each finished chunk is written atomically as it arrives, so a killed batch loses at most
the chunks in flight, and `--resume` picks up exactly where it stopped.

Layout of the output folder during and after a batch:
`batch.json` (what the batch is: fingerprint, seed, replications, chunk size)
and `chunks/<first>-<stop>.npz` (simcore.montecarlo.batch.Chunk).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from simcore.errors import InputError, Problem
from simcore.montecarlo.batch import Chunk


def atomic_write(path: Path, write) -> None:
    """`write(tmp_path)` then rename over `path`: readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ChunkStore:
    def __init__(self, out: Path, manifest: dict):
        self.out, self.manifest = Path(out), manifest
        self.folder = self.out / "chunks"

    def open(self, resume: bool) -> None:
        """Start a batch here, or with `resume` continue the one that is here; never mix two batches."""
        path = self.out / "batch.json"
        if path.exists():
            old = json.loads(path.read_text())
            if not resume:
                raise InputError([Problem(str(path), "--out", str(self.out), "a folder without a batch in it (this one holds one: pass --resume to continue it, or choose another --out)")])
            differs = [k for k in self.manifest if old.get(k) != self.manifest[k]]
            if differs:
                what = ", ".join(f"{k} {old.get(k)!r} there, {self.manifest[k]!r} now" for k in differs)
                raise InputError([Problem(str(path), "--resume", str(self.out), f"the same batch as the one in the folder ({what})")])
        atomic_write(path, lambda p: p.write_text(json.dumps(self.manifest, indent=2) + "\n"))
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, first: int, stop: int) -> Path:
        return self.folder / f"{first:09d}-{stop:09d}.npz"

    def done(self) -> set[tuple[int, int]]:
        return {tuple(int(x) for x in p.stem.split("-")) for p in self.folder.glob("*.npz")} if self.folder.exists() else set()

    def save(self, chunk: Chunk) -> None:
        def write(tmp: Path):
            with open(tmp, "wb") as f:
                np.savez_compressed(f, metrics=chunk.metrics, counts=chunk.counts)

        atomic_write(self.path(chunk.first, chunk.stop), write)

    def load(self, first: int, stop: int) -> Chunk:
        with np.load(self.path(first, stop)) as z:
            return Chunk(first, stop, z["metrics"], z["counts"])
