"""Malformed sources: every problem is an InputError Problem naming the file, the row (with its line) and the column."""

import pytest

from naive import check, listing, problems_of, refused, simcore
from simcore.errors import NO_VALUE, InputError
from simcore.importers import build_map

STAGES = "stageName,avgDemand,stdDevDemand,stageClassification,stageCost,stageTime\n"


def problems(kind, source, **options):
    with pytest.raises(InputError) as err:
        build_map(kind, source, **options)
    return err.value.problems


def find(found, file, field):
    hits = [p for p in found if p.file == str(file) and p.field == field]
    assert hits, f"no problem at {file}: {field}; got:\n" + "\n".join(map(str, found))
    return hits[0]


def willems_files(tmp_path, stages, arcs):
    (tmp_path / "01_stages.csv").write_text(STAGES + stages)
    (tmp_path / "01_arcs.csv").write_text("from_stage,to_stage\n" + arcs)
    return tmp_path / "01_stages.csv", tmp_path / "01_arcs.csv"


def test_willems_bad_cells_are_all_reported_with_file_row_and_column(tmp_path):
    stages, arcs = willems_files(
        tmp_path,
        "Part_1,,,Part,5,-3\nManuf_1,,,Manuf,7,two\nRetail_1,lots,,Retail,0,0\nRetail_2,10,,Retail,0,nan\nShop,5,,Retail,0,1\n",
        "Part_1,Manuf_1\nManuf_1,Retail_1\nShop,Nowhere\n",
    )
    found = problems("willems", tmp_path, chain=1)
    p = find(found, stages, "stages[0] (line 2).stageTime")
    assert p.value == -3 and "a number >= 0" in p.expected
    p = find(found, stages, "stages[1] (line 3).stageTime")
    assert p.value == "two" and p.expected == "a number"
    p = find(found, stages, "stages[2] (line 4).avgDemand")
    assert p.value == "lots"
    p = find(found, stages, "stages[3] (line 5).stageTime")
    assert "finite" in p.expected
    p = find(found, arcs, "arcs[2] (line 4).to_stage")
    assert p.value == "Nowhere" and "stage" in p.expected
    # arcs touching stages with bad cells are not reported again
    assert not any(p.field.startswith("arcs[0]") or p.field.startswith("arcs[1]") for p in found)
    assert str(stages) in str(InputError(found))


def test_willems_missing_columns_name_the_header(tmp_path):
    (tmp_path / "01_stages.csv").write_text("stageName,stageCost\nA,1\n")
    (tmp_path / "01_arcs.csv").write_text("from,to\n")
    found = problems("willems", tmp_path / "01_stages.csv")
    p = find(found, tmp_path / "01_stages.csv", "stages (line 1).stageTime")
    assert "required column is missing" in p.expected and "stageName, stageCost" in p.expected
    find(found, tmp_path / "01_stages.csv", "stages (line 1).avgDemand")
    find(found, tmp_path / "01_arcs.csv", "arcs (line 1).from_stage")
    find(found, tmp_path / "01_arcs.csv", "arcs (line 1).to_stage")


def test_willems_duplicates_self_arcs_and_cycles(tmp_path):
    stages, arcs = willems_files(tmp_path, "A,,,Part,1,1\nA,,,Part,1,1\nB,,,Manuf,1,1\nC,4,,Retail,0,0\n", "A,B\nA,B\nB,B\nB,C\n")
    found = problems("willems", tmp_path, chain=1)
    assert "not used before" in find(found, stages, "stages[1] (line 3).stageName").expected
    assert "each arc once" in find(found, arcs, "arcs[1] (line 3).from_stage").expected
    assert "other than the stage itself" in find(found, arcs, "arcs[2] (line 4).from_stage").expected
    willems_files(tmp_path, "A,,,Part,1,1\nB,,,Manuf,1,1\nC,4,,Retail,0,0\n", "A,B\nB,A\nB,C\n")
    (p,) = problems("willems", tmp_path, chain=1)
    assert "cycle" in p.expected and p.file == str(arcs)


def test_willems_bad_options(tmp_path, data):
    (p,) = problems("willems", data / "willems2008")
    assert p.field == "chain"
    (p,) = problems("willems", data / "willems2008", chain=1, colour="red")
    assert p.field == "colour" and "chain" in p.expected


GSM_HEADER = "stage_id,lead_time,max_s_time,cost_rate,risk_pool,ext_demand_mean,ext_demand_std,ext_demand_thres,up_stages\n"


def test_gsm_bad_cells(tmp_path):
    path = tmp_path / "kit.txt"
    path.write_text(GSM_HEADER + "Bolt,-1,,0.5,2,,,\nNut,x,,0.5,2,,,\nKit,2,0,4,,ten,2,1.645,Washer,2,Bolt,lots\nBox,1,0,1,,3,1,1.645,Kit,1,Nut\n")
    found = problems("gsm", path)
    assert find(found, path, "stages[0] (line 2).lead_time").value == -1
    assert find(found, path, "stages[1] (line 3).lead_time").value == "x"
    assert find(found, path, "stages[2] (line 4).ext_demand_mean").value == "ten"
    assert find(found, path, "stages[2] (line 4).up_stages[1].units").value == "lots"
    assert "pairs" in find(found, path, "stages[3] (line 5).up_stages[1].units").expected


