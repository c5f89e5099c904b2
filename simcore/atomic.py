"""Every file and folder simcore writes: whole or not at all, with the user's umask, and marked as simcore's own.

One mechanism for every output (single runs, batches, stress tests, chunks):
a file is written under a hidden temporary name beside its target and renamed
over it (`atomic_write`); a result folder is filled under a hidden temporary
name beside its target and renamed into place (`atomic_folder`). A reader sees
the old file or folder or the whole new one, never half of it. Temporary files
are created with mode 0o666 and folders with 0o777, less the umask, exactly as
`open` and `mkdir` would (tempfile's 0o600/0o700 would hide results from
colleagues on a shared drive).

Each result folder says what wrote it through its own manifest: `batch.json`
(a batch), `optimize.json` (an optimization), `stress.json` (a stress test) or `summary.json` (a single run;
these two carry simcore's version), read by `kind_of`. `claim` lets a command replace
only a folder that simcore wrote for the same kind of command; anything else
needs an explicit `--overwrite`.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from simcore.errors import NO_VALUE, InputError, Problem, SimcoreError

LOCK = ".lock"  # a batch folder's lock (simcore.montecarlo.store); not a result


class OutputError(SimcoreError):
    """A result could not be written (disk full, permissions): names the file or folder and what is left there."""

    def __init__(self, path: Path, reason: str, left: str):
        self.path, self.reason = path, reason
        super().__init__(f"cannot write {path}: {reason}; {left}")


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _cannot_write(path: Path, exc: OSError, left: str) -> OutputError:
    reason = "no space left on the device" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
    return OutputError(path, reason, left)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` then rename `tmp` over `path`: readers see the old file or the whole new one.

    `tmp` exists (empty, with the umask's permissions) when `write` is called; writers that truncate keep its mode.
    An OSError (a full disk) becomes an OutputError naming `path`; the old file is left as it was."""
    path = Path(path)
    tmp = _temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(path, exc, "the earlier file there, if any, is unchanged") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text))


def kind_of(folder: Path) -> str | None:
    """"batch", "optimize", "stress", "sensitivity" or "run" if simcore wrote `folder` for that kind of command (read from its manifest), else None."""
    folder = Path(folder)
    if (folder / "batch.json").is_file():
        return "batch"
    if (folder / "optimize.json").is_file():
        return "optimize"
    manifests = (("stress.json", "stress", ("by", "ranking", "versions")), ("summary.json", "sensitivity", ("method", "indices", "versions")), ("summary.json", "run", ("scenario", "seed", "versions")))
    for name, kind, keys in manifests:
        try:
            doc = json.loads((folder / name).read_text())
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(doc, dict) and all(k in doc for k in keys) and isinstance(doc["versions"], dict) and "simcore" in doc["versions"]:
            return kind
    return None


def read_description(path: Path, what: str) -> dict | None:
    """A result folder's JSON manifest (`what` names it: "batch", "optimization"), None if the file is missing; an
    unreadable or non-object file is an InputError saying how to go on."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(str(path), "", NO_VALUE, f"is not a readable {what} description ({exc}); remove the folder or choose another --out")]) from None
    if not isinstance(doc, dict):
        raise InputError([Problem(str(path), "", NO_VALUE, f"is not a {what} description (expected a JSON object)")])
    return doc


def same_settings(old: dict, new: dict, path: Path, out: Path, what: str) -> None:
    """`--resume` of `out` continues the `what` described in `path` (`old`) only with the same settings (`new`)."""
    differs = [k for k in new if old.get(k) != new[k]]
    if differs:
        changes = ", ".join(f"{k} {old.get(k)!r} there, {new[k]!r} now" for k in differs)
        raise InputError([Problem(str(path), "--resume", str(out), f"the same {what} as the one in the folder ({changes})")])


def empty_folder(out: Path) -> None:
    """Remove everything in `out` but a lock held in it (a replaced result, --overwrite)."""
    for entry in Path(out).iterdir():
        if entry.name == LOCK:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def check_out(out: Path, field: str = "--out") -> None:
    """Fail before any work if `out` cannot become a folder: it is a file, or no folder on its way can be written.
    Writes nothing (the folders on the way are created when results are written)."""
    if str(out) in ("", "."):
        raise InputError([Problem("command line", field, str(out), "a folder name (not empty, not the current folder)")])
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), field, str(out), "a folder, not a file")])
    existing = out.resolve()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError([Problem(str(out), field, str(out), f"a folder that can be created ({existing} is a file)")])
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError([Problem(str(out), field, str(out), f"a folder that can be written ({existing}: permission denied)")])


def claim(out: Path, kind: str, overwrite: bool = False) -> str | None:
    """May a `kind` command write its results to `out`? Returns the note for stderr once it has replaced earlier results.

    Allowed: a new or empty folder; a folder simcore marked with the same kind (replaced, and the note says so);
    anything else only with `overwrite`. Writes nothing."""
    check_out(out)
    if not out.exists() or all(p.name == LOCK for p in out.iterdir()):
        return None
    found = kind_of(out)
    if found == kind:
        return f"note: replaced the earlier {kind} results in {out}/"
    if overwrite:
        return f"note: --overwrite: replaced everything in {out}/"
    holds = f"the results of a simcore {found}" if found else "files simcore did not write"
    raise InputError(
        [Problem(str(out), "--out", str(out), f"a new or empty folder, or one holding earlier {kind} results (this one holds {holds}: choose another --out, or pass --overwrite to replace it)")]
    )


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Fill a hidden temporary folder beside `out` (yielded); on success it replaces `out` in one
    rename (the earlier folder is removed only after that). On any error `out` is left as it was."""
    out = Path(out)
    tmp = _temp_name(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(tmp, 0o777)
        yield tmp
        if out.exists():
            old = _temp_name(out)
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _cannot_write(out, exc, "nothing was changed there") from None
    except OutputError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(out, exc.reason, "nothing was changed there") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
