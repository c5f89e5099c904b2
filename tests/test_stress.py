"""The stress test: knock-outs ranked by chain loss; the stuck neck comes first, with the TTS its cover buys."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from naive import write_model
from simcore.cli import main
from simcore.errors import InputError
from simcore.stress import run_stress, setup_stress, stress_table

COVER = 5.0


@pytest.fixture(scope="module")
def fan_in(tmp_path_factory):
    """P makes `part`, the single source of three final assemblers F1-F3 (cover 5 days); each also needs `trim`,
    which T1 and T2 make (foreign, two sources each)."""
    folder = tmp_path_factory.mktemp("fan_in")
    products = [
        {"id": "part", "category": "core_electronic_component"},
        {"id": "trim", "category": "basic_component"},
        {"id": "car", "category": "final_product", "recipe": {"part": 1.0, "trim": 2.0}},
    ]
    firms = [{"id": "P", "product": "part", "region": "home"}]
    firms += [{"id": f"T{k}", "product": "trim", "region": "abroad", "tags": ["foreign"]} for k in (1, 2)]
    firms += [{"id": f"F{k}", "product": "car", "region": "home", "cover": COVER} for k in (1, 2, 3)]
    links = [{"supplier": "P", "customer": f"F{k}"} for k in (1, 2, 3)]
    links += [{"supplier": f"T{j}", "customer": f"F{k}", "share": 0.5} for j in (1, 2) for k in (1, 2, 3)]
    demand = [{"firm": f"F{k}", "units": 10.0} for k in (1, 2, 3)]
    return write_model(folder, products, firms, links, demand, defaults={"headroom": 0.1, "cover": 7.0})


def ranking(path, **kw) -> pd.DataFrame:
    setup, cmap = setup_stress(path, horizon=120, **kw)
    return stress_table(setup, cmap, run_stress(setup, progress=False))


def test_the_single_source_ranks_first_and_survives_its_cover(fan_in):
    table = ranking(fan_in)
    top = table.iloc[0]
    assert top.unit == "P" and top["rank"] == 1
    assert top.tts == COVER + 1  # the cover, plus the day the last shipment is in transit (docs/model.md, Worked example: a serial chain)
    # all three assemblers make nothing from day 6 until P's first shipment after the outage arrives, on day 31
    assert top.loss == pytest.approx((30 - COVER) / 120)
    assert bool(top.single_sourced) and not bool(top.foreign_only) and top.category == "core_electronic_component"
    assert set(table.unit[1:4]) == {"F1", "F2", "F3"}  # each a third of the chain for 30 days
    trim = table.set_index("unit").loc["T1"]
    assert bool(trim.foreign_only) and not bool(trim.single_sourced)


def test_by_product_and_region(fan_in):
    products = ranking(fan_in, by="product")
    assert products.unit.tolist()[:2] == ["car", "part"] and products.firms.tolist()[:2] == [3, 1]
    regions = ranking(fan_in, by="region")
    assert regions.unit.tolist() == ["home", "abroad"]
    assert regions.set_index("unit").loc["abroad"].foreign_only


def test_ranking_is_the_same_for_both_engines_and_any_thread_count(fan_in):
    setup, cmap = setup_stress(fan_in, horizon=60)
    numba_1 = run_stress(setup, workers=1, progress=False)
    numba_2 = run_stress(setup, workers=2, progress=False)
    assert np.array_equal(numba_1, numba_2, equal_nan=True)
    ref_setup, _ = setup_stress(fan_in, horizon=60, engine="reference")
    np.testing.assert_allclose(run_stress(ref_setup, progress=False), numba_1, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_sample_is_seeded(fan_in):
    a = setup_stress(fan_in, sample=3, seed=4)[0].units
    assert a == setup_stress(fan_in, sample=3, seed=4)[0].units and len(a) == 3


def test_bad_settings_are_named(fan_in):
    with pytest.raises(InputError) as err:
        setup_stress(fan_in, by="plant", duration=-1, magnitude=1.5)
    text = str(err.value)
    assert "--by: got 'plant'; expected one of firm, product, region" in text
    assert "--duration: got -1" in text and "--magnitude: got 1.5" in text


def test_cli_writes_the_ranking_and_pictures(fan_in, tmp_path, capsys):
    out = tmp_path / "stress"
    assert main(["stress", str(fan_in), "--horizon", "60", "--top", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "stuck necks: the top 3" in printed and " P " in printed
    assert {p.name for p in out.iterdir()} == {"stress.csv", "stress.json", "stress.png", "map.png", "report.html"}
    doc = json.loads((out / "stress.json").read_text())
    assert doc["ranking"][0]["unit"] == "P" and doc["units"] == 6
    assert pd.read_csv(out / "stress.csv").unit.iloc[0] == "P"
