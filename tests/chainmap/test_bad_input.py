"""Malformed chain maps: every problem names the file, the field path, the value and what was expected,
one line per problem, all problems of a load at once."""

from __future__ import annotations

import pytest

from naive import VALID_MODEL, check, edit, only, problems_of, write_file
from simcore.chainmap import load_model
from simcore.errors import NO_VALUE, InputError


def bad(tmp_path, text: str, name: str = "model.toml") -> tuple[InputError, object]:
    path = write_file(tmp_path, name, text)
    return problems_of(load_model, path), path


def test_the_base_map_is_valid(tmp_path):
    cmap = load_model(write_file(tmp_path, "model.toml", VALID_MODEL))
    assert [f.id for f in cmap.firms] == ["M", "S1", "S2", "C"]
    assert cmap.outputs.tolist() == pytest.approx([20.0, 6.0, 4.0, 10.0])


# --- file level -------------------------------------------------------------------------------


def test_missing_model_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    err = problems_of(load_model, path)
    assert len(err.problems) == 1
    p = err.problems[0]
    assert p.file == str(path) and p.value is NO_VALUE
    assert str(p) == f"{path}: file not found"


def test_toml_syntax_error_names_file_and_line(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'region = "south"', 'region = "south'))
    assert len(err.problems) == 1
    p = err.problems[0]
    assert p.file == str(path)
    line = VALID_MODEL.lstrip("\n").split("\n").index('region = "south"') + 1
    assert "not valid TOML" in p.expected and f"line {line}," in p.expected
    assert str(err).startswith(f"{path}: not valid TOML")


def test_table_instead_of_table_array(tmp_path):
    text = edit(VALID_MODEL, '[[demand]]\nfirm = "C"', '[demand]\nfirm = "C"')
    err, path = bad(tmp_path, text)
    check(err, path, "demand", {"firm": "C", "units": 10}, "a list", "[[name]]")
    assert len(err.problems) == 1, str(err)  # not also "at least one final demand entry"


# --- record fields --------------------------------------------------------------------------


def test_unknown_field_typo_lists_the_known_fields(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, "lead_time = 2", "leadtime = 2"))
    p = check(err, path, "links[1].leadtime", NO_VALUE, "unknown field", "supplier, customer, share, lead_time, priority")
    assert str(p) == f"{path}: links[1].leadtime: unknown field; expected one of supplier, customer, share, lead_time, priority (did you mean 'lead_time'?)"


def test_unknown_top_level_table(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, "[defaults]", "[defualts]"))
    check(err, path, "defualts", NO_VALUE, "unknown field", "defaults", "parameters", "tables")


def test_unknown_category_lists_the_categories(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'category = "basic_component"', 'category = "basic_componnt"'))
    check(err, path, "products[1].category", "basic_componnt", "one of raw_material, basic_material, basic_component", "final_product, technology_base, service")


@pytest.mark.parametrize(
    "old, new, field, value, expected",
    [
        ("share = 0.6", "share = -0.6", "links[2].share", -0.6, "a number > 0"),
        ("share = 0.6", "share = 1.6", "links[2].share", 1.6, "a number <= 1"),
        ("lead_time = 2", "lead_time = -2", "links[1].lead_time", -2, "a number >= 0"),
        ("units = 10", "units = -10", "demand[0].units", -10, "a number >= 0"),
        ("cover = 5", "cover = -5", "defaults.cover", -5, "a number >= 0"),
        ("recipe = { ore = 2 }", "recipe = { ore = -2 }", "products[1].recipe.ore", -2, "a number > 0"),
        ("recipe = { ore = 2 }", "recipe = { ore = 0 }", "products[1].recipe.ore", 0, "a number > 0"),
        ('region = "south"', 'region = "south"\nheadroom = -0.5', "firms[1].headroom", -0.5, "a number >= 0"),
        ('region = "south"', 'region = "south"\npriority = 12', "firms[1].priority", 12, "a number <= 9"),
        ("[defaults]", "[parameters]\ntau = 0\n\n[defaults]", "parameters.tau", 0, "a number > 0"),
        ("[defaults]", "[parameters]\ntau = 0.5\n\n[defaults]", "parameters.tau", 0.5, "at least 1 day on this map"),
        ("recipe = { ore = 2 }", 'recipe = { ore = 2 }\nnecessity = { ore = "vital" }', "products[1].necessity.ore", "vital", "one of critical, important, noncritical"),
        ("recipe = { ore = 2 }", 'recipe = { ore = 2 }\nnecessity = { part = "important" }', "products[1].necessity.part", "part", "an input of the recipe of 'part' (ore)"),
    ],
)
def test_negative_and_out_of_range_numbers(tmp_path, old, new, field, value, expected):
    err, path = bad(tmp_path, edit(VALID_MODEL, old, new))
    check(err, path, field, value, expected)


