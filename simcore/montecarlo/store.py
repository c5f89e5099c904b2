"""Chunks on disk: each finished chunk is written atomically as it arrives, so a killed batch loses at most
the chunks in flight, and `--resume` picks up exactly where it stopped.

Layout of the output folder during and after a batch:
`batch.json` (what the batch is: fingerprint, seed, replications, chunk size),
`chunks/<first>-<stop>.npz` (simcore.montecarlo.batch.Chunk, with the fingerprint of its batch)
and `.lock` (held by the one process writing the batch).

A folder belongs to one batch: the lock keeps a second process out while one
writes, and every chunk is checked against the batch (fingerprint, shapes)
before it is used, so chunks of another batch can never be reported as this one's.
"""

from __future__ import annotations

import fcntl
import json
import os
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from simcore.atomic import LOCK, atomic_write, claim, empty_folder, read_description, same_settings, write_text
from simcore.errors import NO_VALUE, InputError, Problem
from simcore.montecarlo.batch import Chunk

MANIFEST = ("fingerprint", "seed", "replications", "chunk_size", "engine")


def read_manifest(out: Path) -> dict | None:
    """The settings of the batch in `out` (batch.json), None if there is none; a damaged file is an InputError."""
    path = Path(out) / "batch.json"
    doc = read_description(path, "batch")
    if doc is None:
        return None
    for key in MANIFEST:
        kind = str if key in ("fingerprint", "engine") else int
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            raise InputError([Problem(str(path), key, doc.get(key, NO_VALUE), f"a {'text' if kind is str else 'whole number'} (the file is damaged)")])
    return doc


class ChunkStore:
    def __init__(self, out: Path, manifest: dict, shapes: dict[str, tuple[int, ...]] | None = None):
        """`shapes`: the arrays of a chunk of `chunk_size` replications (batch.chunk_shapes), to check saved chunks."""
        self.out, self.manifest, self.shapes = Path(out), manifest, shapes
        self.folder = self.out / "chunks"

    def check(self, resume: bool, overwrite: bool = False) -> str | None:
        """May this batch use the folder? Writes nothing; the note for stderr once `owned` has replaced other results."""
        path = self.out / "batch.json"
        old = read_manifest(self.out)
        if old is None:
            if resume:
                raise InputError([Problem(str(self.out), "--resume", str(self.out), "a folder holding a batch to continue (there is no batch.json in it)")])
            return claim(self.out, "batch", overwrite)
        if not resume:
            if overwrite:
                return f"note: --overwrite: replaced the batch in {self.out}/"
            raise InputError([Problem(str(path), "--out", str(self.out), "a folder without a batch in it (this one holds one: pass --resume to continue it, or choose another --out)")])
        same_settings(old, self.manifest, path, self.out, "batch")
        return None

    @contextmanager
    def owned(self, resume: bool, overwrite: bool = False) -> Iterator["ChunkStore"]:
        """Hold the folder's lock for the batch: check again under it (another run may have started), then write
        batch.json and chunks/. A dead process's lock goes with it (the kernel releases it)."""
        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                raise InputError([Problem(str(self.out), "--out", str(self.out), f"a folder no other batch is writing to (process {owner} holds its lock; wait for it, or choose another --out)")]) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self.check(resume, overwrite)
            if overwrite and not resume:
                empty_folder(self.out)
            write_text(self.out / "batch.json", json.dumps(self.manifest, indent=2) + "\n")
            self.folder.mkdir(exist_ok=True)
            yield self
        finally:
            os.close(fd)  # releases the lock

    def path(self, first: int, stop: int) -> Path:
        return self.folder / f"{first:09d}-{stop:09d}.npz"

    def done(self) -> set[tuple[int, int]]:
        """The chunks saved in the folder, by name (`load` checks their content)."""
        found = set()
        for p in self.folder.glob("*.npz") if self.folder.exists() else ():
            try:
                first, stop = (int(x) for x in p.stem.split("-"))
            except ValueError:
                raise InputError([Problem(str(p), "", NO_VALUE, "is not a chunk of a batch (expected a name <first>-<stop>.npz); remove it")]) from None
            found.add((first, stop))
        return found

    def save(self, chunk: Chunk) -> None:
        def write(tmp: Path):
            with open(tmp, "wb") as f:
                np.savez_compressed(f, metrics=chunk.metrics, counts=chunk.counts, batch=np.array(self.manifest["fingerprint"]))

        atomic_write(self.path(chunk.first, chunk.stop), write)

    def load(self, first: int, stop: int) -> Chunk:
        """A saved chunk, after checking it belongs to this batch (fingerprint) and has its shapes."""
        path = self.path(first, stop)
        fix = "remove it and --resume again to compute it anew"
        try:
            with np.load(path) as z:  # allow_pickle=False: a chunk holds plain arrays only
                batch, metrics, counts = str(z["batch"]), z["metrics"], z["counts"]
        except KeyError as exc:
            raise InputError([Problem(str(path), "", NO_VALUE, f"is not a chunk of this simcore version (no {exc} array); {fix}")]) from None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError([Problem(str(path), "", NO_VALUE, f"is not a readable chunk (truncated or damaged: {exc}); {fix}")]) from None
        if batch != self.manifest["fingerprint"]:
            raise InputError([Problem(str(path), "batch", batch, f"the fingerprint of the batch in batch.json ({self.manifest['fingerprint']}): the chunk belongs to another batch; {fix}")])
        if self.shapes is not None:
            want = {"metrics": (stop - first, *self.shapes["metrics"][1:]), "counts": self.shapes["counts"]}
            for name, array, dtype in (("metrics", metrics, np.float64), ("counts", counts, np.int64)):
                if array.shape != want[name] or array.dtype != dtype:
                    raise InputError([Problem(str(path), name, f"{array.dtype}{list(array.shape)}", f"{np.dtype(dtype)}{list(want[name])}; {fix}")])
        return Chunk(first, stop, metrics, counts)
