"""Bad uncertain parameters and sensitivity requests: one line each naming file, field, value and expectation."""

from __future__ import annotations

import pytest

from naive import check, problems_of
from simcore import load_scenario
from simcore.errors import InputError
from simcore.sensitivity import sensitivity

from .common import VARIANTS, scenario_file


def entry(field: str, value: str = '{ dist = "uniform", low = 1, high = 2 }', extra: str = "") -> str:
    return f'\n[[uncertain]]\nfield = "{field}"\nvalue = {value}\n{extra}\n'


CASES = [
    # (entry, field of the problem, value, phrases of the expectation)
    (entry("coverage"), "uncertain[0].field", "coverage", ["a numeric parameter", "did you mean 'cover'"]),
    (entry("safety_stock.select"), "uncertain[0].field", "safety_stock.select", ["a numeric setting of safety_stock", "extra_cover"]),
    (entry("safety_stock.holding_rate"), "uncertain[0].field", "safety_stock.holding_rate", ["a numeric setting of safety_stock: start, cover, extra_cover"]),
    (entry("dual_sourcing.share"), "uncertain[0].field", "dual_sourcing.share", ["a policy kind some variant or candidate uses", "safety_stock"]),
    (entry("cover", extra='select = { ids = ["X"] }'), "uncertain[0].select.ids[0]", "X", ["one of the map's ids"]),
    (entry("lead_time", extra='select = { ids = ["C"] }'), "uncertain[0]", {"select": {"ids": ["C"]}, "customers": None}, ["at least one link"]),
    (entry("share"), "uncertain[0].field", "share", ["must sum to 1"]),
    (entry("shocks[3].duration"), "uncertain[0].field", "shocks[3].duration", ["the position of a shock (1 of them)"]),
    (entry("shocks[0].factor"), "uncertain[0].field", "shocks[0].factor", ["a numeric field of shocks[0] (firm_outage): start, duration, magnitude"]),
    (entry("shocks[0].recovery.days"), "uncertain[0].field", "shocks[0].recovery.days", ["a shock with a linear recovery (shocks[0] has step)"]),
    (entry("cover", '{ dist = "uniform", low = -1, high = 2 }'), "uncertain[0].value", {"dist": "uniform", "low": -1.0, "high": 2.0}, ["every draw is valid for cover", ">= 0", "could draw -1", "not clipped"]),
    (entry("shocks[0].magnitude", '{ dist = "lognormal", median = 0.5, sigma = 0.2 }'), "uncertain[0].value", {"dist": "lognormal", "median": 0.5, "sigma": 0.2}, ["every draw is valid for shocks[0].magnitude", "<= 1"]),
    (entry("headroom", extra='customers = { ids = ["C"] }'), "uncertain[0].customers", {"ids": ["C"]}, ['only with field = "lead_time"']),
    (entry("cover", '{ dist = "normal", mean = 1 }'), "uncertain[0].value.dist", "normal", []),
    (entry("cover") + entry("cover"), "uncertain[1].name", "cover", ["a name not used by another entry (also uncertain[0])"]),
]


@pytest.mark.parametrize("body, field, value, phrases", CASES, ids=[c[1] + ":" + str(c[2])[:30] for c in CASES])
def test_bad_entry(tmp_path, body, field, value, phrases):
    path = scenario_file(tmp_path, VARIANTS + body)
    err = problems_of(load_scenario, path)
    check(err, path, field, value, *phrases)


def test_an_entry_on_a_field_that_is_already_a_distribution(tmp_path):
    path = scenario_file(tmp_path, VARIANTS + entry("shocks[0].duration"), duration='{ dist = "uniform", low = 5, high = 9 }')
    check(problems_of(load_scenario, path), path, "uncertain[0].field", "shocks[0].duration", "already a distribution")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return load_scenario(scenario_file(tmp_path_factory.mktemp("bad"), VARIANTS + entry("cover", extra='select = { ids = ["C"] }')))


@pytest.mark.parametrize(
    "kwargs, field, value, phrase",
    [
        ({"samples": 8}, "--samples", 8, "at least 16 base samples N, a power of 2"),
        ({"samples": 100}, "--samples", 100, "a power of 2 (the sobol design runs N x (inputs + 2) = N x 3 rows"),
        ({"method": "morris", "samples": 2}, "--samples", 2, "at least 4 trajectories"),
        ({"variant": "stok"}, "--variant", "stok", "did you mean 'stock'"),
        ({"versus": "as-is"}, "--versus", "as-is", "a variant other than --variant"),
        ({"robustness": 1}, "--robustness", 1, "an integer >= 2"),
    ],
)
def test_bad_request(scenario, kwargs, field, value, phrase):
    with pytest.raises(InputError) as info:
        sensitivity(scenario, **kwargs)
    check(info.value, "command line", field, value, phrase)


def test_nothing_uncertain(tmp_path):
    path = scenario_file(tmp_path, VARIANTS + entry("cover", '{ dist = "fixed", value = 2 }'))
    with pytest.raises(InputError) as info:
        sensitivity(path)
    check(info.value, path, "uncertain", ["cover"], "at least one uncertain input that varies")