@pytest.mark.parametrize(
    "old, new, field",
    [
        ('region = "south"', 'region = "south"\ncover = nan', "firms[1].cover"),
        ("cover = 5", "cover = nan", "defaults.cover"),
        ("share = 0.6", "share = nan", "links[2].share"),
        ("units = 10", "units = inf", "demand[0].units"),
    ],
)
def test_nan_and_inf_numbers(tmp_path, old, new, field):
    err, path = bad(tmp_path, edit(VALID_MODEL, old, new))
    p = only(err, field)
    assert p.file == str(path)
    assert p.value != p.value or p.value == float("inf")
    assert "a finite number (not nan or inf)" in str(p)
    assert str(p).startswith(f"{path}: {field}: got {p.value!r}; expected a finite number")


def test_wrong_types(tmp_path):
    text = edit(VALID_MODEL, 'tags = ["foreign"]', 'tags = "foreign"')
    text = edit(text, "share = 0.6", 'share = "most"')
    err, path = bad(tmp_path, text)
    check(err, path, "firms[0].tags", "foreign", "a list")
    check(err, path, "links[2].share", "most", "a number")


def test_missing_required_fields(tmp_path):
    text = edit(VALID_MODEL, 'id = "S2"\nproduct = "part"\n', 'id = "S2"\n')
    text = edit(text, 'name = "bad-input base"\n', "")
    err, path = bad(tmp_path, text)
    check(err, path, "firms[2].product", NO_VALUE, "required field is missing")
    check(err, path, "model.name", NO_VALUE, "required field is missing")


def test_empty_recipe_key(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, "recipe = { ore = 2 }", 'recipe = { "" = 2 }'))
    check(err, path, "products[1].recipe", "", "a key that is a non-empty string")


# --- ids and references -----------------------------------------------------------------------


def test_duplicate_ids(tmp_path):
    text = edit(VALID_MODEL, 'id = "S2"', 'id = "S1"')
    text = edit(text, 'id = "good"', 'id = "part"')
    err, path = bad(tmp_path, text)
    check(err, path, "firms[2].id", "S1", "a firm id not used before")
    check(err, path, "products[2].id", "part", "a product id not used before")


def test_unknown_firm_in_link(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'supplier = "S2"', 'supplier = "S9"'))
    p = check(err, path, "links[3].supplier", "S9", "the id of a firm of this map")
    assert str(p) == f"{path}: links[3].supplier: got 'S9'; expected the id of a firm of this map"
    # the share check of C's suppliers of `part` is not run on a half-known set of links
    assert not any(p.field.endswith(".share") for p in err.problems), str(err)


def test_unknown_product_of_a_firm(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'product = "good"', 'product = "goods"'))
    check(err, path, "firms[3].product", "goods", "the id of a product of this map")


def test_unknown_product_in_a_recipe(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, "recipe = { part = 1 }", "recipe = { part = 1, paint = 0.1 }"))
    check(err, path, "products[2].recipe.paint", "paint", "an input that is the id of a product of this map")


