"""The importers' source data (not shipped; docs/importers.md, Source data): $SIMCORE_DATA or the default of
`simcore.importers.shipped.DATA`. Tests that read it skip without it."""

from pathlib import Path

import pytest

from simcore.importers.shipped import DATA


@pytest.fixture(scope="session")
def data() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"source data not found at {DATA} (set SIMCORE_DATA to the folder; docs/importers.md, Source data)")
    return DATA
