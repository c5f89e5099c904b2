"""GSM chains with bills of materials: sizes and quantities match the source; the baseline serves its demand."""

import csv

import numpy as np
import pytest

from simcore.chainmap import load_model
from simcore.importers import gsm_map, import_map


def read_gsm(path):
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    stages, arcs, demand, lead = [], [], {}, {}
    for row in rows[1:]:
        stages.append(row[0])
        lead[row[0]] = float(row[1])
        if len(row) > 5 and row[5]:
            demand[row[0]] = float(row[5])
        cells = [c for c in row[8:] if c]
        arcs += [(cells[k], row[0], float(cells[k + 1])) for k in range(0, len(cells), 2)]
    return stages, arcs, demand, lead


def test_bulldozer(data, tmp_path):
    path = data / "gsm_chains" / "bulldozer.txt"
    stages, arcs, demand, _ = read_gsm(path)
    assert (len(stages), len(arcs)) == (22, 21)
    cmap = load_model(import_map("gsm", path, tmp_path / "bulldozer.toml"))
    assert len(cmap.firms) == 22 and len(cmap.links) == 21
    assert demand == {"Final_Assembly": 5.0}
    np.testing.assert_allclose(cmap.outputs, 5.0, rtol=1e-12)  # one of everything per bulldozer, five a day
    links = {(l.supplier, l.customer): l.lead_time for l in cmap.links}
    assert links["Engine", "Dressed_Out_Engine"] == 7  # the supplying stage's lead time
    assert links["Main_Assembly", "Final_Assembly"] == 8 + 4  # plus the demand stage's own 4 days
    prices = {p.id: p.price for p in cmap.products}
    assert prices["Case&Frame"] == 1500 + 2200 + 605  # cost rate plus the inputs' cumulative cost
    assert "Graves & Willems (2000)" in cmap.info.provenance and "Apache-2.0" in cmap.info.provenance


@pytest.mark.parametrize("name", ["battery", "digital_camera", "chemicals", "cutlery", "food", "toys", "semiconductors"])
def test_published_chains_import_and_serve_their_demand(data, tmp_path, name):
    path = data / "gsm_chains" / f"{name}.txt"
    stages, arcs, demand, _ = read_gsm(path)
    cmap = load_model(import_map("gsm", path, tmp_path / f"{name}.toml"))
    assert len(cmap.firms) == len(stages) and len(cmap.links) == len(arcs)
    index = cmap.firm_index
    for stage, units in demand.items():
        assert cmap.final_demand[index[stage]] == units
    coef = {(cmap.firms[s].id, cmap.firms[c].id): a for s, c, a in zip(cmap.link_supplier, cmap.link_customer, cmap.link_coef)}
    assert coef == {(u, d): q for u, d, q in arcs}
    # x = d + sum over customers of units * their output
    expected = cmap.final_demand + np.bincount(
        cmap.link_supplier, weights=cmap.link_coef * cmap.outputs[cmap.link_customer], minlength=len(cmap.firms)
    )
    np.testing.assert_allclose(cmap.outputs, expected, rtol=1e-12)


def test_quantities_other_than_one_become_recipe_units(tmp_path):
    path = tmp_path / "kit.txt"
    path.write_text(
        "stage_id,lead_time,max_s_time,cost_rate,risk_pool,ext_demand_mean,ext_demand_std,ext_demand_thres,up_stages\n"
        "Bolt,3,,0.5,2,,,\n"
        "Kit,2,0,4,,10,2,1.645,Bolt,4\n"
    )
    m = gsm_map(path)
    assert m.tables.recipes.to_dict("records") == [{"product": "Kit", "input": "Bolt", "units": 4.0}]
    cmap = load_model(m.write(tmp_path / "kit.toml"))
    assert cmap.outputs[cmap.firm_index["Bolt"]] == 40
    assert {p.id: p.price for p in cmap.products}["Kit"] == 4 + 4 * 0.5