def test_recipe_product_with_no_supplier(tmp_path):
    """`paint` is a product, in the recipe of `good`, but no firm supplies it to C."""
    text = edit(VALID_MODEL, "recipe = { part = 1 }", "recipe = { part = 1, paint = 0.1 }")
    text += '\n[[products]]\nid = "paint"\ncategory = "basic_material"\n'
    err, path = bad(tmp_path, text)
    check(err, path, "firms[3].product", "good", "a supplier link for input 'paint' of 'good'", "'C' has none")
    assert len(err.problems) == 1, str(err)


def test_link_whose_supplier_makes_what_the_customer_does_not_use(tmp_path):
    text = edit(VALID_MODEL, '[[links]]\nsupplier = "S1"', '[[links]]\nsupplier = "M"\ncustomer = "C"\n\n[[links]]\nsupplier = "S1"')
    err, path = bad(tmp_path, text)
    check(err, path, "links[2].supplier", "M", "a supplier of an input of 'good'", "it makes 'ore'")


def test_duplicate_link(tmp_path):
    text = VALID_MODEL + '\n[[links]]\nsupplier = "M"\ncustomer = "S1"\n'
    err, path = bad(tmp_path, text)
    check(err, path, "links[4]", "M -> S1", "one link per supplier and customer", "also links[0]")


def test_shares_not_summing_to_one(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, "share = 0.4", "share = 0.3"))
    p = check(err, path, "links[2,3].share", 0.9, "shares of firm 'C' suppliers of 'part' to sum to 1")
    assert str(p) == f"{path}: links[2,3].share: got 0.9; expected shares of firm 'C' suppliers of 'part' to sum to 1"


def test_cover_by_input_for_a_product_that_is_no_input(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'tags = ["chain_master"]', 'tags = ["chain_master"]\ncover_by_input = { ore = 3 }'))
    check(err, path, "firms[3].cover_by_input.ore", "ore", "an input of product 'good' (part)")


def test_undeclared_chain(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'chains = ["auto"]\n\n[[firms]]', 'chains = ["moto"]\n\n[[firms]]'))
    check(err, path, "products[2].chains", "moto", "a chain declared in model.chains (auto)")


# --- final demand -----------------------------------------------------------------------------


def test_demand_on_unknown_firm(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'firm = "C"', 'firm = "CC"'))
    check(err, path, "demand[0].firm", "CC", "the id of a firm of this map")


def test_demand_on_unknown_product_and_on_a_product_nobody_makes(tmp_path):
    text = VALID_MODEL + '\n[[products]]\nid = "spare"\ncategory = "final_product"\n'
    text += '\n[[demand]]\nproduct = "gizmo"\nunits = 1\n\n[[demand]]\nproduct = "spare"\nunits = 1\n'
    err, path = bad(tmp_path, text)
    check(err, path, "demand[1].product", "gizmo", "the id of a product of this map")
    check(err, path, "demand[2].product", "spare", "a product that some firm makes")


def test_demand_needs_exactly_one_of_firm_or_product(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, 'firm = "C"', 'firm = "C"\nproduct = "good"'))
    check(err, path, "demand[0]", {"firm": "C", "product": "good", "units": 10.0}, "exactly one of `firm` or `product`")


def test_no_final_demand(tmp_path):
    err, path = bad(tmp_path, edit(VALID_MODEL, '[[demand]]\nfirm = "C"\nunits = 10\n', ""))
    check(err, path, "demand", NO_VALUE, "at least one final demand entry")


# --- whole-map properties -----------------------------------------------------------------------

LOOP = """
[model]
name = "loop"

[[products]]
id = "a"
category = "basic_material"
recipe = {{ b = {ab} }}

[[products]]
id = "b"
category = "basic_material"
recipe = {{ a = {ba} }}

[[firms]]
id = "A"
product = "a"
region = "r"

[[firms]]
id = "B"
product = "b"
region = "r"

[[links]]
supplier = "B"
customer = "A"

[[links]]
supplier = "A"
customer = "B"

[[demand]]
firm = "A"
units = 10

[[demand]]
firm = "B"
units = 5
"""