def test_gsm_unknown_upstream_stage_and_missing_column(tmp_path):
    path = tmp_path / "kit.txt"
    path.write_text(GSM_HEADER + "Bolt,1,,0.5,2,,,\nKit,2,0,4,,10,2,1.645,Washer,2\n")
    (p,) = problems("gsm", path)
    assert (p.field, p.value) == ("stages[1] (line 3).up_stages[0].stage", "Washer")
    path.write_text("stage_id,lead_time,cost_rate,up_stages\nBolt,1,1\n")
    (p,) = problems("gsm", path)
    assert p.field == "stages (line 1).ext_demand_mean"


def test_io_table_bad_cells(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("sector,a,b,final\na,1,x,5\nb,2,3,-\n")
    found = problems("io", path)
    assert find(found, path, "table[0] (line 2).b").value == "x"
    assert find(found, path, "table[1] (line 3).final").value == "-"
    path.write_text("sector,a,b,final\na,1,2,5\nb,2,3,4\n")
    (p,) = problems("io", path, final_demand_columns=["exports"])
    assert p.field == "table (line 1).exports" and "required column is missing" in p.expected
    (p,) = problems("io", path, final_demand="some")
    assert p.field == "final_demand"


BEA_USE = """,A,B,T001,F010,T019
Apples,10,20,30,70,100
Bolts,5,---,5,195,200
Scrap,1,0,1,0,1
Total Intermediate,16,20,36,,
Total industry output (basic prices),100,200,300,,
"""
BEA_MAKE = """Name,Apples,Bolts,Scrap,Total Industry Output
Apples,100,,,100
Bolts,,200,,200
Total industry supply,100,200,0,300
"""


def test_bea_layout_in_miniature(tmp_path):
    (tmp_path / "use_2.csv").write_text(BEA_USE)
    (tmp_path / "make_2.csv").write_text(BEA_MAKE)
    m = build_map("io", tmp_path / "use_2.csv")
    assert m.tables.firms["id"].tolist() == ["A", "B"] and m.tables.firms["name"].tolist() == ["Apples", "Bolts"]
    assert m.tables.demand["units"].tolist() == [70, 195]
    assert any("dropped 1 commodity row(s) without an industry (Scrap)" in n for n in m.notes)
    (tmp_path / "use_2.csv").write_text(BEA_USE.replace("Bolts,5,---", "Bolts,5,?"))
    (p,) = problems("io", tmp_path / "use_2.csv")
    assert (p.file, p.field, p.value) == (str(tmp_path / "use_2.csv"), "use[1] (line 3).B", "?")


def test_csv_tables_bad_cells_and_unknown_firms(tmp_path):
    (tmp_path / "firms.csv").write_text("id,product,demand\nmine,ore,\nmaker,widget,lots\nshop,widget,5\n")
    (tmp_path / "links.csv").write_text("supplier,customer,lead_time,weight\nmine,maker,-2,\nmine,shop,1,heavy\nghost,shop,1,\n")
    found = problems("csv", tmp_path)
    assert find(found, tmp_path / "firms.csv", "firms[1] (line 3).demand").value == "lots"
    assert find(found, tmp_path / "links.csv", "links[0] (line 2).lead_time").value == -2
    assert find(found, tmp_path / "links.csv", "links[1] (line 3).weight").value == "heavy"
    assert find(found, tmp_path / "links.csv", "links[2] (line 4).supplier").value == "ghost"


def test_csv_missing_columns_and_mapping_hints(tmp_path):
    (tmp_path / "firms.csv").write_text("name,demand\nmine,\n")
    (tmp_path / "links.csv").write_text("from,to\n")
    found = problems("csv", tmp_path)
    assert "columns, e.g. firms.id=YOUR_COLUMN" in find(found, tmp_path / "firms.csv", "firms (line 1).id").expected
    find(found, tmp_path / "links.csv", "links (line 1).supplier")
    found = problems("csv", tmp_path, columns={"links.supplier": "source"})
    assert "'source'" in find(found, tmp_path / "links.csv", "links (line 1).source").expected
    (p,) = problems("csv", tmp_path, columns={"link.supplier": "from"})
    assert p.field == "columns"


def test_csv_inconsistent_recipes_and_shares(tmp_path):
    (tmp_path / "firms.csv").write_text("id,product,demand\ns1,ore,\ns2,ore,\nm1,metal,5\nm2,metal,5\n")
    (tmp_path / "links.csv").write_text("supplier,customer,units,share\ns1,m1,2,0.5\ns2,m1,2,0.6\ns1,m2,3,\n")
    found = problems("csv", tmp_path)
    assert "same units" in find(found, tmp_path / "links.csv", "links[2] (line 4).units").expected
    p = find(found, tmp_path / "links.csv", "links[0] (line 2).share")
    assert p.value == 1.1 and "sum to 1" in p.expected


def test_graph_bad_attributes_and_undirected_graphs(tmp_path):
    import networkx as nx

    g = nx.DiGraph()
    g.add_node("a", product="ore")
    g.add_node("b", product="metal", demand="many")
    g.add_edge("a", "b", lead_time=-1.0)
    nx.write_graphml(g, tmp_path / "g.graphml")
    found = problems("csv", tmp_path / "g.graphml")
    assert find(found, tmp_path / "g.graphml", "nodes[1] (id 'b').demand").value == "many"
    assert find(found, tmp_path / "g.graphml", "edges[0] (a -> b).lead_time").value == -1
    nx.write_graphml(nx.Graph(g), tmp_path / "u.graphml")
    (p,) = problems("csv", tmp_path / "u.graphml")
    assert "directed" in p.expected
    (tmp_path / "broken.gexf").write_text("<gexf><graph>")
    (p,) = problems("csv", tmp_path / "broken.gexf")
    assert p.file == str(tmp_path / "broken.gexf") and "GEXF" in p.expected


def test_unknown_kind_and_missing_files(tmp_path):
    (p,) = problems("sap", tmp_path)
    assert p.field == "kind"
    (p,) = problems("gsm", tmp_path / "none.txt")
    assert p.file == str(tmp_path / "none.txt") and "not found" in p.expected


# --- the io importer's necessity table (--necessities) -----------------------------------------------

NECESSITY_SOURCE = """sector,metal,banking,assembly,repair,households
metal,0,0,50,1,0
banking,0,0,50,0,0
assembly,0,0,0,0,300
repair,0,0,0,0,10
"""
NECESSITY_HEADER = "product,input,necessity\n"
BAD_NECESSITIES = {  # case: (the table, the field, its value, phrases of what was expected)
    "unknown product": (
        NECESSITY_HEADER + "assembly,metal,critical\nwidget,metal,important\n",
        "necessities[1] (line 3).product",
        "widget",
        "the id of a product of this map",
    ),
    "unknown input": (NECESSITY_HEADER + "assembly,gold,important\n", "necessities[0] (line 2).input", "gold", "the id of a product of this map"),
    "input not in the recipe": (
        NECESSITY_HEADER + "repair,banking,important\n",
        "necessities[0] (line 2).input",
        "banking",
        "an input of the recipe of 'repair' (metal",
    ),
    "bad necessity": (NECESSITY_HEADER + "assembly,banking,Vital\n", "necessities[0] (line 2).necessity", "Vital", "one of critical, important, noncritical"),
    "necessity in capitals": (
        NECESSITY_HEADER + "assembly,banking,Important\n",
        "necessities[0] (line 2).necessity",
        "Important",
        "(did you mean 'important'?)",
    ),
    "empty necessity": (NECESSITY_HEADER + "assembly,banking,\n", "necessities[0] (line 2).necessity", "", "one of critical, important, noncritical"),
    "pair twice": (
        NECESSITY_HEADER + "assembly,banking,important\nassembly,banking,critical\n",
        "necessities[1] (line 3).input",
        "banking",
        "each (product, input) pair once (also at necessities[0] (line 2))",
    ),
    "missing column": (
        "product,input,level\nassembly,banking,important\n",
        "necessities (line 1).necessity",
        NO_VALUE,
        "required column is missing",
        "the header has product, input, level",
    ),
}


@pytest.mark.parametrize("case", BAD_NECESSITIES, ids=list(BAD_NECESSITIES))
def test_io_bad_necessity_table_names_file_field_and_value(tmp_path, case):
    text, field, value, *expected = BAD_NECESSITIES[case]
    source = tmp_path / "sectors.csv"
    source.write_text(NECESSITY_SOURCE)
    table = tmp_path / "necessities.csv"
    table.write_text(text)
    err = problems_of(lambda path: build_map("io", source, necessities=path), table)
    check(err, table, field, value, *expected)
    # on the command line: one error line naming file, field and value, exit 2, nothing written
    out = tmp_path / "out"
    proc = simcore("import", "io", source, out / "m.toml", "--necessities", table)
    line = f"error: {table}: {field}: " + (f"got {value!r}; " if value is not NO_VALUE else "")
    refused(proc, line, *expected)
    assert listing(out) == {}


def test_io_necessity_table_not_found_writes_nothing(tmp_path):
    source = tmp_path / "sectors.csv"
    source.write_text(NECESSITY_SOURCE)
    proc = simcore("import", "io", source, tmp_path / "out" / "m.toml", "--necessities", tmp_path / "none.csv")
    refused(proc, f"error: {tmp_path / 'none.csv'}: file not found")
    assert listing(tmp_path / "out") == {}
