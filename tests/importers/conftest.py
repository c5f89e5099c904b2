"""Where the external data is (../shared/data beside the repository); tests that read it skip without it."""

from pathlib import Path

import pytest

from simcore.importers.shipped import DATA


@pytest.fixture(scope="session")
def data() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"external data not found at {DATA}")
    return DATA
