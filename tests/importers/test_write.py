"""The shared writer: exact numbers, deterministic files, and the synthetic generator's tables written the same way."""

import math

import pandas as pd
import pytest

from simcore.chainmap import load_model
from simcore.generate import generate_map
from simcore.importers.write import ModelHeader, format_number, table_text, write_chain_map


@pytest.mark.parametrize("x", [0.1, 1 / 3, 2.0, 1e-300, 123456789.125, 5e15, -0.0])
def test_numbers_round_trip(x):
    assert float(format_number(x)) == x
    assert format_number(2.0) == "2" and format_number(0.1) == "0.1"


def test_non_finite_numbers_are_refused():
    with pytest.raises(ValueError):
        format_number(math.nan)


def test_empty_columns_are_left_out_and_lists_joined():
    df = pd.DataFrame({"id": ["a", "b"], "tags": [["x", "y"], []], "cover": [None, None]})
    assert table_text(df) == "id,tags\na,x;y\nb,\n"


def test_generated_map_written_by_the_shared_writer_loads_the_same(tmp_path):
    smap = generate_map(300, tiers=3, seed=5)
    path = write_chain_map(
        smap, tmp_path / "syn.toml", ModelHeader(name="syn", description='a "quoted" name', provenance="synthetic: simcore generate")
    )
    cmap = load_model(path)
    assert len(cmap.firms) == len(smap.firms) and len(cmap.links) == len(smap.links)
    assert cmap.info.description == 'a "quoted" name'
    before = {p.name: p.read_bytes() for p in (tmp_path / "syn").iterdir()}
    write_chain_map(smap, tmp_path / "syn.toml", name="syn", description='a "quoted" name', provenance="synthetic: simcore generate")
    assert before == {p.name: p.read_bytes() for p in (tmp_path / "syn").iterdir()}


def test_multiline_provenance_and_comment(tmp_path):
    header = ModelHeader(name="m", provenance="line one\nline 'two'", comment="made by hand\nsecond line", defaults={"cover": 3.5, "headroom": 0})
    tables = type(
        "T",
        (),
        {
            "products": pd.DataFrame({"id": ["p"], "category": ["service"]}),
            "recipes": None,
            "firms": pd.DataFrame({"id": ["f"], "product": ["p"], "region": ["r"]}),
            "links": None,
            "demand": pd.DataFrame({"firm": ["f"], "units": [1.5]}),
        },
    )
    path = write_chain_map(tables, tmp_path / "m.toml", header)
    text = path.read_text()
    assert text.startswith("# made by hand\n# second line\n")
    cmap = load_model(path)
    assert cmap.info.provenance == "line one\nline 'two'"
    assert cmap.defaults.cover == 3.5 and cmap.outputs.tolist() == [1.5]
