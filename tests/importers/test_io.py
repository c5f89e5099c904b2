"""Input-output tables: the textbook two-sector table reproduces the Leontief outputs; real tables import with their losses reported."""

import csv

import numpy as np
import pytest

from simcore.chainmap import load_model
from simcore.errors import InputError
from simcore.importers import build_map, import_map, io_map
from simcore.importers.shipped import ROOT

TEXTBOOK = """sector,agriculture,manufacturing,households,exports
agriculture,150,500,300,50
manufacturing,200,100,1200,500
value_added,650,1400,,
"""


def read_rows(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.reader(fh))


def textbook(tmp_path, text=TEXTBOOK):
    path = tmp_path / "two_sectors.csv"
    path.write_text(text)
    return path


def test_textbook_two_sector_table_reproduces_the_leontief_outputs(tmp_path):
    # Z = [[150, 500], [200, 100]], final demand f = [350, 1700], so x = Z 1 + f = [1000, 2000]
    # and A = Z / x = [[0.15, 0.25], [0.2, 0.05]]; (I - A)^-1 f = [1000, 2000]
    cmap = load_model(import_map("io", textbook(tmp_path), tmp_path / "two.toml"))
    assert [f.id for f in cmap.firms] == ["agriculture", "manufacturing"]
    assert cmap.final_demand.tolist() == [350.0, 1700.0]
    assert cmap.outputs.tolist() == pytest.approx([1000.0, 2000.0], rel=1e-14, abs=0)
    coef = {(cmap.firms[s].id, cmap.firms[c].id): a for s, c, a in zip(cmap.link_supplier, cmap.link_customer, cmap.link_coef)}
    assert coef == {
        ("agriculture", "agriculture"): 0.15,
        ("agriculture", "manufacturing"): 0.25,
        ("manufacturing", "agriculture"): 0.2,
        ("manufacturing", "manufacturing"): 0.05,
    }


def test_leontief_outputs_for_another_final_demand(tmp_path):
    # the same coefficients (x given as a column) with final demand [600, 1500]:
    # det(I - A) = 0.85 * 0.95 - 0.25 * 0.2 = 0.7575; x1 = (0.95 * 600 + 0.25 * 1500) / 0.7575 = 945 / 0.7575,
    # x2 = (0.2 * 600 + 0.85 * 1500) / 0.7575 = 1395 / 0.7575
    path = textbook(tmp_path, "sector,agriculture,manufacturing,final,total_output\nagriculture,150,500,600,1000\nmanufacturing,200,100,1500,2000\n")
    m = io_map(path)
    cmap = load_model(m.write(tmp_path / "two.toml"))
    assert cmap.outputs.tolist() == pytest.approx([945 / 0.7575, 1395 / 0.7575], rel=1e-13, abs=0)
    assert any(n.startswith("baseline output vs the table's output (column 'total_output'): total +") for n in m.notes)


def test_residual_final_demand_and_period(tmp_path):
    m = io_map(textbook(tmp_path), final_demand="residual", period_days=10)
    cmap = load_model(m.write(tmp_path / "two.toml"))
    assert cmap.final_demand.tolist() == pytest.approx([35.0, 170.0], rel=1e-14)
    assert cmap.outputs.tolist() == pytest.approx([100.0, 200.0], rel=1e-14)


def test_threshold_drops_small_flows_and_reports_them(tmp_path):
    m = io_map(textbook(tmp_path), threshold=0.1)
    # 0.05 (manufacturing -> manufacturing) is below 0.1: one flow of 100 out of 950
    assert any(n == f"dropped 1 flow(s) with a coefficient below the threshold 0.1, {100 / 950:.2%} of the intermediate flow" for n in m.notes)
    assert len(m.tables.links) == 3
    assert "note: dropped 1 flow(s)" in m.header.provenance


