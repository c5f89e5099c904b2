"""The TOML examples of docs/formats.md parse, and each validates against the schema it illustrates."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from simcore.chainmap.schema import ChainMapFile
from simcore.scenario.schema import Output, ScenarioFile, Shock, Variant

DOC = Path(__file__).parents[2] / "docs" / "formats.md"
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_doc_has_examples():
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{k}" for k in range(len(BLOCKS))])
def test_example_is_valid(block):
    doc = tomllib.loads(block)
    if "model" in doc:
        ChainMapFile.model_validate(doc)
    elif "scenario" in doc:
        ScenarioFile.model_validate(doc)
    for shock in doc.get("shocks", []):
        TypeAdapter(Shock).validate_python(shock)
    for variant in doc.get("variants", []):
        Variant.model_validate(variant)
    if "output" in doc:
        Output.model_validate(doc["output"])
    if "recovery" in doc:
        TypeAdapter(Shock).validate_python({"kind": "firm_outage", "start": 0, "duration": 1, "select": {}, "recovery": doc["recovery"]})


def test_every_shock_kind_is_documented():
    from simcore.scenario.shocks import SHOCK_KINDS

    text = DOC.read_text()
    for kind in SHOCK_KINDS:
        assert f"### `{kind}`" in text
