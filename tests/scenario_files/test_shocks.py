"""Which primitives each shock kind expands to."""

from naive import build_model
from simcore.scenario.schema import Embargo, Selector
from simcore.core.primitives import CLOSE
from simcore.scenario.shocks import expand_shocks


def wafer_map():
    """A foreign wafer maker supplies a foreign and a domestic chip maker."""
    return build_model(
        [
            {"id": "wafer", "category": "basic_material"},
            {"id": "chip", "category": "core_electronic_component", "recipe": {"wafer": 1.0}},
        ],
        [
            {"id": "W", "product": "wafer", "region": "abroad", "tags": ["foreign"]},
            {"id": "F", "product": "chip", "region": "abroad", "tags": ["foreign"]},
            {"id": "D", "product": "chip", "region": "home"},
        ],
        [{"supplier": "W", "customer": "F"}, {"supplier": "W", "customer": "D"}],
        [{"product": "chip", "units": 10.0}],
    )


def closed_links(cmap, shock):
    table, problems = expand_shocks(cmap, [shock], "s.toml")
    assert problems == []
    assert set(table.kind) == {CLOSE}
    return {(cmap.links[l].supplier, cmap.links[l].customer) for l in table.target}


def test_embargo_stops_exports_not_trade_inside_the_origin():
    shock = Embargo(kind="embargo", products=["wafer"], start=1, duration=5)
    assert closed_links(wafer_map(), shock) == {("W", "D")}


def test_embargo_destination_can_be_chosen():
    shock = Embargo(kind="embargo", products=["wafer"], start=1, duration=5, destination=Selector(regions=["abroad"]))
    assert closed_links(wafer_map(), shock) == {("W", "F")}
