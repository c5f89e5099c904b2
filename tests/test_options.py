"""The suite's own switches (tests/conftest.py): `--runslow` and SIMCORE_SLOW=1 run the tests marked slow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


@pytest.mark.parametrize(
    "args,env,outcome",
    [([], {}, "1 passed, 1 skipped"), (["--runslow"], {}, "2 passed"), ([], {"SIMCORE_SLOW": "1"}, "2 passed")],
    ids=["default", "--runslow", "SIMCORE_SLOW=1"],
)
def test_slow_tests_run_only_when_asked(tmp_path, args, env, outcome):
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_two.py").write_text("import pytest\n\n\ndef test_quick():\n    pass\n\n\n@pytest.mark.slow\ndef test_long():\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: long runs\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("SIMCORE_SLOW", "PYTEST_ADDOPTS")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=tmp_path, env={**clean, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outcome in done.stdout.splitlines()[-1], done.stdout
