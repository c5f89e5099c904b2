"""Bad policies: an unknown kind lists the known ones; bad settings name `variants[k].policies[j].<field>`."""

from __future__ import annotations

from naive import build_scenario, check, problems_of, write_scenario
from simcore.errors import NO_VALUE
from simcore import load_scenario
from simcore.scenario.policies import POLICIES, DualSourcing, SafetyStock, StabilizeChainMaster

from . import test_fill_short_board

MAP = test_fill_short_board.MAP  # chip (one maker M), part (foreign P1, P2), assemblers C (chain master) and C2


def load_bad(tmp_path, policies: str):
    path = write_scenario(tmp_path, MAP, '[[variants]]\nname = "as-is"\n\n[[variants]]\nname = "v"\n' + policies)
    return problems_of(load_scenario, path), path


def test_unknown_kind_lists_the_known_ones(tmp_path):
    err, path = load_bad(tmp_path, '[[variants.policies]]\nkind = "magic"\n')
    check(err, path, "variants[1].policies[0].kind", "magic", "a known policy", ", ".join(sorted(POLICIES)))


def test_bad_settings_name_their_field(tmp_path):
    text = """
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
extra_cover = -1
[[variants.policies]]
kind = "stabilize_chain_master"
extend_to_tiers = 3
recovery_speed = 0
speed = 2
[[variants.policies]]
kind = "dual_sourcing"
share = 1
from = { regions = ["abroad"] }
[[variants.policies]]
kind = "spare_capacity"
select = { ids = ["M"] }
headroom = 0.2
extra_headroom = 0.1
"""
    err, path = load_bad(tmp_path, text)
    check(err, path, "variants[1].policies[0].extra_cover", -1, "a number >= 0")
    check(err, path, "variants[1].policies[1].extend_to_tiers", 3, "a number <= 2")
    check(err, path, "variants[1].policies[1].recovery_speed", 0, "a number > 0")
    check(err, path, "variants[1].policies[1].speed", NO_VALUE, "unknown field", "recovery_speed", "extend_to_tiers")
    check(err, path, "variants[1].policies[2].share", 1, "a number < 1")
    check(err, path, "variants[1].policies[3].extra_headroom", 0.1, "either `headroom` or `extra_headroom`, not both")
    assert len(err.problems) == 6, str(err)


def test_missing_settings(tmp_path):
    text = '[[variants.policies]]\nkind = "safety_stock"\nselect = {}\n[[variants.policies]]\nkind = "spare_capacity"\nextra_headroom = 1\n'
    text += '[[variants.policies]]\nkind = "fill_short_board"\nmode = "capacity"\n[[variants.policies]]\nkind = "fill_short_board"\ntop = 1\n'
    err, path = load_bad(tmp_path, text)
    check(err, path, "variants[1].policies[0]", NO_VALUE, "one of `cover` or `extra_cover`")
    check(err, path, "variants[1].policies[1].select", NO_VALUE, "required field is missing")
    check(err, path, "variants[1].policies[2]", NO_VALUE, "one of `products`", "`top`")
    check(err, path, "variants[1].policies[3].mode", NO_VALUE, "required field is missing")


def test_settings_of_another_mode_are_rejected(tmp_path):
    text = '[[variants.policies]]\nkind = "fill_short_board"\ntop = 1\nmode = "capacity"\nextra_cover = 3\nfrom = { ids = ["P1"] }\n'
    text += '[[variants.policies]]\nkind = "fill_short_board"\ntop = 1\nproducts = ["chip"]\nmode = "safety_stock"\n'
    err, path = load_bad(tmp_path, text)
    check(err, path, "variants[1].policies[0].extra_cover", 3, "no `extra_cover` with mode 'capacity'", "mode 'safety_stock'")
    check(err, path, "variants[1].policies[0].from", NO_VALUE, "no `from` with mode 'capacity'", "mode 'dual_sourcing'")
    check(err, path, "variants[1].policies[1].top", 1, "either `products` or `top`, not both")


def test_names_are_checked_against_the_map(tmp_path):
    text = """
[[variants.policies]]
kind = "safety_stock"
select = { tags = ["giant"] }
extra_cover = 1
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["M"] }
inputs = ["chips", "part"]
extra_cover = 1
[[variants.policies]]
kind = "stabilize_chain_master"
select = { regions = ["mars"] }
[[variants.policies]]
kind = "dual_sourcing"
from = { ids = ["Q"] }
[[variants.policies]]
kind = "fill_short_board"
products = ["good"]
mode = "safety_stock"
"""
    err, path = load_bad(tmp_path, text)
    check(err, path, "variants[1].policies[0].select.tags[0]", "giant", "one of the map's tags")
    check(err, path, "variants[1].policies[1].inputs[0]", "chips", "the id of a product of the model")
    check(err, path, "variants[1].policies[1].inputs[1]", "part", "an input of some selected firm", "they use no inputs")
    check(err, path, "variants[1].policies[2].select.regions[0]", "mars", "one of the map's regions")
    check(err, path, "variants[1].policies[3].from.ids[0]", "Q", "one of the map's ids")
    check(err, path, "variants[1].policies[4].products[0]", "good", "an input of some firm")
    assert len(err.problems) == 6, str(err)


def test_default_chain_master_selector_needs_the_tag(tmp_path):
    model = {**MAP, "firms": [{k: v for k, v in f.items() if k != "tags"} for f in MAP["firms"]]}
    path = write_scenario(tmp_path, model, '[[variants]]\nname = "v"\n[[variants.policies]]\nkind = "stabilize_chain_master"\n')
    check(problems_of(load_scenario, path), path, "variants[0].policies[0].select.tags[0]", "chain_master", "one of the map's tags")


def test_loaded_variants_hold_validated_settings(tmp_path):
    text = '[[variants.policies]]\nkind = "stabilize_chain_master"\n[[variants.policies]]\nkind = " dual_sourcing "\nfrom = { tags = ["foreign"] }\n'
    text += '[[variants.policies]]\nkind = "safety_stock"\nselect = { ids = ["C"] }\ncover = 4\n'
    sc = build_scenario(tmp_path, MAP, '[[variants]]\nname = "v"\n' + text)
    stabilize, dual, stock = sc.variant("v").policies
    assert isinstance(stabilize, StabilizeChainMaster) and stabilize.select.tags == ["chain_master"] and stabilize.priority == 0
    assert isinstance(dual, DualSourcing) and dual.from_.tags == ["foreign"] and dual.share == 0.3
    assert isinstance(stock, SafetyStock) and stock.cover == 4 and stock.extra_cover is None
