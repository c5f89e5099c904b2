"""Malformed scenarios: every problem names the file, the field path, the value and what was expected,
one line per problem, the problems of the scenario and of its model at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from naive import VALID_MODEL, check, edit, only, problems_of, write_file
from simcore.errors import NO_VALUE, InputError
from simcore import load_scenario
from simcore.scenario.shocks import SHOCK_KINDS

KINDS = "firm_outage, region_outage, embargo, link_disruption, demand_shock, random_outage, lead_time_noise"

SCENARIO = """
[scenario]
name = "bad-input base"
model = "model.toml"
horizon = 60
seed = 3

[[shocks]]
kind = "firm_outage"
start = 5
duration = 10
select = { ids = ["S1"] }
magnitude = 0.5
recovery = { profile = "linear", days = 4 }

[[shocks]]
kind = "region_outage"
start = 8
duration = 3
regions = ["north"]

[[shocks]]
kind = "embargo"
start = 10
duration = 20
products = ["ore"]

[[shocks]]
kind = "link_disruption"
start = 2
duration = 4
links = [{ supplier = "S1", customer = "C" }]
lead_time_factor = 2.5

[[shocks]]
kind = "demand_shock"
start = 1
duration = 5
select = { tags = ["chain_master"] }
factor = 1.5

[[variants]]
name = "as-is"

[[variants]]
name = "more stock"
[variants.parameters]
tau = 3
[[variants.firms]]
select = { regions = ["east"] }
cover = 10
"""


def bad(tmp_path, text: str, model: str | None = VALID_MODEL) -> tuple[InputError, Path]:
    if model is not None:
        write_file(tmp_path, "model.toml", model)
    path = write_file(tmp_path, "scenario.toml", text)
    return problems_of(load_scenario, path), path


def test_the_base_scenario_is_valid(tmp_path):
    write_file(tmp_path, "model.toml", VALID_MODEL)
    sc = load_scenario(write_file(tmp_path, "scenario.toml", SCENARIO))
    assert [v.name for v in sc.variants] == ["as-is", "more stock"]
    assert [s.kind for s in sc.shock_specs] == ["firm_outage", "region_outage", "embargo", "link_disruption", "demand_shock"]
    assert sorted(set(sc.shocks.source.tolist())) == [0, 1, 2, 3, 4]


def test_the_shock_kind_registry_matches_the_message():
    assert ", ".join(SHOCK_KINDS) == KINDS


# --- the model file --------------------------------------------------------------------------


def test_scenario_referring_to_a_missing_model(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'model = "model.toml"', 'model = "models/nope.toml"'), model=None)
    p = check(err, path, "scenario.model", "models/nope.toml", "a model file", "models/nope.toml", "relative to the scenario file's folder")
    assert str(tmp_path / "models" / "nope.toml") in p.expected
    assert len(err.problems) == 1, str(err)


def test_model_problems_are_reported_with_the_scenario_problems(tmp_path):
    """A bad model and a bad scenario field: both files' problems in one error."""
    model = edit(VALID_MODEL, "share = 0.4", "share = 0.3")
    err, path = bad(tmp_path, edit(SCENARIO, "horizon = 60", "horizon = 0"), model=model)
    check(err, path, "scenario.horizon", 0, "a number >= 1")
    check(err, tmp_path / "model.toml", "links[2,3].share", 0.9, "sum to 1")
    assert len(err.problems) == 2, str(err)


def test_toml_syntax_error_in_the_scenario(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, "magnitude = 0.5", "magnitude = "))
    assert len(err.problems) == 1
    assert err.problems[0].file == str(path)
    assert str(err).startswith(f"{path}: not valid TOML: ") and "line 12" in str(err)


# --- shock kinds -------------------------------------------------------------------------------


def test_unknown_shock_kind_lists_the_valid_kinds(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'kind = "region_outage"', 'kind = "quake"'))
    p = check(err, path, "shocks[1].kind", "quake", f"one of {KINDS}")
    assert str(p) == f"{path}: shocks[1].kind: got 'quake'; expected one of {KINDS}"
    assert len(err.problems) == 1, str(err)


def test_missing_shock_kind(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'kind = "region_outage"\n', ""))
    check(err, path, "shocks[1].kind", NO_VALUE, "required field is missing", f"one of {KINDS}")


