"""compile.py: a chain map and a variant as the flat arrays engines see (docs/model.md, docs/engine.md).

Capacity, target inventories and pipelines of a small map (ore from two makers and chips
into boards); the CSR layout of slots, links and suppliers' customer lists; link order.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from naive import build_model, write_file
from simcore.chainmap import load_model
from simcore.core.timing import arrival_tick
from simcore.compile import compile_model
from simcore.scenario.schema import FirmOverride, Selector, Variant
from simcore.core.primitives import CLOSE, DAMAGE, ShockTable

# --- compiled baseline quantities (docs/model.md) --------------------------------------------------

COMPILED = """
[model]
name = "compile check"

[defaults]
cover = 4
headroom = 0.25

[[products]]
id = "ore"
category = "raw_material"

[[products]]
id = "chip"
category = "core_electronic_component"

[[products]]
id = "board"
category = "subassembly"
recipe = { ore = 2, chip = 3 }

[[firms]]
id = "M1"
product = "ore"
region = "north"

[[firms]]
id = "M2"
product = "ore"
region = "south"
headroom = 0.0

[[firms]]
id = "K"
product = "chip"
region = "abroad"
tags = ["foreign"]

[[firms]]
id = "B"
product = "board"
region = "north"
cover = 6
cover_by_input = { chip = 10 }

[[links]]
supplier = "M1"
customer = "B"
share = 0.4
lead_time = 0

[[links]]
supplier = "M2"
customer = "B"
share = 0.6
lead_time = 2.5

[[links]]
supplier = "K"
customer = "B"
lead_time = 3

[[demand]]
firm = "B"
units = 10
"""


@pytest.fixture
def compiled_map(tmp_path):
    return load_model(write_file(tmp_path, "model.toml", COMPILED))


def compile_plain(cmap, variant=None):
    return compile_model(cmap, cmap.parameters, 30, ShockTable.from_rows([]), variant)


def slot(run, firm: int, product: str, cmap) -> int:
    for s in range(run.slot_ptr[firm], run.slot_ptr[firm + 1]):
        if run.slot_product[s] == cmap.product_index[product]:
            return s
    raise KeyError(product)


def test_baseline_of_the_compile_map(compiled_map):
    # B makes 10 boards: 20 ore split 0.4/0.6 over M1/M2, 30 chips from K
    np.testing.assert_allclose(compiled_map.outputs, [8.0, 12.0, 30.0, 10.0])


def test_capacity_is_output_times_one_plus_headroom(compiled_map):
    run = compile_plain(compiled_map)
    np.testing.assert_allclose(run.capacity, [8.0 * 1.25, 12.0 * 1.0, 30.0 * 1.25, 10.0 * 1.25])
    np.testing.assert_array_equal(run.base_output, compiled_map.outputs)


def test_target_is_cover_times_coefficient_times_output(compiled_map):
    run = compile_plain(compiled_map)
    B = compiled_map.firm_index["B"]
    x_B = compiled_map.outputs[B]
    # ore: the firm's cover (6 days); chip: its per-input override (10 days)
    assert run.slot_target[slot(run, B, "ore", compiled_map)] == pytest.approx(6 * 2 * x_B)
    assert run.slot_target[slot(run, B, "chip", compiled_map)] == pytest.approx(10 * 3 * x_B)
    assert run.n_slots == 2  # raw materials and chips have no inputs


def test_pipeline_is_delay_ticks_times_flow_summed_over_links(compiled_map):
    run = compile_plain(compiled_map)
    B = compiled_map.firm_index["B"]
    x_B = compiled_map.outputs[B]
    # delay in ticks is max(1, ceil(lead_time)): 0 -> 1, 2.5 -> 3, 3 -> 3
    assert [arrival_tick(0, L) for L in (0.0, 2.5, 3.0, 0.5, 1.0)] == [1, 3, 3, 1, 1]
    for L in (0.0, 0.3, 1.0, 1.7, 2.0, 4.2):
        assert arrival_tick(0, L) == max(1, math.ceil(L))
    ore_flow = [0.4 * 2 * x_B, 0.6 * 2 * x_B]
    assert run.slot_pipeline[slot(run, B, "ore", compiled_map)] == pytest.approx(1 * ore_flow[0] + 3 * ore_flow[1])
    assert run.slot_pipeline[slot(run, B, "chip", compiled_map)] == pytest.approx(3 * 1.0 * 3 * x_B)
    # link flows are share * a * x of the customer, in compiled order
    flows = {(int(run.link_supplier[k]), int(run.link_customer[k])): run.link_flow[k] for k in range(run.n_links)}
    idx = compiled_map.firm_index
    assert flows[idx["M1"], B] == pytest.approx(ore_flow[0])
    assert flows[idx["M2"], B] == pytest.approx(ore_flow[1])
    assert flows[idx["K"], B] == pytest.approx(30.0)
    # a supplier's output equals the flows it ships plus its final demand
    shipped = np.bincount(run.link_supplier, weights=run.link_flow, minlength=run.n_firms)
    np.testing.assert_allclose(shipped + run.final_demand, run.base_output, rtol=1e-12)


def test_variant_cover_sets_the_general_cover_and_cover_by_input_applies_on_top(compiled_map):
    """A variant's `cover` replaces the firm's general cover; covers set per input (the map's
    `cover_by_input`, 10 days of chips for B) stay, and the override's own `cover_by_input` wins."""
    B = compiled_map.firm_index["B"]
    x_B = compiled_map.outputs[B]
    plain = Variant(name="cover 2", firms=[FirmOverride(select=Selector(ids=["B"]), cover=2)])
    run = compile_plain(compiled_map, plain)
    assert run.slot_target[slot(run, B, "ore", compiled_map)] == pytest.approx(2 * 2 * x_B)
    assert run.slot_target[slot(run, B, "chip", compiled_map)] == pytest.approx(10 * 3 * x_B)
    both = Variant(name="cover 2, chips 20", firms=[FirmOverride(select=Selector(ids=["B"]), cover=2, cover_by_input={"chip": 20})])
    run = compile_plain(compiled_map, both)
    assert run.slot_target[slot(run, B, "ore", compiled_map)] == pytest.approx(2 * 2 * x_B)
    assert run.slot_target[slot(run, B, "chip", compiled_map)] == pytest.approx(20 * 3 * x_B)
    headroom = Variant(name="spare", firms=[FirmOverride(select=Selector(tags=["foreign"]), headroom=1.0)])
    run = compile_plain(compiled_map, headroom)
    assert run.capacity[compiled_map.firm_index["K"]] == pytest.approx(2 * 30.0)