def test_us_15_industries(data, tmp_path):
    use = data / "us_io_tables" / "use_15.csv"
    rows = read_rows(use)
    header = rows[0]
    t = header.index("Total Intermediate")
    fd = {r[0]: sum(float(c) for c in r[t + 1 : -1] if c != "---") for r in rows[1:16]}
    cmap = load_model(import_map("io", use, tmp_path / "us15.toml"))
    assert len(cmap.firms) == 15
    by_name = {f.name: cmap.final_demand[k] for k, f in enumerate(cmap.firms)}
    assert by_name == pytest.approx(fd, rel=1e-12)  # final demand is the sum of the final-demand columns
    # the baseline is the Leontief solution of the table's coefficients
    Z = np.array([[float(c) if c != "---" else 0.0 for c in r[1:t]] for r in rows[1:16]])
    x = np.array([float(c) for c in next(r for r in rows if r[0] == "Total industry output (basic prices)")[1:16]])
    d = np.array([fd[r[0]] for r in rows[1:16]])
    np.testing.assert_allclose(cmap.outputs, np.linalg.solve(np.eye(15) - Z / x, d), rtol=1e-9)
    assert {f.region for f in cmap.firms} == {"US"}
    assert "public domain" in cmap.info.provenance


def test_us_71_residual_reproduces_industry_output(data, tmp_path):
    use = data / "us_io_tables" / "use_71.csv"
    m = io_map(use, final_demand="residual")
    cmap = load_model(m.write(tmp_path / "us71.toml"))
    assert len(cmap.firms) == 71
    rows = read_rows(use)
    x = dict(zip(rows[0][1:72], (float(c) for c in next(r for r in rows if r[0] == "Total industry output (basic prices)")[1:72])))
    clipped = {f.id for k, f in enumerate(cmap.firms) if cmap.final_demand[k] == 0}
    assert len(clipped) == 12 and any(n.startswith("12 sector(s) sell more") for n in m.notes)
    # sectors that feed no clipped sector upstream keep the table's output exactly; in all, the baseline is close to it
    out = {f.id: cmap.outputs[k] for k, f in enumerate(cmap.firms)}
    assert sum(out.values()) / sum(x.values()) == pytest.approx(1.0, abs=0.05)
    assert out["GFGD"] == pytest.approx(x["GFGD"], rel=0.01)


def test_a_table_without_final_demand_columns_needs_the_residual(data, tmp_path):
    use = data / "us_io_tables" / "use_114_aus.csv"
    with pytest.raises(InputError) as err:
        io_map(use, final_demand="columns")
    assert "residual" in str(err.value)
    cmap = load_model(import_map("io", use, tmp_path / "au.toml"))
    assert len(cmap.firms) == 114 and {f.region for f in cmap.firms} == {"AU"}
    assert "CC BY 4.0" in cmap.info.provenance


def test_pymrio_test_system_as_region_by_sector_map(tmp_path):
    pymrio = pytest.importorskip("pymrio")
    io = pymrio.load_test()
    m = build_map("io", io, threshold=1e-3, lead_time=2, lead_time_between_regions=14)
    cmap = load_model(m.write(tmp_path / "mrio.toml"))
    assert len(cmap.firms) == 6 * 8
    assert cmap.firms[0].id == "reg1:food" and cmap.firms[0].region == "reg1"
    y = io.Y.sum(axis=1).to_numpy()
    np.testing.assert_allclose(cmap.final_demand, y, rtol=1e-12)
    leads = {(cmap.firms[s].region == cmap.firms[c].region, l.lead_time) for s, c, l in zip(cmap.link_supplier, cmap.link_customer, cmap.links)}
    assert leads == {(True, 2.0), (False, 14.0)}
    assert "testmrio" in cmap.info.provenance and "data: Z " in cmap.info.provenance
    # without a threshold the table is reproduced: baseline = the IOSystem's output
    assert io.x is None  # the caller's IOSystem is not changed by the import
    cmap = load_model(build_map("io", "pymrio:test").write(tmp_path / "full.toml"))
    io.calc_system()
    np.testing.assert_allclose(cmap.outputs, io.x.to_numpy().ravel(), rtol=1e-9)