def test_shock_given_as_a_table_not_an_array(tmp_path):
    text = '[scenario]\nname = "x"\nmodel = "model.toml"\nhorizon = 5\n\n[shocks]\nkind = "embargo"\n'
    err, path = bad(tmp_path, text)
    check(err, path, "shocks", {"kind": "embargo"}, "a list", "[[name]]")


@pytest.mark.parametrize(
    "old, new, field, value, expected",
    [
        ("start = 5", "start = -5", "shocks[0].start", -5, "a number >= 0"),
        ("duration = 10", "duration = 0", "shocks[0].duration", 0, "a number > 0"),
        ("magnitude = 0.5", "magnitude = 1.5", "shocks[0].magnitude", 1.5, "a number <= 1"),
        ("lead_time_factor = 2.5", "lead_time_factor = 0.5", "shocks[3].lead_time_factor", 0.5, "a number > 1"),
        ("factor = 1.5", "factor = -1", "shocks[4].factor", -1, "a number >= 0"),
        ("days = 4", "days = 0", "shocks[0].recovery.days", 0, "a number > 0"),
        ("horizon = 60", "horizon = 60.5", "scenario.horizon", 60.5, "a whole number"),
        ("seed = 3", "seed = -3", "scenario.seed", -3, "a number >= 0"),
        ("tau = 3", "tau = -3", "variants[1].parameters.tau", -3, "a number > 0"),
        ("cover = 10", "cover = -10", "variants[1].firms[0].cover", -10, "a number >= 0"),
    ],
)
def test_bad_numbers(tmp_path, old, new, field, value, expected):
    err, path = bad(tmp_path, edit(SCENARIO, old, new))
    check(err, path, field, value, expected)


def test_nan_duration(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, "duration = 3", "duration = nan"))
    p = only(err, "shocks[1].duration")
    assert p.value != p.value and str(p) == f"{path}: shocks[1].duration: got nan; expected a finite number (not nan or inf)"


def test_unknown_shock_field_lists_the_fields_of_that_kind(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, "magnitude = 0.5", "magnitud = 0.5"))
    check(err, path, "shocks[0].magnitud", NO_VALUE, "unknown field", "name, start, duration, kind, select, magnitude, recovery")


def test_unknown_selector_field(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'select = { ids = ["S1"] }', 'select = { id = ["S1"] }'))
    check(err, path, "shocks[0].select.id", NO_VALUE, "unknown field", "ids, tags, regions, products, chains")


def test_unknown_recovery_profile_and_missing_parameter(tmp_path):
    text = edit(SCENARIO, 'recovery = { profile = "linear", days = 4 }', 'recovery = { profile = "cubic" }')
    text = edit(text, 'regions = ["north"]', 'regions = ["north"]\nrecovery = { profile = "exponential" }')
    err, path = bad(tmp_path, text)
    check(err, path, "shocks[0].recovery.profile", "cubic", "one of step, linear, exponential")
    check(err, path, "shocks[1].recovery.half_life", NO_VALUE, "required field is missing")


def test_link_disruption_without_links(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'links = [{ supplier = "S1", customer = "C" }]\n', ""))
    check(err, path, "shocks[3]", NO_VALUE, "expected a list of `links`, or a `suppliers` and/or `customers` selector")


def test_link_disruption_of_an_unknown_link(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'links = [{ supplier = "S1", customer = "C" }]', 'links = [{ supplier = "C", customer = "S1" }]'))
    check(err, path, "shocks[3].links[0]", "C -> S1", "a link of the model")


def test_region_outage_of_an_unknown_region(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'regions = ["north"]', 'regions = ["north", "mars"]'))
    check(err, path, "shocks[1].regions[1]", "mars", "one of the map's regions: east, north, south")


def test_region_outage_with_no_region(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'regions = ["north"]', "regions = []"))
    check(err, path, "shocks[1].regions", [], "at least 1 item")


def test_embargo_of_an_unknown_product_and_an_embargo_that_closes_nothing(tmp_path):
    text = edit(SCENARIO, 'products = ["ore"]', 'products = ["ore", "chips"]')
    text += '\n[[shocks]]\nkind = "embargo"\nstart = 1\nduration = 1\nproducts = ["good"]\norigin = { regions = ["east"] }\n'
    err, path = bad(tmp_path, text)
    check(err, path, "shocks[2].products[1]", "chips", "the id of a product of the model")
    check(err, path, "shocks[5]", NO_VALUE, "expected an embargo that closes at least one link")