def test_variant_cover_by_input_alone_keeps_the_general_cover(compiled_map):
    B = compiled_map.firm_index["B"]
    x_B = compiled_map.outputs[B]
    chips = Variant(name="chips 20", firms=[FirmOverride(select=Selector(ids=["B"]), cover_by_input={"chip": 20})])
    run = compile_plain(compiled_map, chips)
    assert run.slot_target[slot(run, B, "ore", compiled_map)] == pytest.approx(6 * 2 * x_B)
    assert run.slot_target[slot(run, B, "chip", compiled_map)] == pytest.approx(20 * 3 * x_B)


# --- the CSR layout and the order of links --------------------------------------------------------
# G makes good from 2 part + 1 ore; P makes part from 1 ore; O mines ore. Firms and links are listed in an
# order unlike the compiled one: firms G, P, O; links O->G, P->G, O->P.
def three_firms():
    return build_model(
        [
            {"id": "ore", "category": "raw_material"},
            {"id": "part", "category": "basic_component", "recipe": {"ore": 1.0}},
            {"id": "good", "category": "final_product", "recipe": {"part": 2.0, "ore": 1.0}},
        ],
        [{"id": "G", "product": "good", "region": "r"}, {"id": "P", "product": "part", "region": "r"}, {"id": "O", "product": "ore", "region": "r"}],
        [
            {"supplier": "O", "customer": "G", "lead_time": 0.0},
            {"supplier": "P", "customer": "G", "lead_time": 1.5},
            {"supplier": "O", "customer": "P", "lead_time": 3.0},
        ],
        [{"firm": "G", "units": 10.0}],
        defaults={"cover": 2.0, "headroom": 0.25},
    )


