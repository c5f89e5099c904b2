"""The chain maps under models/ that importers write are exactly what the importers write today, load, and keep their provenance."""

import pytest

from simcore.chainmap import load_model
from simcore.importers.shipped import ROOT, SHIPPED, differences


@pytest.mark.parametrize("item", SHIPPED, ids=[s.model for s in SHIPPED])
def test_shipped_model_is_a_fresh_import(data, item):
    diffs = differences(item, ROOT, data)
    assert not diffs, "regenerate with `python -m simcore.importers.shipped`:\n" + "\n".join(diffs)


@pytest.mark.parametrize("item", SHIPPED, ids=[s.model for s in SHIPPED])
def test_shipped_model_loads_with_provenance(item):
    cmap = load_model(ROOT / item.model)
    assert cmap.outputs.min() > 0
    text = cmap.info.provenance
    assert f"importer: simcore import {item.kind} (simcore.importers." in text
    assert "licence: " in text and "sha256 " in text and "options: " in text


def test_shipped_sizes():
    sizes = {s.model: load_model(ROOT / s.model) for s in SHIPPED}
    assert {k: (len(v.firms), len(v.links)) for k, v in sizes.items() if "willems" in k or "bulldozer" in k} == {
        "models/gsm_bulldozer.toml": (22, 21),
        "models/willems_01.toml": (8, 10),
        "models/willems_17.toml": (152, 211),
        "models/willems_38.toml": (2025, 16225),
    }
    assert len(sizes["models/us_io_71.toml"].firms) == 71
