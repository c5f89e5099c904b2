"""Hostile input on the command line: every case exits 2 with one-line errors naming the file and the field,
no traceback, and nothing written (issue 11, item 6).

Each case runs `simcore` in a subprocess, as a user would, on files written
into a fresh folder; the folder's contents are compared before and after.
"""

from __future__ import annotations

import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from naive import ROOT, simcore


MODEL = """\
[model]
name = "serial"

[defaults]
cover = 3
headroom = 0.0

[[products]]
id = "part"
category = "basic_component"

[[products]]
id = "good"
category = "final_product"
recipe = { part = 1 }

[[firms]]
id = "S"
product = "part"
region = "north"

[[firms]]
id = "C"
product = "good"
region = "south"

[[links]]
supplier = "S"
customer = "C"
share = 1
lead_time = 1

[[demand]]
firm = "C"
units = 10
"""

SCENARIO = """\
[scenario]
name = "serial outage"
model = "model.toml"
horizon = 30

[[shocks]]
kind = "firm_outage"
select = { ids = ["S"] }
start = 5
duration = 6
"""




def listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"" for p in sorted(folder.rglob("*"))}


def refused(result: subprocess.CompletedProcess, *phrases: str) -> list[str]:
    """Exit 2, no traceback, every stderr line an `error:` line, and each phrase in the error text."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)
    return lines


def edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "model.toml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    return tmp_path


def check_validate(folder: Path, name: str, text: str | bytes, *phrases: str, named: str | None = None) -> list[str]:
    """Write `name`, run `simcore validate` on it, assert it is refused naming the file (`named`, default `name`)
    and each phrase, and that nothing changed in the folder."""
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    before = listing(folder)
    lines = refused(simcore("validate", name, cwd=folder), f"error: {named or name}: ", *phrases)
    assert listing(folder) == before
    return lines


# --- numbers without an upper bound ------------------------------------------------------


def test_a_lead_time_of_a_billion_days_is_refused_with_the_limit_and_the_memory_it_would_need(folder):
    check_validate(folder, "model.toml", edited(MODEL, "lead_time = 1", "lead_time = 1e9"), "links[0].lead_time", "got 1000000000.0", "<= 3650 days", "8 GiB")


def test_the_longest_allowed_lead_time_is_accepted(folder):
    (folder / "model.toml").write_text(edited(MODEL, "lead_time = 1", "lead_time = 3650"), encoding="utf-8")
    result = simcore("validate", "model.toml", cwd=folder)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("rate", ["1e5", "1e300"])
def test_a_random_outage_rate_that_expects_too_many_events_is_refused(folder, rate):
    shock = f'\n[[shocks]]\nkind = "random_outage"\nrate = {rate}\nduration = 3\n'
    check_validate(folder, "scenario.toml", SCENARIO + shock, "shocks[1].rate", "at most 1,000,000 expected outage events", "x 30 days x 2 firms")


def test_a_lead_time_factor_that_delays_a_shipment_beyond_the_limit_is_refused(folder):
    shock = '\n[[shocks]]\nkind = "link_disruption"\nlinks = [{ supplier = "S", customer = "C" }]\nlead_time_factor = 1e9\nstart = 1\nduration = 3\n'
    check_validate(folder, "scenario.toml", SCENARIO + shock, "shocks[1].lead_time_factor", "<= 3650 days", "link S -> C takes 1 days x 1e+09")


def test_a_final_demand_that_overflows_the_baseline_is_refused(folder):
    check_validate(folder, "model.toml", edited(MODEL, "units = 10", "units = 1e308"), "demand:", "at most 1e+18 units a day", "firm 'S' would make 1e+308")


def test_too_many_replications_are_refused_before_anything_is_written(folder):
    before = listing(folder)
    refused(simcore("run", "scenario.toml", "--replications", "1e12", "--out", "batch", cwd=folder), "--replications", "got 1000000000000", "at most 1,000,000", "TiB")
    assert listing(folder) == before


def test_a_stress_horizon_of_a_billion_days_is_refused_before_anything_is_written(folder):
    before = listing(folder)
    refused(simcore("stress", "model.toml", "--horizon", "1e9", "--out", "stress", cwd=folder), "--horizon", "got 1000000000", "from 1 to 100,000")
    assert listing(folder) == before


def test_a_scenario_horizon_beyond_the_limit_is_refused(folder):
    check_validate(folder, "scenario.toml", edited(SCENARIO, "horizon = 30", "horizon = 1000000000"), "scenario.horizon", "<= 100000")


# --- long error lists ---------------------------------------------------------------------


def test_a_table_with_a_thousand_bad_rows_prints_twenty_problems_and_a_count(folder):
    model = edited(MODEL, '[[links]]\nsupplier = "S"\ncustomer = "C"\nshare = 1\nlead_time = 1\n', "")
    model = edited(model, "[defaults]", '[tables]\nlinks = "links.csv"\n\n[defaults]')
    (folder / "links.csv").write_text("supplier,customer,share\n" + "S,C,two\n" * 1000, encoding="utf-8")
    lines = check_validate(folder, "model.toml", model, "links.csv: links[0] (line 2).share: got 'two'", named="links.csv")
    assert len(lines) == 21, lines[-3:]
    assert lines[-1].startswith("error: ... and 980 more problems"), lines[-1]  # 1000 bad shares, 20 shown
    assert "more problems in links.csv" in lines[-1]


# --- file formats -------------------------------------------------------------------------


def test_a_toml_file_with_a_byte_order_mark_is_read(folder):
    (folder / "model.toml").write_bytes(b"\xef\xbb\xbf" + MODEL.encode("utf-8"))
    result = simcore("validate", "model.toml", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "valid model 'serial'" in result.stdout


def links_table(folder: Path, csv_text: str) -> str:
    (folder / "links.csv").write_text(csv_text, encoding="utf-8")
    model = edited(MODEL, '[[links]]\nsupplier = "S"\ncustomer = "C"\nshare = 1\nlead_time = 1\n', "")
    return edited(model, "[defaults]", '[tables]\nlinks = "links.csv"\n\n[defaults]')


def test_a_csv_table_with_a_byte_order_mark_is_read_and_its_cells_parsed_as_numbers(folder):
    (folder / "model.toml").write_text(links_table(folder, "\ufeffsupplier,customer,share,lead_time\nS,C,1.0,2.5\n"), encoding="utf-8")
    result = simcore("validate", "model.toml", cwd=folder)
    assert result.returncode == 0, result.stderr


def test_a_csv_column_named_twice_is_an_error_naming_the_file_and_column(folder):
    model = links_table(folder, "supplier,customer,share,share\nS,C,1,0.5\n")
    check_validate(folder, "model.toml", model, "links.csv: links (line 1).share: expected each column once (columns 3 and 4", named="links.csv")


def test_an_unclosed_quote_is_reported_at_the_line_it_opens(folder):
    model = links_table(folder, 'supplier,customer,share\nS,C,1\n"S,C,1\nS,C,1\nS,C,1\n')
    lines = check_validate(folder, "model.toml", model, "links.csv: links (line 3): expected a closing quote", named="links.csv")
    assert not any("line 1)" in line for line in lines), lines


def test_a_header_only_csv_table_is_reported_on_that_table(folder):
    model = links_table(folder, "supplier,customer,share\n")
    check_validate(folder, "model.toml", model, "links.csv: links (line 2): expected at least one row below the header", named="links.csv")


def test_an_empty_file_is_refused(folder):
    check_validate(folder, "empty.toml", b"", "a model file (with a [model] table) or a scenario file")


def test_binary_junk_is_refused(folder):
    check_validate(folder, "junk.toml", bytes(range(256)) * 4, "not UTF-8 text")


def test_a_folder_passed_as_a_file_is_refused(folder):
    (folder / "models.toml").mkdir()
    refused(simcore("validate", "models.toml", cwd=folder), "models.toml: a TOML file, not a folder")
    refused(simcore("run", "models.toml", "--out", "out", cwd=folder), "models.toml: a TOML file, not a folder")
    assert not (folder / "out").exists()


def test_a_deeply_nested_toml_file_is_refused(folder):
    deep = MODEL + "\n[extra]\nx = " + "[" * 5000 + "]" * 5000 + "\n"
    check_validate(folder, "model.toml", deep, "nested too deeply; expected at most 32 levels")
    shallow_but_deep = MODEL + "\n[extra]\nx = " + "[" * 40 + "]" * 40 + "\n"
    check_validate(folder, "model.toml", shallow_but_deep, "extra.x[0][0]", "nested too deeply")


def test_unicode_names_are_ids_like_any_other(folder):
    text = MODEL.replace('"S"', '"Zulieferer_äöü_工厂"')
    (folder / "model.toml").write_text(text, encoding="utf-8")
    assert simcore("validate", "model.toml", cwd=folder).returncode == 0
    wrong = text.replace('supplier = "Zulieferer_äöü_工厂"', 'supplier = "Zulieferer_aou_工厂"')
    check_validate(folder, "model.toml", wrong, "links[0].supplier: got 'Zulieferer_aou_工厂'", "did you mean 'Zulieferer_äöü_工厂'?")


# --- types: in TOML a number is a number ----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("share = 1", 'share = "0.5"', "links[0].share: got '0.5'", "expected a number"),
        ("units = 10", "units = true", "demand[0].units: got True", "expected a number"),
        ("lead_time = 1\n", "lead_time = 1\npriority = true\n", "links[0].priority: got True", "expected a whole number"),
        ("lead_time = 1", "lead_time = nan", "links[0].lead_time: got nan", "a finite number"),
        ("lead_time = 1", "lead_time = inf", "links[0].lead_time: got inf", "a finite number"),
        ("share = 1", "share = -0.0", "links[0].share: got -0.0", "a number > 0"),
        ("share = 1", "share = 1979-05-27", "links[0].share: got '1979-05-27'", "expected a number"),
        ('region = "north"', "region = 7", "firms[0].region: got 7", "a string"),
    ],
)
def test_model_fields_must_have_their_toml_type(folder, old, new, field, expected):
    check_validate(folder, "model.toml", edited(MODEL, old, new), field, expected)


def test_negative_zero_is_zero_where_zero_is_allowed(folder):
    (folder / "model.toml").write_text(edited(MODEL, "headroom = 0.0", "headroom = -0.0"), encoding="utf-8")
    assert simcore("validate", "model.toml", cwd=folder).returncode == 0


def test_a_horizon_of_true_is_not_one_day(folder):
    check_validate(folder, "scenario.toml", edited(SCENARIO, "horizon = 30", "horizon = true"), "scenario.horizon: got True", "expected a whole number")


def test_a_policy_switch_must_be_true_or_false(folder):
    policy = '\n[[variants]]\nname = "master"\n[[variants.policies]]\nkind = "stabilize_chain_master"\nselect = { ids = ["S"] }\nset_rationing = 1\n'
    check_validate(folder, "scenario.toml", SCENARIO + policy, "variants[0].policies[0].set_rationing: got 1", "true or false")


# --- names: did you mean, every mistake, long lists -------------------------------------------


def test_an_unknown_field_gets_the_closest_name(folder):
    check_validate(folder, "model.toml", edited(MODEL, "lead_time = 1", "leadtime = 1"), "links[0].leadtime: unknown field", "(did you mean 'lead_time'?)")


def test_a_record_with_two_mistakes_reports_both(folder):
    lines = check_validate(folder, "model.toml", edited(edited(MODEL, "share = 1", "share = 2"), 'customer = "C"', 'customer = "CC"'), "links[0].share: got 2")
    assert any("links[0].customer: got 'CC'; expected the id of a firm of this map (did you mean 'C'?)" in line for line in lines), lines


def test_an_unknown_kind_and_variant_get_the_closest_name(folder):
    text = edited(SCENARIO, 'kind = "firm_outage"', 'kind = "firm_outtage"')
    text = edited(text, "horizon = 30\n", 'horizon = 30\nreference_variant = "as-iss"\n')
    lines = check_validate(folder, "scenario.toml", text, "shocks[0].kind: got 'firm_outtage'", "(did you mean 'firm_outage'?)")
    assert any("scenario.reference_variant: got 'as-iss'" in line and "(did you mean 'as-is'?)" in line for line in lines), lines


def test_a_long_list_of_ids_is_given_as_its_count_and_the_closest(folder):
    firms = "".join(f'\n[[firms]]\nid = "S{k:02d}"\nproduct = "part"\nregion = "north"\n' for k in range(30))
    links = "".join(f'\n[[links]]\nsupplier = "S{k:02d}"\ncustomer = "C"\nshare = {1 / 30!r}\n' for k in range(30))
    model = edited(MODEL, '[[links]]\nsupplier = "S"\ncustomer = "C"\nshare = 1\nlead_time = 1\n', "")
    model = edited(model, '[[firms]]\nid = "S"\nproduct = "part"\nregion = "north"\n', "") + firms + links
    (folder / "model.toml").write_text(model, encoding="utf-8")
    assert simcore("validate", "model.toml", cwd=folder).returncode == 0, simcore("validate", "model.toml", cwd=folder).stderr
    text = edited(SCENARIO, 'select = { ids = ["S"] }', 'select = { ids = ["S7"] }')
    lines = check_validate(folder, "scenario.toml", text, "shocks[0].select.ids[0]: got 'S7'", "31 of them; the closest are S07, S17, S27,")
    assert not any("..." in line for line in lines), lines


# --- paths --------------------------------------------------------------------------------


def test_a_model_path_with_dotdot_names_the_scenario_file_and_the_folder_looked_in(folder):
    (folder / "sub").mkdir()
    text = edited(SCENARIO, 'model = "model.toml"', 'model = "../missing/model.toml"')
    check_validate(folder, "sub/scenario.toml", text, "sub/scenario.toml: scenario.model: got '../missing/model.toml'", "looked for missing/model.toml")


def test_a_model_path_that_is_a_folder_says_so(folder):
    (folder / "sub").mkdir()
    text = edited(SCENARIO, 'model = "model.toml"', 'model = ".."')
    check_validate(folder, "sub/scenario.toml", text, "scenario.model: got '..'", "which is a folder")


def test_problems_of_a_model_reached_through_dotdot_name_the_model_file(folder):
    (folder / "sub").mkdir()
    (folder / "model.toml").write_text(edited(MODEL, "share = 1", 'share = "1"'), encoding="utf-8")
    text = edited(SCENARIO, 'model = "model.toml"', 'model = "../model.toml"')
    (folder / "sub" / "scenario.toml").write_text(text, encoding="utf-8")
    refused(simcore("validate", "sub/scenario.toml", cwd=folder), "error: model.toml: links[0].share: got '1'")


# --- the command itself ---------------------------------------------------------------------


def test_version():
    result = simcore("--version", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"simcore {version('simcore')}"


def test_a_run_refused_for_its_shocks_writes_nothing(folder):
    shock = '\n[[shocks]]\nkind = "random_outage"\nrate = 1e5\nduration = 3\n'
    (folder / "scenario.toml").write_text(SCENARIO + shock, encoding="utf-8")
    before = listing(folder)
    refused(simcore("run", "scenario.toml", "--out", "out", "--no-plots", cwd=folder), "scenario.toml: shocks[1].rate")
    refused(simcore("run", "scenario.toml", "--out", "batch", "--replications", "10", cwd=folder), "scenario.toml: shocks[1].rate")
    assert listing(folder) == before


def test_a_graphml_lead_time_of_nan_is_an_error_naming_the_edge(folder):
    nx = pytest.importorskip("networkx")
    g = nx.DiGraph()
    g.add_node("S", product="part", region="north")
    g.add_node("C", product="good", region="south", demand=10.0)
    g.add_edge("S", "C", lead_time=float("nan"))
    nx.write_graphml(g, folder / "chain.graphml")
    before = listing(folder)
    refused(simcore("import", "csv", "chain.graphml", "imported.toml", cwd=folder), "chain.graphml: edges[0] (S -> C).lead_time: got nan", "not NaN")
    assert listing(folder) == before


def test_the_documented_pymrio_test_import_works(folder):
    pytest.importorskip("pymrio")
    result = simcore("import", "io", "pymrio:test", "mrio.toml", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "loads, baseline solved" in result.stdout
    assert (folder / "mrio.toml").is_file()


def test_an_integer_option_written_as_a_fraction_is_a_usage_error(folder):
    result = simcore("run", "scenario.toml", "--replications", "2.5", cwd=folder)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--replications: got '2.5'; expected a whole number" in result.stderr
    assert not (folder / "runs").exists()
