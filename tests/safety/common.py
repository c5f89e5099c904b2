"""A small random scenario and the command line in a subprocess, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

SCENARIO = f"""
[scenario]
name = "safety"
model = "{ROOT / 'models' / 'ev_chain.toml'}"
horizon = 40
seed = 3

[[shocks]]
kind = "random_outage"
select = {{ tags = ["tier2"] }}
rate = 0.01
duration = {{ dist = "exponential", mean = 6 }}
magnitude = 0.8

[[variants]]
name = "as-is"

[[variants]]
name = "masters"
[[variants.policies]]
kind = "stabilize_chain_master"
extra_cover = 5
recovery_speed = 2
"""


def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "safety.toml"
    path.write_text(SCENARIO)
    return path


def command(*args) -> list[str]:
    return [sys.executable, "-m", "simcore.cli", *map(str, args)]


def env(**extra) -> dict:
    e = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra}
    return e


def simcore(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), capture_output=True, text=True, env=env(), timeout=timeout)


def refused(proc: subprocess.CompletedProcess, *words: str, status: int = 2) -> str:
    """The command failed with `status` and one line per problem naming `words`, never a traceback."""
    assert proc.returncode == status, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors, proc.stderr
    for word in words:
        assert any(word in line for line in errors), (word, proc.stderr)
    return proc.stderr


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (to show nothing changed)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}
