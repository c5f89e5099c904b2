"""Your own tables and graphs: columns mapped by name, shares from weights, recipes from units, dead firms dropped."""

import networkx as nx
import numpy as np
import pytest

from simcore.chainmap import load_model
from simcore.importers import csv_map, graph_map, import_map


def write_tables(folder):
    (folder / "firms.csv").write_text(
        "company,product,region,demand,remarks\nmine,ore,north,,big\nsmelter_a,metal,north,,\nsmelter_b,metal,south,,\nmaker,widget,south,100,\nidle,ore,east,,\n"
    )
    (folder / "links.csv").write_text(
        "from,to,units,volume,lead_time\nmine,smelter_a,2,,3\nmine,smelter_b,2,,3\nsmelter_a,maker,0.5,300,1\nsmelter_b,maker,0.5,100,2\n"
    )
    (folder / "products.csv").write_text("id,name,category,price\nwidget,Widget,final_product,40\n")


def test_tables_with_own_column_names(tmp_path):
    write_tables(tmp_path)
    m = csv_map(tmp_path, columns={"firms.id": "company", "links.supplier": "from", "links.customer": "to", "links.weight": "volume"})
    assert any("ignored column(s) remarks" in n for n in m.notes)
    assert any("dropped 1 firm(s) with no path to final demand: idle" in n for n in m.notes)
    cmap = load_model(m.write(tmp_path / "out" / "mine.toml"))
    shares = {(l.supplier, l.customer): l.share for l in cmap.links}
    assert shares[("smelter_a", "maker")] == 0.75 and shares[("smelter_b", "maker")] == 0.25
    out = dict(zip((f.id for f in cmap.firms), cmap.outputs))
    assert out == pytest.approx({"mine": 100.0, "smelter_a": 37.5, "smelter_b": 12.5, "maker": 100.0})
    products = {p.id: p for p in cmap.products}
    assert products["widget"].price == 40 and products["widget"].name == "Widget"
    assert products["ore"].category.value == "basic_component" and products["metal"].category.value == "subassembly"
    assert "links.weight=volume" in cmap.info.provenance and "licence: not stated (user data)" in cmap.info.provenance


def test_firms_without_products_make_their_own_and_shares_default_to_equal(tmp_path):
    (tmp_path / "firms.csv").write_text("id,demand\na,\nb,\nc,4\n")
    (tmp_path / "links.csv").write_text("supplier,customer\na,c\nb,c\n")
    cmap = load_model(import_map("csv", tmp_path / "links.csv", tmp_path / "m.toml", licence="CC0"))
    assert [p.id for p in cmap.products] == ["a", "b", "c"]
    assert [l.share for l in cmap.links] == [1.0, 1.0]  # each firm makes its own product: one supplier per input
    assert cmap.outputs.tolist() == [4.0, 4.0, 4.0]
    assert "licence: CC0" in cmap.info.provenance


@pytest.mark.parametrize("suffix", ["graphml", "gexf"])
def test_graphs(tmp_path, suffix):
    g = nx.DiGraph()
    g.add_node("mine", product="ore", region="north")
    g.add_node("smelter", product="metal")
    g.add_node("maker", product="widget", demand=10.0, tags="chain_master;foreign")
    g.add_edge("mine", "smelter", units=2.0, lead_time=3.0)
    g.add_edge("smelter", "maker", units=0.5)
    path = tmp_path / f"g.{suffix}"
    (nx.write_graphml if suffix == "graphml" else nx.write_gexf)(g, path)
    cmap = load_model(import_map("csv", path, tmp_path / "g.toml"))
    assert dict(zip((f.id for f in cmap.firms), cmap.outputs)) == {"mine": 10.0, "smelter": 5.0, "maker": 10.0}
    assert cmap.firms[cmap.firm_index["maker"]].tags == ["chain_master", "foreign"]
    assert cmap.firms[cmap.firm_index["smelter"]].region == "unspecified"
    assert [l.lead_time for l in cmap.links] == [3.0, 1.0]
    m = graph_map(path, columns={"links.units": "qty"})  # mapped to a missing attribute: units default to 1
    assert m.tables.recipes["units"].tolist() == [1.0, 1.0]


def test_every_maker_of_a_product_needs_every_input(tmp_path):
    from simcore.errors import InputError

    (tmp_path / "firms.csv").write_text("id,product,demand\ns,ore,\nc,coal,\nm1,metal,5\nm2,metal,5\n")
    (tmp_path / "links.csv").write_text("supplier,customer\ns,m1\nc,m1\ns,m2\n")
    with pytest.raises(InputError) as err:
        csv_map(tmp_path)
    (p,) = err.value.problems
    assert p.field == "firms[3] (line 5).product" and "input 'coal'" in p.expected
    np.testing.assert_equal(len(err.value.problems), 1)