def test_demand_shock_on_firms_without_final_demand(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'select = { tags = ["chain_master"] }', 'select = { products = ["part"] }'))
    check(err, path, "shocks[4].select", {"products": ["part"]}, "a selection that includes a firm with final demand")


# --- selectors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "select, field, value, expected",
    [
        ('{ ids = ["S9"] }', "ids[0]", "S9", "one of the map's ids: C, M, S1, S2"),
        ('{ tags = ["chain_mastr"] }', "tags[0]", "chain_mastr", "one of the map's tags: chain_master, foreign"),
        ('{ regions = "mars" }', "regions[0]", "mars", "one of the map's regions: east, north, south"),
        ('{ products = ["widget"] }', "products[0]", "widget", "one of the map's products: good, ore, part"),
        ('{ chains = ["moto"] }', "chains[0]", "moto", "one of the map's chains: auto"),
    ],
)
def test_selector_naming_unknown_names(tmp_path, select, field, value, expected):
    err, path = bad(tmp_path, edit(SCENARIO, 'select = { ids = ["S1"] }', f"select = {select}"))
    check(err, path, f"shocks[0].select.{field}", value, expected)
    assert len(err.problems) == 1, str(err)  # and not also "matches nothing"


def test_selector_matching_nothing(tmp_path):
    """Fields combine with AND: no firm is both in region north and a maker of good."""
    err, path = bad(tmp_path, edit(SCENARIO, 'select = { ids = ["S1"] }', 'select = { regions = ["north"], products = ["good"] }'))
    check(err, path, "shocks[0].select", {"regions": ["north"], "products": ["good"]}, "a selection that matches at least one firm")


def test_variant_firm_selector_with_unknown_tag(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'select = { regions = ["east"] }', 'select = { tags = ["little_giant"] }'))
    check(err, path, "variants[1].firms[0].select.tags[0]", "little_giant", "one of the map's tags")


def test_default_embargo_origin_needs_foreign_firms(tmp_path):
    err, path = bad(tmp_path, SCENARIO, model=VALID_MODEL.replace('tags = ["foreign"]', 'tags = ["domestic"]'))
    check(err, path, "shocks[2].origin.tags[0]", "foreign", "one of the map's tags")


# --- variants ----------------------------------------------------------------------------------


def test_unknown_policy_kind(tmp_path):
    err, path = bad(tmp_path, SCENARIO + '[[variants.policies]]\nkind = "magic"\n')
    check(err, path, "variants[1].policies[0].kind", "magic", "a known policy")


def test_duplicate_variant_names(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'name = "more stock"', 'name = "as-is"'))
    check(err, path, "variants[1].name", "as-is", "a variant name not used before", "also variants[0]")


def test_unknown_reference_variant(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, "seed = 3", 'seed = 3\nreference_variant = "baseline"'))
    check(err, path, "scenario.reference_variant", "baseline", "the name of a variant (as-is, more stock)")


def test_no_variants(tmp_path):
    text = "variants = []\n" + SCENARIO[: SCENARIO.index("[[variants]]")]
    err, path = bad(tmp_path, text)
    check(err, path, "variants", NO_VALUE, "expected at least one variant")


def test_unknown_parameter_and_bad_rationing_in_a_variant(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, "tau = 3", 'tau = 3\nrationing = "fifo"\nbacklog = 5'))
    check(err, path, "variants[1].parameters.rationing", "fifo", "one of proportional, priority, mixed")
    check(err, path, "variants[1].parameters.backlog", NO_VALUE, "unknown field", "backlog_days")


@pytest.mark.parametrize(
    "text, field, value",
    [
        (edit(SCENARIO, "tau = 3", 'tau = 3\nadaptive_sourcing = "yes"'), "variants[1].parameters.adaptive_sourcing", "yes"),
        (edit(SCENARIO, "tau = 3", "tau = 3\nadaptive_sourcing = 1"), "variants[1].parameters.adaptive_sourcing", 1),
        (SCENARIO + '\n[output]\nplots = "false"\n', "output.plots", "false"),
        (SCENARIO + "\n[output]\nfirm_trajectories = 0\n", "output.firm_trajectories", 0),
    ],
)
def test_booleans_are_true_or_false(tmp_path, text, field, value):
    """Not read into a boolean by guessing: "false" would otherwise switch plots on, and 0 pass for false."""
    err, path = bad(tmp_path, text)
    check(err, path, field, value, "true or false")


