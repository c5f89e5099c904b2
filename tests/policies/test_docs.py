"""docs/policies.md documents every policy, and each TOML example loads on the shipped EV map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simcore.scenario.schema import CostRates

from simcore import load_scenario
from simcore.scenario.policies import POLICIES

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "policies.md"
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)


def test_every_policy_is_documented():
    text = DOC.read_text()
    for kind, entry in POLICIES.items():
        assert f"## `{kind}`" in text
        section = text.split(f"## `{kind}`", 1)[1].split("\n## ", 1)[0]
        for name, field in entry.settings.model_fields.items():
            if name not in ("kind", "start", *CostRates.model_fields):
                assert f"| `{field.alias or name}` |" in section, f"{kind}.{field.alias or name} is not in its table"
        assert f'kind = "{kind}"' in "".join(BLOCKS), f"no example of {kind}"
    assert "## Timing" in text and "`start`" in text.split("## Timing", 1)[1]


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{k}" for k in range(len(BLOCKS))])
def test_example_loads_on_the_ev_map(tmp_path, block):
    head = f'[scenario]\nname = "doc example"\nmodel = "{ROOT / "models" / "ev_chain.toml"}"\nhorizon = 30\n\n'
    path = tmp_path / "example.toml"
    path.write_text(head + block)
    sc = load_scenario(path)
    assert all(v.policies for v in sc.variants) or "[[variants]]" not in block  # a `[costs]` example has no variant