def test_imported_io_map_stays_at_baseline_with_self_supply(tmp_path):
    """A sector using its own output is a link from the firm to itself: the engines keep it at baseline."""
    import simcore

    model = import_map("io", textbook(tmp_path), tmp_path / "two.toml")
    scenario = tmp_path / "base.toml"
    scenario.write_text(f'[scenario]\nname = "baseline"\nmodel = "{model.name}"\nhorizon = 20\n')
    result = simcore.run(scenario, engine="reference")
    assert result.metrics()["loss"].abs().max() < 1e-12


# --- necessity of inputs (docs/importers.md, io: necessity of inputs) --------------------------------

# Intermediate inputs of `assembly` sum to 10,000, so each input's share is its flow / 10,000:
# farming 99 (0.99%), metal 100 (1% exactly), plastic 499 (4.99%), wood 500 (5% exactly) are goods
# (raw_material, basic_material); banking 499 (4.99%), transport 500 (5% exactly), legal 7,803 (78.03%) are services.
# `repair` uses metal and wood, 1 each: 50% each.
NECESSITY_TABLE = """sector,farming,metal,plastic,wood,banking,transport,legal,assembly,repair,households
farming,0,0,0,0,0,0,0,99,0,0
metal,0,0,0,0,0,0,0,100,1,0
plastic,0,0,0,0,0,0,0,499,0,0
wood,0,0,0,0,0,0,0,500,1,0
banking,0,0,0,0,0,0,0,499,0,0
transport,0,0,0,0,0,0,0,500,0,0
legal,0,0,0,0,0,0,0,7803,0,0
assembly,0,0,0,0,0,0,0,0,0,20000
repair,0,0,0,0,0,0,0,0,0,10
"""
BY_RULE = {
    ("assembly", "farming"): "noncritical",  # goods, 0.99% < 1%
    ("assembly", "metal"): "important",  # goods, exactly 1%
    ("assembly", "plastic"): "important",  # goods, 4.99% < 5%
    ("assembly", "wood"): "critical",  # goods, exactly 5%
    ("assembly", "banking"): "noncritical",  # service, 4.99% < 5%
    ("assembly", "transport"): "important",  # service, exactly 5%
    ("assembly", "legal"): "important",  # service, 78.03%: a service is never critical
    ("repair", "metal"): "critical",  # goods, 50%
    ("repair", "wood"): "critical",
}


def necessity_table(tmp_path):
    return textbook(tmp_path, NECESSITY_TABLE)


def necessities_of(cmap):
    return {(p.id, q): n.value for p in cmap.products for q, n in p.necessity.items()}


def test_input_necessity_by_share_of_intermediate_input_use(tmp_path):
    from simcore.importers import iotables

    assert (iotables.GOODS_IMPORTANT, iotables.GOODS_CRITICAL, iotables.SERVICE_IMPORTANT) == (0.01, 0.05, 0.05)
    m = io_map(necessity_table(tmp_path))
    categories = dict(zip(m.tables.products["id"], m.tables.products["category"]))
    assert [categories[k] for k in ("farming", "metal", "plastic", "wood")] == ["raw_material"] + ["basic_material"] * 3
    assert {categories[k] for k in ("banking", "transport", "legal")} == {"service"}
    r = m.tables.recipes
    assert dict(zip(zip(r["product"], r["input"]), r["necessity"])) == BY_RULE
    assert any(n.endswith(": 3 critical, 4 important, 2 noncritical of 9 inputs") for n in m.notes)
    # every row of recipes.csv names its necessity, critical included, and the map loads back with them
    path = m.write(tmp_path / "nec.toml")
    rows = read_rows(tmp_path / "nec" / "recipes.csv")
    assert rows[0] == ["product", "input", "units", "necessity"] and all(row[3] for row in rows[1:])
    assert necessities_of(load_model(path)) == BY_RULE
    assert "simcore.importers.iotables version 2" in load_model(path).info.provenance


