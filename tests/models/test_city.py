"""The city map (models/city.toml, docs/city.md): its generator is reproducible, the map has the shape the
programme asks for, and each city scenario runs end to end."""

from __future__ import annotations

import importlib.util
import re
from collections import defaultdict
from pathlib import Path

import pytest

import simcore
from simcore.chainmap import load_model
from simcore.chainmap.inspect import short_boards_of
from simcore.portfolios import optimize

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "city.toml"
TABLES = ("products", "recipes", "firms", "links", "demand")
CJK = re.compile(r"[\u4e00-\u9fff]")
FIVE_BASICS = {"basic_component", "core_electronic_component", "basic_material", "basic_process", "industrial_software", "technology_base"}
FOREIGN_ONLY = {"high_end_chip", "photoresist", "eda_software"}


def generator():
    spec = importlib.util.spec_from_file_location("city_generate", ROOT / "models" / "city" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cmap():
    return load_model(MODEL)


def test_the_generator_rewrites_the_shipped_files_byte_for_byte(tmp_path):
    """Regenerated into another folder, every file equals the shipped one (a fixed seed; the project's writer)."""
    out = generator().main(tmp_path / "city.toml")
    assert out.read_bytes() == MODEL.read_bytes()
    for table in TABLES:
        assert (tmp_path / "city" / f"{table}.csv").read_bytes() == (ROOT / "models" / "city" / f"{table}.csv").read_bytes(), table


def test_the_map_has_nine_chains_and_a_city_sized_firm_count(cmap):
    assert len(cmap.info.chains) >= 8 and {"nev", "ice", "moto", "laptop", "ic", "equip", "materials", "pharma", "consumer"} <= set(cmap.info.chains)
    assert 2000 <= len(cmap.firms) <= 5000
    assert cmap.outputs.min() > 0  # every firm has a path to final demand
    products = {p.id: p for p in cmap.products}
    assert all(p.chains and p.price > 0 for p in products.values())
    assert all(p.recipe for p in products.values() if p.category.value not in ("raw_material", "basic_material", "industrial_software", "technology_base"))
    assert FIVE_BASICS <= {p.category.value for p in products.values()}


def test_each_chain_has_one_or_two_chain_masters(cmap):
    """A master's chain is its product's home chain (the first of the product's chains, docs/city.md)."""
    products = {p.id: p for p in cmap.products}
    masters = defaultdict(list)
    for f in cmap.firms:
        if "chain_master" in f.tags:
            masters[products[f.product].chains[0]].append(f.id)
    assert set(masters) == set(cmap.info.chains)
    assert all(1 <= len(ids) <= 2 for ids in masters.values()), dict(masters)


def test_suppliers_are_shared_across_chains(cmap):
    """Many suppliers sell into customers of several chains; the fire scenario's bearing champion into four."""
    products = {p.id: p for p in cmap.products}
    firms = {f.id: f for f in cmap.firms}
    chains_served = defaultdict(set)
    for link in cmap.links:
        chains_served[link.supplier].add(products[firms[link.customer].product].chains[0])
    shared = {s for s, chains in chains_served.items() if len(chains) >= 2}
    assert len(shared) >= 100
    assert {products[firms[s].product].category.value for s in shared} >= {"basic_component", "core_electronic_component", "basic_material", "industrial_software", "technology_base"}
    assert chains_served["bearing_001"] >= {"nev", "ice", "moto", "equip"}


def test_high_end_chips_photoresist_and_eda_come_only_from_abroad(cmap):
    makers = defaultdict(list)
    for f in cmap.firms:
        makers[f.product].append(f)
    for product in FOREIGN_ONLY:
        assert makers[product] and all("foreign" in f.tags and f.region.startswith("overseas_") for f in makers[product]), product
    foreign_only = {r["product"] for r in short_boards_of(cmap) if "foreign-only" in r["reason"]}
    assert FOREIGN_ONLY <= foreign_only


def test_regions_are_districts_provinces_and_overseas(cmap):
    regions = {f.region for f in cmap.firms}
    districts = {r for r in regions if r.startswith("cq_")}
    overseas = {r for r in regions if r.startswith("overseas_")}
    assert len(districts) >= 3 and len(overseas) >= 3 and len(regions - districts - overseas) >= 3


def test_names_are_in_chinese_and_english(cmap):
    for record in [*cmap.products, *cmap.firms]:
        assert CJK.search(record.name) and re.search(r"[A-Za-z]{3}", record.name), record.name


# --- the scenarios, end to end (about 20 s together on two cores) ---------------------------------
def chain_loss(result, variant: str, chain: str = "total") -> float:
    m = result.metrics()
    return float(m[(m.variant == variant) & (m.chain == chain)].loss.iloc[0])


def test_the_city_scenarios_run_end_to_end():
    chips = simcore.run(ROOT / "scenarios" / "city_chip_export_control.toml")
    assert chain_loss(chips, "as-is", "laptop") > 0.1 and chain_loss(chips, "as-is", "nev") > 0.1  # the control stops both
    assert chain_loss(chips, "as-is", "pharma") == 0.0  # and not a chain that uses no high-end chip
    assert chain_loss(chips, "fill short board: stock") < chain_loss(chips, "stabilize chain masters") < chain_loss(chips, "as-is")
    fire = simcore.run(ROOT / "scenarios" / "city_shared_supplier_fire.toml")
    assert sum(chain_loss(fire, "as-is", c) > 0 for c in ("nev", "ice", "moto", "equip")) >= 3  # one supplier, several chains
    assert chain_loss(fire, "three more weeks of bearings") < chain_loss(fire, "as-is")
    lockdown = simcore.run(ROOT / "scenarios" / "city_regional_lockdown.toml")
    assert chain_loss(lockdown, "as-is") > 0.0


def test_the_budget_scenario_optimizes():
    """On 4 replications and a 100 M CNY budget (the shipped run: 1 bn CNY, 30 replications, docs/city.md)."""
    result = optimize(ROOT / "scenarios" / "city_budget.toml", budget=1e8, replications=4, progress=False)
    row = result.row(result.chosen)
    assert 0 < row["cost"] <= 1e8 and row["value_saved"] > 0