def test_non_productive_map(tmp_path):
    """A uses 1 unit of B and B uses 1.5 units of A: spectral radius sqrt(1.5) > 1, though both have final demand."""
    err, path = bad(tmp_path, LOOP.format(ab=1, ba=1.5))
    assert len(err.problems) == 1
    p = check(err, path, "links[0,1]", NO_VALUE, "not a productive map", "firms A, B", "spectral radius 1.225", "expected below 1")
    assert str(p).startswith(f"{path}: links[0,1]: not a productive map")


def test_map_at_the_edge_of_productivity_is_rejected(tmp_path):
    """Spectral radius exactly 1: (I - M) is singular."""
    err, path = bad(tmp_path, LOOP.format(ab=1, ba=1))
    check(err, path, "links[0,1]", NO_VALUE, "not a productive map", "spectral radius 1;")


def test_productive_loop_loads(tmp_path):
    cmap = load_model(write_file(tmp_path, "model.toml", LOOP.format(ab=0.5, ba=0.5)))
    # x_A = 10 + 0.5 x_B, x_B = 5 + 0.5 x_A  ->  x_A = 50/3, x_B = 40/3
    assert cmap.outputs.tolist() == pytest.approx([50 / 3, 40 / 3], rel=1e-12)


def test_firm_with_no_path_to_final_demand(tmp_path):
    """A third maker of `part` that nobody buys from has baseline output 0."""
    text = VALID_MODEL + '\n[[firms]]\nid = "S3"\nproduct = "part"\nregion = "west"\n'
    text += '\n[[links]]\nsupplier = "M"\ncustomer = "S3"\n'
    err, path = bad(tmp_path, text)
    check(err, path, "firms[4].id", "S3", "a firm with a supply path to final demand", "baseline output is 0")
    assert len(err.problems) == 1, str(err)


# --- several problems at once ---------------------------------------------------------------------


def test_all_problems_of_a_file_are_reported_at_once(tmp_path):
    """Field errors, unknown ids and share sums of one file come in one InputError, not one per run."""
    text = edit(VALID_MODEL, "cover = 5", "cover = -5")  # a bad default
    text = edit(text, "lead_time = 2", "leadtime = 2")  # a typo
    text = edit(text, 'category = "final_product"', 'category = "final"')  # an unknown category
    text = edit(text, 'supplier = "S1"', 'supplier = "S7"')  # an unknown firm
    text = edit(text, "units = 10", "units = -1")  # a negative number
    text += '\n[[demand]]\nfirm = "Q"\nunits = 1\n'  # demand on an unknown firm
    err, path = bad(tmp_path, text)
    fields = {p.field for p in err.problems}
    assert fields == {
        "defaults.cover",
        "links[1].leadtime",
        "products[2].category",
        "links[2].supplier",
        "demand[0].units",
        "demand[1].firm",
    }, str(err)
    assert all(p.file == str(path) for p in err.problems)
    assert len(str(err).splitlines()) == 6


def test_references_to_a_broken_record_are_not_reported_twice(tmp_path):
    """S1 has a bad headroom: links to it are not also reported as naming an unknown firm."""
    err, path = bad(tmp_path, edit(VALID_MODEL, 'region = "south"', 'region = "south"\nheadroom = -1'))
    assert [p.field for p in err.problems] == ["firms[1].headroom"], str(err)


# --- CSV tables -------------------------------------------------------------------------------------

CSV_MODEL = """
[model]
name = "csv map"

[defaults]
cover = 4

[tables]
products = "tables/products.csv"
recipes = "tables/recipes.csv"
firms = "tables/firms.csv"
links = "tables/links.csv"
demand = "tables/demand.csv"
"""

