"""One definition of a short board (docs/model.md, Short boards): `simcore inspect`, the stress test's flags and
`fill_short_board` agree, on hand-computable maps and on every shipped model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simcore
from naive import build_scenario, chain_maps, write_scenario
from simcore.chainmap import load_model
from simcore.chainmap.inspect import BASIC_OF, SINGLE, origin_label, short_boards, short_boards_of
from simcore.cli import main
from simcore.errors import InputError
from simcore.scenario.policies import FillShortBoard, ranked
from simcore.stress import setup_stress, stress_table

ROOT = Path(__file__).parents[2]
SHIPPED = sorted((ROOT / "models").glob("*.toml"))

PRODUCTS = [
    {"id": "chip", "category": "core_electronic_component"},
    {"id": "steel", "category": "basic_material"},
    {"id": "paint", "category": "basic_material"},
    {"id": "cad", "category": "industrial_software"},
    {"id": "car", "category": "final_product", "recipe": {"chip": 1.0, "steel": 1.0, "paint": 1.0, "cad": 1.0}, "necessity": {"paint": "noncritical"}},
]
FIRMS = [
    {"id": "M", "product": "chip", "region": "home"},
    {"id": "S1", "product": "steel", "region": "home"},
    {"id": "S2", "product": "steel", "region": "home"},
    {"id": "W", "product": "paint", "region": "home"},
    {"id": "X1", "product": "cad", "region": "us", "tags": ["foreign"]},
    {"id": "X2", "product": "cad", "region": "eu", "tags": ["foreign"]},
    {"id": "A", "product": "car", "region": "home"},
    {"id": "B", "product": "car", "region": "home"},
]
LINKS = [
    {"supplier": "M", "customer": "A"},  # chip: one maker, a short board of A and B (single-sourced)
    {"supplier": "M", "customer": "B"},
    {"supplier": "S1", "customer": "A"},  # steel: A buys from S1 alone (single-sourced though S2 exists) ...
    {"supplier": "S1", "customer": "B", "share": 0.5},  # ... B from two: a second source, no short board
    {"supplier": "S2", "customer": "B", "share": 0.5},
    {"supplier": "W", "customer": "A"},  # paint: one maker, but noncritical: never a short board
    {"supplier": "W", "customer": "B"},
    {"supplier": "X1", "customer": "A", "share": 0.5},  # cad: two sources, both foreign: foreign-only at A
    {"supplier": "X2", "customer": "A", "share": 0.5},
    {"supplier": "X1", "customer": "B"},  # ... and at B, single-sourced too
]
MODEL = {"products": PRODUCTS, "firms": FIRMS, "links": LINKS, "demand": [{"firm": "A", "units": 10.0}, {"firm": "B", "units": 5.0}], "defaults": {"headroom": 0.0, "cover": 2.0}}


@pytest.fixture
def tiny(tmp_path):
    return build_scenario(tmp_path, MODEL, '[[variants]]\nname = "as-is"\n')


def test_short_boards_of_each_customer_by_hand(tiny):
    rows = [(r["customer"], r["product"], r["reason"], r["basic"], r["suppliers"]) for r in short_boards_of(tiny.model)]
    assert rows == [
        ("A", "chip", "single-sourced", "core components", ["M"]),
        ("A", "steel", "single-sourced", "key basic materials", ["S1"]),
        ("A", "cad", "foreign-only", "industrial software", ["X1", "X2"]),
        ("B", "chip", "single-sourced", "core components", ["M"]),
        ("B", "cad", "single-sourced + foreign-only", "industrial software", ["X1"]),
    ]
    products = [(r["product"], r["reason"], r["customers"]) for r in short_boards(tiny.model)]
    assert products == [("chip", "single-sourced", 2), ("steel", "single-sourced", 1), ("cad", "single-sourced + foreign-only", 2)]


def test_origins_are_tags_or_regions(tiny):
    by_region = [(r["customer"], r["product"], r["reason"]) for r in short_boards_of(tiny.model, ("us",)) if "us-only" in r["reason"]]
    assert by_region == [("B", "cad", "single-sourced + us-only")]  # A also buys from X2, in the eu
    assert [r["reason"] for r in short_boards_of(tiny.model, ("us", "eu")) if r["product"] == "cad"] == ["us/eu-only", "single-sourced + us/eu-only"]


def test_a_second_source_removes_the_board(tmp_path):
    links = [l for l in LINKS if not (l["customer"] == "A" and l["supplier"] == "S1")]
    links += [{"supplier": "S1", "customer": "A", "share": 0.5}, {"supplier": "S2", "customer": "A", "share": 0.5}]
    sc = build_scenario(tmp_path, {**MODEL, "links": links}, '[[variants]]\nname = "as-is"\n')
    assert "steel" not in {r["product"] for r in short_boards_of(sc.model)}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_inspect_stress_flags_and_fill_short_board_agree_on_shipped_models(path):
    cmap = load_model(path)
    rows = short_boards_of(cmap)
    products = [r["product"] for r in short_boards(cmap, rows=rows)]
    suppliers = {s for r in rows for s in r["suppliers"]}
    # stress flags, by firm and by product (the table's flag columns; the losses do not matter here)
    setup, _ = setup_stress(path, horizon=2)
    table = stress_table(setup, cmap, np.zeros((len(setup.units), len(setup.run.chain_names), 5)))
    flagged = set(table.unit[table.single_sourced | table.foreign_only])
    assert flagged == suppliers
    single = {s for r in rows if "single-sourced" in r["reason"] for s in r["suppliers"]}
    assert set(table.unit[table.single_sourced]) == single
    assert {cmap.firms[cmap.firm_index[u]].product for u in flagged} == set(products)
    # fill_short_board's candidates, in inspect's order
    policy = ranked(cmap, FillShortBoard(top=len(products) + 1, mode="capacity"), lambda m, ps: list(ps))
    assert policy.chosen_products == products


SHOCK = '[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["S1"] }\nstart = 3\nduration = 10\n'


def fill(rank: str) -> str:
    return f'\n[[variants]]\nname = "{rank}"\n[[variants.policies]]\nkind = "fill_short_board"\ntop = 1\nmode = "safety_stock"\nrank = "{rank}"\n'


def test_rank_scenario_picks_the_board_the_shocks_hit(tmp_path):
    """S1 is out for 10 days: steel is the only short board whose supply the shock touches, so it scores the whole
    as-is loss and comes first; the others score 0. The stress ranking knows nothing of the shock and puts chip
    (it stops both assemblers) first."""
    sc = build_scenario(tmp_path, MODEL, SHOCK + '[[variants]]\nname = "as-is"\n' + fill("scenario") + fill("stress"), 40)
    by_scenario, by_stress = (sc.variant(n).policies[0] for n in ("scenario", "stress"))
    assert by_scenario.chosen_products == ["steel"] and by_stress.chosen_products == ["chip"]
    loss = simcore.run(sc).comparison().query("variant == 'as-is' and chain == 'total'").loss.item()
    assert loss > 0 and by_scenario._scores == pytest.approx((loss, 0.0, 0.0), abs=1e-15)
    (pick,) = by_scenario.picks(sc.model)
    assert pick["product"] == "steel" and pick["customers"] == ["A"] and pick["suppliers"] == ["S1"] and pick["reason"] == "single-sourced"
    assert 'rank = "scenario"' in pick["why"]
    summary = simcore.run(sc).summary()["short_board_picks"]
    assert [p["product"] for p in summary["scenario"]] == ["steel"] and [p["product"] for p in summary["stress"]] == ["chip"]


@pytest.mark.parametrize(
    "setting, field, value",
    [('rank = "worst"', "rank", "'worst'"), ('origins = ["mars"]', "origins[0]", "'mars'")],
)
def test_bad_rank_or_origin_is_one_line(tmp_path, setting, field, value):
    body = '[[variants]]\nname = "as-is"\n[[variants]]\nname = "fill"\n[[variants.policies]]\nkind = "fill_short_board"\ntop = 1\nmode = "capacity"\n' + setting + "\n"
    path = write_scenario(tmp_path, MODEL, body)
    with pytest.raises(InputError) as info:
        simcore.load_scenario(path)
    (problem,) = info.value.problems
    assert problem.file == str(path) and problem.field == f"variants[1].policies[0].{field}"
    line = str(problem)
    assert "\n" not in line and value in line and ("one of stress, scenario" in line or "tag or region" in line)


def test_inspect_prints_the_five_basics_and_refuses_an_unknown_origin(tmp_path, capsys):
    path = write_scenario(tmp_path, MODEL, '[[variants]]\nname = "as-is"\n')
    model = next(p for p in tmp_path.rglob("*.toml") if p != path)
    assert main(["inspect", str(model)]) == 0
    out = capsys.readouterr().out
    assert "short boards: 3 products" in out and "core components" in out and "industrial software" in out and "per customer" in out
    assert main(["inspect", str(model), "--origins", "mars"]) == 2
    err = capsys.readouterr().err
    assert "command line: --origins[0]: got 'mars'; expected a tag or region" in err and len(err.strip().splitlines()) == 1


def test_the_technology_base_is_the_fifth_basic_and_services_are_none():
    """Testing and certification (category technology_base) is the industrial technology base; logistics (service)
    is no basic (docs/model.md, Short boards)."""
    from naive import build_model
    from simcore.chainmap.inspect import short_boards_of

    products = [
        {"id": "lab", "category": "technology_base"},
        {"id": "haul", "category": "service"},
        {"id": "good", "category": "final_product", "recipe": {"lab": 1.0, "haul": 1.0}},
    ]
    firms = [{"id": "L", "product": "lab", "region": "r"}, {"id": "H", "product": "haul", "region": "r"}, {"id": "G", "product": "good", "region": "r"}]
    links = [{"supplier": "L", "customer": "G"}, {"supplier": "H", "customer": "G"}]
    cmap = build_model(products, firms, links, [{"firm": "G", "units": 1.0}])
    basics = {r["product"]: r["basic"] for r in short_boards_of(cmap, ("foreign",))}
    assert basics == {"lab": "technology base", "haul": "not a basic"}


def naive_short_boards(cmap, origins) -> list[dict]:
    """The definition read off record by record: each customer's binding recipe inputs, their distinct suppliers in
    link order, and the two reasons."""
    rows = []
    for i, f in enumerate(cmap.firms):
        product = cmap.products[cmap.product_index[f.product]]
        for q in product.recipe:
            if not cmap.binds(product, q):
                continue
            suppliers = list(dict.fromkeys(l.supplier for l in cmap.links if l.customer == f.id and cmap.firms[cmap.firm_index[l.supplier]].product == q))
            if not suppliers:
                continue
            of = [cmap.firms[cmap.firm_index[s]] for s in suppliers]
            reasons = ([SINGLE] if len(suppliers) == 1 else []) + ([origin_label(origins)] if all(s.region in origins or set(s.tags) & set(origins) for s in of) else [])
            if reasons:
                board = cmap.products[cmap.product_index[q]]
                rows.append({"product": q, "customer": f.id, "chains": sorted(cmap.firm_chains(i)), "basic": BASIC_OF[board.category],
                             "reason": " + ".join(reasons), "suppliers": suppliers})
    return rows


@settings(max_examples=60, deadline=None)
@given(chain_maps(max_firms=14), st.sampled_from([("foreign",), ("east",), ("west",), ("east", "west")]))
def test_short_boards_on_the_link_arrays_are_the_definition(cmap, origins):
    """short_boards_of, worked out on the link arrays, gives the rows of the definition read record by record."""
    assert short_boards_of(cmap, origins) == naive_short_boards(cmap, origins)


@pytest.mark.parametrize("name", ["ev_chip_embargo", "city_chip_export_control", "us_io_electronics"])
def test_the_reports_boards_per_chain_count_the_rows_of_short_boards_of(name):
    """summary.json's context counts, per chain, each board product's customers in that chain, with the reason of
    its first row: read here off short_boards_of's rows, worked out there on board_pairs' arrays."""
    from simcore.report import scenario_context

    sc = simcore.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    rows = short_boards_of(sc.model)
    context = scenario_context(sc)["chains"]
    for chain in sc.model.chain_members:
        boards: dict[str, dict] = {}
        for r in rows:
            if chain == "total" or chain in r["chains"]:
                b = boards.setdefault(r["product"], {"product": r["product"], "basic": r["basic"], "reason": r["reason"], "customers": 0})
                b["customers"] += 1
        assert context[chain]["short_boards"] == list(boards.values())
