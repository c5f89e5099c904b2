import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run the tests marked slow (as SIMCORE_SLOW=1 does)")
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.json from the shipped scenarios' current numbers (after an intended model change)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow") or os.environ.get("SIMCORE_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow (or SIMCORE_SLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# Property tests draw random examples everywhere, CI included (a fresh seed each run; CI prints the blob that
# reproduces a failure).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", database=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
