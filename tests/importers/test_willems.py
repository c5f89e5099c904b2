"""Willems (2008) chains: sizes match the source, the map loads, and its baseline serves the source's demand."""

import csv

import numpy as np
import pytest

from simcore.chainmap import load_model
from simcore.importers import build_map, import_map, willems_map


def source_counts(data, chain: int) -> tuple[int, int, dict[str, float]]:
    folder = data / "willems2008"
    with open(folder / f"{chain:02d}_stages.csv", encoding="utf-8-sig") as fh:
        stages = list(csv.DictReader(fh))
    with open(folder / f"{chain:02d}_arcs.csv", encoding="utf-8-sig") as fh:
        arcs = list(csv.DictReader(fh))
    demand = {s["stageName"]: float(s["avgDemand"]) for s in stages if s["avgDemand"]}
    return len(stages), len(arcs), demand


@pytest.mark.parametrize("chain, stages, arcs", [(1, 8, 10), (38, 2025, 16225)])
def test_sizes_match_the_source_and_the_baseline_serves_its_demand(data, tmp_path, chain, stages, arcs):
    n_stages, n_arcs, demand = source_counts(data, chain)
    assert (n_stages, n_arcs) == (stages, arcs)
    cmap = load_model(import_map("willems", data / "willems2008", tmp_path / f"w{chain}.toml", chain=chain))
    assert len(cmap.firms) == len(cmap.products) == stages
    assert len(cmap.links) == arcs
    final = {f.id: cmap.outputs[k] for k, f in enumerate(cmap.firms) if cmap.final_demand[k] > 0}
    assert final.keys() == demand.keys()
    for firm, units in demand.items():
        assert final[firm] == pytest.approx(units, rel=1e-12)  # demand stages supply nobody: output is their demand
    # every other stage makes one unit per unit of each downstream stage (one unit per arc)
    expected = cmap.final_demand + np.bincount(cmap.link_supplier, weights=cmap.outputs[cmap.link_customer], minlength=len(cmap.firms))
    np.testing.assert_allclose(cmap.outputs, expected, rtol=1e-12)
    assert all(c == 1.0 for c in cmap.link_coef)
    assert all(l.share == 1.0 for l in cmap.links)


def test_chain_01_in_detail(data):
    m = willems_map(data / "willems2008", chain=1)
    products = m.tables.products.set_index("id")
    links = m.tables.links.set_index(["supplier", "customer"])
    # stage times become lead times of the links out of a stage (Part_0001: 28 days, its mean over a 3-point spread)
    assert links.loc[("Part_0001", "Manuf_0001"), "lead_time"] == 28
    assert links.loc[("Manuf_0001", "Retail_0001"), "lead_time"] == 10 + 0  # a retail stage adds its own time (0) to links into it
    # price is cumulative cost: Manuf_0001 adds 39 to parts costing 12 + 5 + 9
    assert products.loc["Manuf_0001", "price"] == 39 + 12 + 5 + 9
    assert products.loc["Retail_0002", "price"] == (39 + 26) + (36 + 26)
    assert products.loc["Part_0001", "category"] == "basic_component"
    assert products.loc["Manuf_0001", "category"] == "subassembly"
    assert products.loc["Retail_0001", "category"] == "final_product"
    firms = m.tables.firms.set_index("id")
    assert firms.loc["Part_0001", "tags"] == ["part"] and firms.loc["Part_0001", "region"] == "unspecified"
    assert any("mean stageTime" in n for n in m.notes)


def test_a_demand_stage_time_is_carried_by_the_links_into_it(data):
    m = willems_map(data / "willems2008", chain=17)
    with open(data / "willems2008" / "17_stages.csv", encoding="utf-8-sig") as fh:
        stages = {r["stageName"]: r for r in csv.DictReader(fh)}
    for s, c, lead in m.tables.links[["supplier", "customer", "lead_time"]].itertuples(index=False):
        extra = float(stages[c]["stageTime"]) if stages[c]["avgDemand"] else 0.0
        assert lead == pytest.approx(float(stages[s]["stageTime"]) + extra)


def test_zero_demand_stages_are_dropped_with_a_note(data, tmp_path):
    m = build_map("willems", data / "willems2008" / "33_stages.csv")
    n_stages, _, demand = source_counts(data, 33)
    assert sum(1 for u in demand.values() if u == 0) == 122
    assert any(n.startswith("dropped 267 stage(s)") for n in m.notes)
    assert len(m.tables.firms) == n_stages - 267
    assert "note: dropped 267 stage(s)" in m.header.provenance
    load_model(m.write(tmp_path / "w33.toml"))


def test_every_chain_imports_and_loads(data, tmp_path):
    for chain in range(1, 39):
        cmap = load_model(import_map("willems", data / "willems2008", tmp_path / f"w{chain:02d}.toml", chain=chain, check=False))
        assert len(cmap.firms) > 0 and np.all(cmap.outputs > 0)


def test_provenance_names_source_licence_importer_and_options(data, tmp_path):
    cmap = load_model(import_map("willems", data / "willems2008", tmp_path / "w.toml", chain="01"))
    text = cmap.info.provenance
    assert "importer: simcore import willems (simcore.importers.willems version 1)" in text
    assert "Willems (2008)" in text and "chain 01" in text
    assert "willems2008/01_stages.csv (sha256 " in text and "willems2008/01_arcs.csv (sha256 " in text
    assert "licence: " in text
    assert 'options: {"chain": "01", "region": "unspecified"}' in text
    assert str(data) not in text  # no machine-specific paths