def test_bad_output_format(tmp_path):
    err, path = bad(tmp_path, SCENARIO + '\n[output]\nformat = "xls"\n')
    check(err, path, "output.format", "xls", "one of csv, parquet, xlsx (did you mean 'xlsx'?)")


# --- several problems at once ---------------------------------------------------------------------


def test_all_problems_of_a_scenario_are_reported_at_once(tmp_path):
    """Schema errors, unknown names and variant errors of one scenario in one InputError."""
    text = edit(SCENARIO, 'kind = "region_outage"', 'kind = "quake"')  # unknown kind
    text = edit(text, "start = 5", "start = -5")  # a negative number in shock 0
    text = edit(text, 'products = ["ore"]', 'products = ["chips"]')  # an unknown product in shock 2
    text = edit(text, 'select = { tags = ["chain_master"] }', 'select = { tags = ["giant"] }')  # an unknown tag in shock 4
    text = edit(text, 'name = "more stock"', 'name = "as-is"')  # a duplicate variant
    text += '[[variants.policies]]\nkind = "magic"\n'  # an unknown policy
    err, path = bad(tmp_path, text)
    assert [p.field for p in err.problems] == [
        "shocks[0].start",
        "shocks[1].kind",
        "shocks[2].products[0]",
        "shocks[4].select.tags[0]",
        "variants[1].name",
        "variants[1].policies[0].kind",
    ], str(err)
    assert all(p.file == str(path) for p in err.problems)
    assert len(str(err).splitlines()) == 6


def test_empty_model_path(tmp_path):
    err, path = bad(tmp_path, edit(SCENARIO, 'model = "model.toml"', 'model = ""'))
    check(err, path, "scenario.model", "", "a model file")
    assert len(err.problems) == 1, str(err)


def test_shock_problems_and_scenario_table_problems_together(tmp_path):
    """A bad [scenario] table does not hide the shocks' problems against the model."""
    text = edit(SCENARIO, "horizon = 60", 'horizon = "long"')
    text = edit(text, 'regions = ["north"]', 'regions = ["mars"]')
    err, path = bad(tmp_path, text)
    assert [p.field for p in err.problems] == ["scenario.horizon", "shocks[1].regions[0]"], str(err)


def test_variant_cover_by_input_naming_no_input_of_the_selected_firms(tmp_path):
    text = edit(SCENARIO, "cover = 10", "cover = 10\ncover_by_input = { part = 20, ore = 5, chips = 1 }")
    err, path = bad(tmp_path, text)
    check(err, path, "variants[1].firms[0].cover_by_input.ore", "ore", "an input of some selected firm (part)")
    check(err, path, "variants[1].firms[0].cover_by_input.chips", "chips", "the id of a product of the model")
    assert len(err.problems) == 2, str(err)


@pytest.mark.parametrize(
    ("line", "field", "value", "expected"),
    [
        ("unit = 0", "costs.unit", 0, "a number > 0"),
        ("unit = nan", "costs.unit", float("nan"), "a finite number"),
        ("holding_rate = -0.1", "costs.holding_rate", -0.1, "a number >= 0"),
        ('currency = ""', "costs.currency", "", "a non-empty string"),
    ],
)
def test_bad_money_is_one_line_naming_the_field(tmp_path, line, field, value, expected):
    """A `[costs]` block with a unit of 0, a NaN, a negative rate or an empty currency (docs/policies.md, Costs)."""
    err, path = bad(tmp_path, SCENARIO + f"\n[costs]\n{line}\n")
    check(err, path, field, value, expected)


def test_an_unknown_cost_rate_is_named_with_the_known_ones(tmp_path):
    err, path = bad(tmp_path, SCENARIO + "\n[costs]\nholding_cost = 0.2\n")
    check(err, path, "costs.holding_cost", NO_VALUE, "unknown field", "holding_rate")
