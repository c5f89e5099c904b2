"""The synthetic chain generator: seeded, valid, multi-tier, with cycles."""

import numpy as np
import pandas as pd

from simcore.chainmap import load_model
from simcore.chainmap.inspect import summarize
from simcore.cli import main
from simcore.generate import generate_map, write_map


def test_same_seed_same_map_other_seed_other_map():
    a, b, c = generate_map(500, 4, seed=1), generate_map(500, 4, seed=1), generate_map(500, 4, seed=2)
    for table in ("firms", "links", "recipes", "demand"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    assert not a.links.equals(c.links)


def test_generated_map_loads_and_has_the_requested_shape(tmp_path):
    out = tmp_path / "syn.toml"
    assert main(["generate", str(out), "--firms", "2000", "--tiers", "5", "--seed", "4"]) == 0
    cmap = load_model(out)
    assert len(cmap.firms) == 2000
    assert 3.5 <= len(cmap.links) / len(cmap.firms) <= 6.5  # about 5 suppliers per firm
    summary = summarize(cmap)
    assert len(summary["regions"]) == 7  # six regions and overseas
    assert summary["cyclic_groups"], "back edges should close some cycles"
    suppliers_per_firm = np.bincount(cmap.link_supplier, minlength=len(cmap.firms))
    assert suppliers_per_firm.max() > 10 * max(1.0, np.median(suppliers_per_firm))  # heavy-tailed customer counts
    leads = np.array([l.lead_time for l in cmap.links])
    assert leads.min() < 2 and leads.max() >= 10  # short at home, long from abroad


def test_names_and_paths_are_written_as_toml_strings(tmp_path):
    """Quotes, backslashes and line breaks in the name, the description or the folder survive the round trip."""
    name, description = 'the "big" map', "C:\\maps\\syn\nsecond line"
    out = write_map(generate_map(30, tiers=3, seed=2), tmp_path / 'my "odd" map.toml', name, description)
    cmap = load_model(out)
    assert (cmap.name, cmap.info.description, len(cmap.firms)) == (name, description, 30)


def test_generate_rejects_bad_sizes(tmp_path, capsys):
    assert main(["generate", str(tmp_path / "x.toml"), "--firms", "1"]) == 2
    assert "--firms" in capsys.readouterr().err