CSV_TABLES = {
    "tables/products.csv": "id,name,category,chains,price\n"
    "ore,Ore,raw_material,,\npart,Part,basic_component,auto;moto,2.5\ngood,Good,final_product,auto,\n",
    "tables/recipes.csv": "product,input,units\npart,ore,2\ngood,part,1\n",
    "tables/firms.csv": "id,name,product,region,tags,cover,cover_by_input\n"
    "M,Mine,ore,north,foreign;little_giant,,\nS,Smelter,part,south,,,ore=3\nC,Car maker,good,east,chain_master,6,part=2\n",
    "tables/links.csv": "supplier,customer,share,lead_time\nM,S,1,1\nS,C,1,0.5\n",
    "tables/demand.csv": "firm,product,units\n,good,10\n",
}


def write_csv_model(tmp_path, **changes):
    """The CSV map, with `changes` (relative path -> new text, or None to leave the file out)."""
    tables = {**CSV_TABLES, **{k.replace("__", "/").replace("_csv", ".csv"): v for k, v in changes.items()}}
    for rel, text in tables.items():
        if text is not None:
            write_file(tmp_path, rel, text)
    return write_file(tmp_path, "model.toml", CSV_MODEL)


def test_the_csv_map_is_valid(tmp_path):
    cmap = load_model(write_csv_model(tmp_path))
    assert [f.id for f in cmap.firms] == ["M", "S", "C"]
    assert cmap.firms[0].tags == ["foreign", "little_giant"]
    assert cmap.firms[1].cover_by_input == {"ore": 3.0}
    assert cmap.products[1].chains == ["auto", "moto"]
    assert cmap.products[cmap.product_index["good"]].recipe == {"part": 1.0}
    assert cmap.outputs.tolist() == pytest.approx([20.0, 10.0, 10.0])


def test_bad_number_in_a_links_csv_row_names_the_csv_file_and_line(tmp_path):
    path = write_csv_model(tmp_path, tables__links_csv="supplier,customer,share,lead_time\nM,S,1,1\nS,C,one,0.5\n")
    err = problems_of(load_model, path)
    csv = tmp_path / "tables" / "links.csv"
    p = check(err, csv, "links[1] (line 3).share", "one", "a number")
    assert str(p) == f"{csv}: links[1] (line 3).share: got 'one'; expected a number"


def test_csv_line_numbers_count_blank_lines_and_multiline_cells(tmp_path):
    firms = 'id,name,product,region\nM,"Mine,\nnorth pit",ore,north\n\nS,Smelter,part,south\nC,Car maker,good,east,\n'
    links = "supplier,customer,share,lead_time\nM,S,1,1\n\n\nS,C,1,-0.5\n"
    path = write_csv_model(tmp_path, tables__firms_csv=firms, tables__links_csv=links)
    err = problems_of(load_model, path)
    check(err, tmp_path / "tables" / "links.csv", "links[1] (line 5).lead_time", "-0.5", "a number >= 0")
    check(err, tmp_path / "tables" / "firms.csv", "firms[2] (line 6)", [""], "no more cells than header columns")


def test_csv_reference_errors_name_the_csv_row(tmp_path):
    path = write_csv_model(tmp_path, tables__links_csv="supplier,customer,share,lead_time\nM,S,1,1\nX,C,1,0.5\n")
    err = problems_of(load_model, path)
    check(err, tmp_path / "tables" / "links.csv", "links[1] (line 3).supplier", "X", "the id of a firm of this map")


def test_csv_recipe_errors(tmp_path):
    path = write_csv_model(tmp_path, tables__recipes_csv="product,input,units\npart,ore,2\ngood,part,1\ngood,part,3\ngizmo,part,1\n")
    err = problems_of(load_model, path)
    recipes = tmp_path / "tables" / "recipes.csv"
    check(err, recipes, "recipes[2] (line 4).input", "part", "each input once per product")
    check(err, recipes, "recipes[3] (line 5).product", "gizmo", "the id of a product of this map")