G, P, O = 0, 1, 2
ORE, PART = 0, 1


def test_three_firm_map_baseline():
    cmap = three_firms()
    assert [f.id for f in cmap.firms] == ["G", "P", "O"]
    np.testing.assert_allclose(cmap.outputs, [10.0, 20.0, 30.0])  # P: 2 x 10; O: 10 for G + 20 for P


def test_slots_are_csr_by_firm_in_recipe_order():
    run = compile_plain(three_firms())
    np.testing.assert_array_equal(run.slot_ptr, [0, 2, 3, 3])  # G: part, ore; P: ore; O: none
    np.testing.assert_array_equal(run.slot_product, [PART, ORE, ORE])
    np.testing.assert_array_equal(run.slot_coef, [2.0, 1.0, 1.0])
    np.testing.assert_allclose(run.slot_target, [2 * 2.0 * 10, 2 * 1.0 * 10, 2 * 1.0 * 20], rtol=1e-15)  # cover x coefficient x output
    np.testing.assert_allclose(run.capacity, [12.5, 25.0, 37.5], rtol=1e-15)


def test_links_are_ordered_by_customer_then_slot():
    run = compile_plain(three_firms())
    # compiled: P->G (G's part slot), O->G (G's ore slot), O->P; map positions 1, 0, 2
    np.testing.assert_array_equal(run.link_customer, [G, G, P])
    np.testing.assert_array_equal(run.link_supplier, [P, O, O])
    np.testing.assert_array_equal(run.link_slot, [0, 1, 2])
    np.testing.assert_array_equal(run.link_map_index, [1, 0, 2])
    np.testing.assert_array_equal(run.link_position, [1, 0, 2])  # the inverse: where each map link went
    np.testing.assert_array_equal(run.slot_link_ptr, [0, 1, 2, 3])
    np.testing.assert_array_equal(run.link_lead, [1.5, 0.0, 3.0])
    np.testing.assert_allclose(run.link_flow, [20.0, 10.0, 20.0], rtol=1e-15)  # share x coefficient x customer's output


def test_suppliers_reach_their_customers_links_through_csr():
    run = compile_plain(three_firms())
    np.testing.assert_array_equal(run.out_ptr, [0, 0, 1, 3])  # G ships to no firm, P to one link, O to two
    np.testing.assert_array_equal(run.out_link, [0, 1, 2])
    for k in range(run.n_firms):
        assert all(run.link_supplier[link] == k for link in run.out_link[run.out_ptr[k] : run.out_ptr[k + 1]])


def test_pipeline_is_lead_ticks_times_flow():
    run = compile_plain(three_firms())
    # lead 1.5 -> 2 ticks, 0 -> 1 tick (never the same tick), 3 -> 3 ticks
    np.testing.assert_allclose(run.slot_pipeline, [2 * 20.0, 1 * 10.0, 3 * 20.0], rtol=1e-15)
    assert [arrival_tick(2, L) for L in (0.0, 1.5, 0.5)] == [3, 4, 3]  # from a later tick: the first at or after t + lead, after t


def test_link_shocks_target_the_compiled_position_and_firm_shocks_stay():
    cmap = three_firms()
    rows = [(CLOSE, 0, 1.0, 5.0, 2.0, 0, 0.0, 0), (DAMAGE, O, 0.5, 3.0, 4.0, 0, 0.0, 1)]  # close map link 0 (O->G); damage O
    run = compile_model(cmap, cmap.parameters, 30, ShockTable.from_rows(rows))
    np.testing.assert_array_equal(run.shock_kind, [DAMAGE, CLOSE])  # sorted by start
    np.testing.assert_array_equal(run.shock_target, [O, 1])  # O->G is compiled link 1
    np.testing.assert_array_equal(run.shock_start, [3.0, 5.0])


def test_the_chain_total_weighs_final_demand_firms_by_price():
    run = compile_plain(three_firms())
    assert run.chain_names == ("total",)
    np.testing.assert_array_equal(run.chain_firm, [G])  # only G meets final demand
    np.testing.assert_allclose(run.chain_baseline, run.chain_weight * 10.0, rtol=1e-15)