def test_necessity_rule_at_the_thresholds():
    from simcore.importers.iotables import necessity_by_share

    assert [necessity_by_share(s, service=False) for s in (0.0, 0.0099, 0.01, 0.0499, 0.05, 1.0)] == [
        "noncritical",
        "noncritical",
        "important",
        "important",
        "critical",
        "critical",
    ]
    assert [necessity_by_share(s, service=True) for s in (0.0, 0.0499, 0.05, 1.0)] == ["noncritical", "noncritical", "important", "important"]


def test_necessity_table_overrides_the_rule(tmp_path):
    table = necessity_table(tmp_path)
    overrides = tmp_path / "necessities.csv"
    overrides.write_text(
        "product,input,necessity,why\nassembly,legal,critical,licence to sell\nassembly,farming,noncritical,\nrepair,wood,important,\n"
    )
    path = import_map("io", table, tmp_path / "nec.toml", necessities=overrides)
    cmap = load_model(path)
    assert necessities_of(cmap) == BY_RULE | {("assembly", "legal"): "critical", ("repair", "wood"): "important"}
    m = io_map(table, necessities=overrides)
    assert "3 input necessities set by the table necessities.csv (2 of them differ from the share rule)" in m.notes
    assert "ignored 1 column(s) of the necessity table necessities.csv: why" in m.notes
    # the table is part of the provenance (with its SHA-256) and of the command that writes the map again
    assert f"{tmp_path.name}/necessities.csv (sha256 " in cmap.info.provenance
    assert f'"necessities": "{tmp_path.name}/necessities.csv"' in cmap.info.provenance
    assert f"--necessities {tmp_path.name}/necessities.csv" in path.read_text().splitlines()[1]


def test_necessity_table_on_the_command_line(tmp_path, capsys):
    from simcore.cli import main as run

    overrides = tmp_path / "necessities.csv"
    overrides.write_text("product,input,necessity\nassembly,banking,critical\n")
    assert run(["import", "io", str(necessity_table(tmp_path)), str(tmp_path / "nec.toml"), "--necessities", str(overrides)]) == 0
    assert "note: 1 input necessities set by the table necessities.csv (1 of them differ from the share rule)" in capsys.readouterr().out
    assert necessities_of(load_model(tmp_path / "nec.toml"))[("assembly", "banking")] == "critical"


def test_shipped_us_71_has_noncritical_and_important_inputs():
    cmap = load_model(ROOT / "models" / "us_io_71.toml")
    found = necessities_of(cmap)
    assert len(found) == 2933  # every input named, none left to the default
    counts = {v: list(found.values()).count(v) for v in ("critical", "important", "noncritical")}
    assert counts == {"critical": 130, "important": 488, "noncritical": 2315}
    category = {p.id: p.category.value for p in cmap.products}
    assert not [k for k, v in found.items() if v == "critical" and category[k[1]] == "service"]  # a service is never critical
    assert "simcore.importers.iotables version 2" in cmap.info.provenance


def test_us_71_necessities_follow_the_share_rule(data):
    from simcore.importers.iotables import input_shares, necessity_by_share, read_make_use, sector_category

    table = read_make_use(data / "us_io_tables" / "use_71.csv")
    share = input_shares(table.Z)
    k = {s: i for i, s in enumerate(table.ids)}
    cmap = load_model(ROOT / "models" / "us_io_71.toml")
    for (p, q), value in necessities_of(cmap).items():
        service = sector_category(q, table.names[k[q]]) == "service"
        assert value == necessity_by_share(share[k[q], k[p]], service), (p, q, share[k[q], k[p]])