def test_csv_recipe_necessity_must_be_a_documented_value(tmp_path):
    path = write_csv_model(tmp_path, tables__recipes_csv="product,input,units,necessity\npart,ore,2,critical\ngood,part,1,sometimes\n")
    err = problems_of(load_model, path)
    check(err, tmp_path / "tables" / "recipes.csv", "recipes[1] (line 3).necessity", "sometimes", "one of critical, important, noncritical")


def test_csv_unknown_column_is_reported_once(tmp_path):
    path = write_csv_model(tmp_path, tables__links_csv="supplier,customer,share,leadtime\nM,S,1,1\nS,C,1,0.5\n")
    err = problems_of(load_model, path)
    links = tmp_path / "tables" / "links.csv"
    p = check(err, links, "links (line 1).leadtime", NO_VALUE, "unknown column", "supplier, customer, share, lead_time, priority")
    assert len(err.problems) == 1, str(err)
    assert p.file.endswith("links.csv")


def test_csv_bad_map_cell(tmp_path):
    firms = "id,product,region,cover_by_input\nM,ore,north,\nS,part,south,ore:3\nC,good,east,part=x\n"
    err = problems_of(load_model, write_csv_model(tmp_path, tables__firms_csv=firms))
    csv = tmp_path / "tables" / "firms.csv"
    check(err, csv, "firms[1] (line 3).cover_by_input", "ore:3", "`input=days` pairs separated by `;`")
    check(err, csv, "firms[2] (line 4).cover_by_input.part", "x", "a number")


def test_missing_csv_file_names_the_model_file_and_the_table(tmp_path):
    path = write_csv_model(tmp_path, tables__demand_csv=None)
    err = problems_of(load_model, path)
    check(err, path, "tables.demand", "tables/demand.csv", "an existing CSV file", str(tmp_path / "tables" / "demand.csv"))
    assert len(err.problems) == 1, str(err)  # and no "at least one final demand entry"


def test_missing_firms_csv_does_not_flood_with_unknown_firms(tmp_path):
    path = write_csv_model(tmp_path, tables__firms_csv=None)
    err = problems_of(load_model, path)
    assert [p.field for p in err.problems] == ["tables.firms"], str(err)


def test_csv_that_is_not_utf8_or_empty(tmp_path):
    path = write_csv_model(tmp_path, tables__demand_csv="")
    (tmp_path / "tables" / "links.csv").write_bytes(b"supplier,customer\n\xff\xfe,C\n")
    err = problems_of(load_model, path)
    check(err, tmp_path / "tables" / "demand.csv", "demand (line 1)", NO_VALUE, "a header row")
    p = only(err, "")
    assert p.file == str(tmp_path / "tables" / "links.csv") and "not UTF-8" in p.expected


def test_csv_with_a_byte_order_mark_loads(tmp_path):
    path = write_csv_model(tmp_path)
    links = tmp_path / "tables" / "links.csv"
    links.write_bytes(b"\xef\xbb\xbf" + links.read_bytes())
    assert len(load_model(path).links) == 2


def test_csv_and_toml_problems_come_together(tmp_path):
    path = write_csv_model(tmp_path, tables__links_csv="supplier,customer,share,lead_time\nM,S,1,1\nS,C,1,soon\n")
    path.write_text(path.read_text().replace("cover = 4", "cover = -4"))
    err = problems_of(load_model, path)
    assert {(p.file, p.field) for p in err.problems} == {
        (str(path), "defaults.cover"),
        (str(tmp_path / "tables" / "links.csv"), "links[1] (line 3).lead_time"),
    }


def test_typo_in_the_tables_section_does_not_flood_with_unknown_ids(tmp_path):
    path = write_csv_model(tmp_path)
    path.write_text(path.read_text().replace('firms = "tables/firms.csv"', 'firm = "tables/firms.csv"'))
    err = problems_of(load_model, path)
    check(err, path, "tables.firm", NO_VALUE, "unknown field", "products, recipes, firms, links, demand")
    assert len(err.problems) == 1, str(err)
