"""The one home of the tests' helpers: builders of small maps and scenarios, and naive references.

A test file imports what it needs from here (`from naive import build_model, ...`;
`tests/` is on the path, see pyproject.toml). Sections, in order:

- model and scenario files: written as real files, loaded through the real loaders
  (`model_toml`, `write_model`, `build_model`, `write_scenario`, `build_scenario`, `write_file`, `edit`);
- small maps and scenarios everyone uses (`PART`, `GOOD`, `VALID_MODEL`, `RANDOM_EV`);
- running: compile a map on primitive shock rows, run both engines (`compile_rows`, `both_engines`, `simulate`, `output_of`);
- engine equality at the right scale (`assert_same_numbers`);
- bad input: an `InputError` read problem by problem (`problems_of`, `only`, `check`);
- hypothesis strategies of random productive maps and shock rows (`chain_maps`, `shock_rows`);
- naive references: the resilience metrics (docs/model.md) written as plain loops over days, for
  comparison with `simcore.metrics`' vectorised forms.
"""

from __future__ import annotations

import json
import math
import tempfile
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest
from hypothesis import strategies as st

from simcore.chainmap import ChainMap, load_model
from simcore.chainmap.baseline import loop_radii, min_tau, technical_matrix
from simcore.chainmap.schema import Parameters
from simcore.core.compiled import CompiledRun
from simcore.compile import compile_model, compile_run
from simcore.engines.numba import run_numba
from simcore.engines.reference import run_reference
from simcore.engines.trajectories import Trajectories
from simcore.errors import NO_VALUE, InputError, Problem
from simcore import load_scenario
from simcore.scenario import Scenario
from simcore.core.primitives import CLOSE, DAMAGE, DEMAND, EXPONENTIAL, LEAD, LINEAR, STEP, ShockTable

ROOT = Path(__file__).resolve().parents[1]


# --- model and scenario files -----------------------------------------------------------
def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def model_toml(products: list[dict], firms: list[dict], links: list[dict], demand: list[dict], defaults: dict | None = None, parameters: dict | None = None) -> str:
    """A model file's text from plain records (see docs/formats.md)."""
    lines = ['[model]', 'name = "test map"', ""]
    for table, values in (("defaults", defaults), ("parameters", parameters)):
        if values:
            lines.append(f"[{table}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
            lines.append("")
    for table, records in (("products", products), ("firms", firms), ("links", links), ("demand", demand)):
        for rec in records:
            lines.append(f"[[{table}]]")
            lines += [f"{k} = {toml_value(v)}" for k, v in rec.items()]
            lines.append("")
    return "\n".join(lines)


def write_model(folder: Path, *args, name: str = "model.toml", **kwargs) -> Path:
    path = Path(folder) / name
    path.write_text(model_toml(*args, **kwargs))
    return path


def build_model(*args, **kwargs) -> ChainMap:
    """Write a model to a temporary folder and load it."""
    with tempfile.TemporaryDirectory() as tmp:
        return load_model(write_model(Path(tmp), *args, **kwargs))


def write_scenario(folder: Path, model: dict, body: str, horizon: int = 30, name: str = "scenario.toml") -> Path:
    """Write `model` (the keyword arguments of `model_toml`: products, firms, links, demand, defaults,
    parameters) as model.toml and a scenario over it; `body` is the TOML after the `[scenario]` table."""
    records = (model["products"], model["firms"], model["links"], model["demand"])
    write_model(folder, *records, defaults=model.get("defaults"), parameters=model.get("parameters"))
    head = f'[scenario]\nname = "policy test"\nmodel = "model.toml"\nhorizon = {horizon}\n\n'
    path = Path(folder) / name
    path.write_text(head + body)
    return path


def build_scenario(folder: Path, model: dict, body: str, horizon: int = 30, name: str = "scenario.toml") -> Scenario:
    """Write a scenario (see `write_scenario`) and load it."""
    return load_scenario(write_scenario(folder, model, body, horizon, name))


def write_file(folder: Path, name: str, text: str) -> Path:
    """Write `text` (dedented, leading newlines dropped) to `folder/name`, creating folders on the way."""
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def edit(text: str, old: str, new: str) -> str:
    """`text` with `old` (which must occur exactly once) replaced by `new`."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# --- small maps and scenarios -----------------------------------------------------------------
# Product records for `model_toml`: a part, and a good made of one part.
PART = {"id": "part", "category": "basic_component"}
GOOD = {"id": "good", "category": "final_product", "recipe": {"part": 1.0}}

# A valid model file's text that bad-input tests edit: ore -> part (two makers) -> good, with tags, regions and chains.
VALID_MODEL = """
[model]
name = "bad-input base"
chains = ["auto"]

[defaults]
cover = 5
headroom = 0.1

[[products]]
id = "ore"
category = "raw_material"

[[products]]
id = "part"
category = "basic_component"
recipe = { ore = 2 }

[[products]]
id = "good"
category = "final_product"
recipe = { part = 1 }
chains = ["auto"]

[[firms]]
id = "M"
product = "ore"
region = "north"
tags = ["foreign"]

[[firms]]
id = "S1"
product = "part"
region = "south"

[[firms]]
id = "S2"
product = "part"
region = "north"

[[firms]]
id = "C"
product = "good"
region = "east"
tags = ["chain_master"]

[[links]]
supplier = "M"
customer = "S1"

[[links]]
supplier = "M"
customer = "S2"
lead_time = 2

[[links]]
supplier = "S1"
customer = "C"
share = 0.6

[[links]]
supplier = "S2"
customer = "C"
share = 0.4

[[demand]]
firm = "C"
units = 10
"""

# Random shocks on the flagship map (models/ev_chain.toml), three variants: for Monte Carlo tests.
RANDOM_EV = f"""
[scenario]
name = "random ev"
model = "{ROOT / 'models' / 'ev_chain.toml'}"
horizon = 60
seed = 11

[[shocks]]
kind = "embargo"
products = ["mcu_highend"]
start = 5
duration = {{ dist = "lognormal", median = 30, sigma = 0.4 }}

[[shocks]]
kind = "random_outage"
select = {{ tags = ["tier2"] }}
rate = 0.004
duration = {{ dist = "exponential", mean = 8 }}
magnitude = {{ dist = "uniform", low = 0.3, high = 1.0 }}
recovery = {{ profile = "linear", days = 3 }}

[[shocks]]
kind = "random_outage"
per = "region"
select = {{ regions = ["hefei", "ningbo"] }}
rate = 0.01
magnitude = 0.5
duration = {{ dist = "empirical", values = [3, 9], weights = [2, 1] }}

[[shocks]]
kind = "lead_time_noise"
suppliers = {{ tags = ["foreign"] }}
factor = {{ dist = "uniform", low = 0.8, high = 1.6 }}

[[variants]]
name = "as-is"

[[variants]]
name = "stock"
[[variants.policies]]
kind = "fill_short_board"
top = 1
mode = "safety_stock"
extra_cover = 20

[[variants]]
name = "masters"
[[variants.policies]]
kind = "stabilize_chain_master"
extra_cover = 5
recovery_speed = 2
"""


# --- running --------------------------------------------------------------------------------
def compile_rows(cmap: ChainMap, rows: list[tuple], horizon: int, **params) -> CompiledRun:
    """`cmap` compiled on primitive shock rows (see `ShockTable.from_rows`), with its parameters overridden by `params`."""
    return compile_model(cmap, Parameters(**{**cmap.parameters.model_dump(), **params}), horizon, ShockTable.from_rows(rows))


def both_engines(run: CompiledRun) -> Trajectories:
    """Run the reference and the Numba engine, assert they agree on every recorded array, return the reference's."""
    ref = run_reference(run, True)
    assert_same_numbers(run, ref, run_numba(run, True))
    return ref


def simulate(sc: Scenario, variant: str) -> tuple[CompiledRun, Trajectories]:
    """One variant of a scenario, compiled and run by both engines (which must agree)."""
    run = compile_run(sc, variant)
    return run, both_engines(run)


def output_of(sc: Scenario, trajectories: Trajectories, firm_id: str) -> np.ndarray:
    """The daily output of firm `firm_id`."""
    return trajectories.firm_output[:, sc.model.firm_index[firm_id]]


# --- engine equality -------------------------------------------------------------------------
# The Numba engine must reproduce the reference to 1e-9 relative (docs/engine.md), at the right scale.
#
# Both engines do the same arithmetic but sum some quantities in a different
# order (a supplier's order book: the reference over its customers, Numba while
# streaming the customers' inputs), so they differ in the last bits, and a long
# shocked run can carry that difference along. Relative to each value alone, a
# near-zero output of a large firm would fail on noise; so each recorded value is
# compared to 1e-9 of its own size or of its quantity's scale, whichever is
# larger: a firm's baseline output for firm trajectories, a chain's baseline for
# chain trajectories, the largest of the totals (units) for the totals.
RTOL = 1e-9


def scales(run: CompiledRun, trajectories: Trajectories) -> dict[str, np.ndarray | float]:
    """The scale each recorded array is compared at (broadcast against the array)."""
    firm = np.maximum(run.base_output, run.final_demand)
    chain = run.chain_baseline
    totals = float(np.abs(trajectories.totals).max()) if trajectories.totals.size else 0.0
    return {
        "chain_output": chain,
        "chain_final_demand": chain,
        "chain_final_delivered": chain,
        "totals": totals,
        "start_inventory": abs(trajectories.start_inventory),
        "start_in_transit": abs(trajectories.start_in_transit),
        "firm_min_ratio": 1.0,
        "firm_output": firm,
        "firm_final_delivered": firm,
    }


def assert_same_numbers(run: CompiledRun, reference: Trajectories, other: Trajectories) -> None:
    """Every recorded array of `other` equals the reference's to 1e-9 relative (see the comment above RTOL)."""
    a, b = reference.arrays(), other.arrays()
    assert a.keys() == b.keys()
    scale = scales(run, reference)
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        assert x.shape == y.shape, name
        tol = RTOL * np.maximum(np.abs(x), np.broadcast_to(scale[name], x.shape))
        with np.errstate(invalid="ignore"):  # inf - inf: equal infinities are caught by x == y
            same = (x == y) | (np.abs(x - y) <= tol) | (np.isnan(x) & np.isnan(y))
        if not same.all():
            at = tuple(np.argwhere(~same)[0])
            raise AssertionError(f"{name}: {np.count_nonzero(~same)} values differ beyond 1e-9 of their scale; first at {at}: {x[at]!r} vs {y[at]!r}")


# --- bad input ---------------------------------------------------------------------------
def problems_of(load, path: Path) -> InputError:
    """Load `path`, expect an InputError, and check it reads one line per problem."""
    with pytest.raises(InputError) as info:
        load(path)
    err = info.value
    assert err.problems, "an InputError must carry at least one problem"
    lines = str(err).split("\n")
    assert lines == [str(p) for p in err.problems], "str(InputError) is one line per problem"
    for p in err.problems:
        assert "\n" not in str(p)
        assert "Traceback" not in str(p)
    return err


def only(err: InputError, field: str) -> Problem:
    """The one problem of `err` about `field`."""
    found = [p for p in err.problems if p.field == field]
    assert len(found) == 1, f"expected one problem on {field!r}, got:\n{err}"
    return found[0]


def check(err: InputError, file: Path | str, field: str, value, *expected: str) -> Problem:
    """Assert that `err` has a problem naming `file`, `field`, `value` and each phrase of `expected`,
    both in the Problem's attributes and in its printed line."""
    p = only(err, field)
    assert Path(p.file) == Path(file), f"{p.file} is not {file}"
    line = str(p)
    assert line.startswith(f"{p.file}: {field}: "), line
    if value is NO_VALUE:
        assert p.value is NO_VALUE, line
    else:
        if isinstance(value, float) and value != value:
            assert p.value != p.value, line
        else:
            assert p.value == value, line
        assert f"got {value!r}" in line, line
    for phrase in expected:
        assert phrase in p.expected, f"{phrase!r} not in {p.expected!r}"
        assert phrase in line, line
    return p




# --- the command line in a subprocess ---------------------------------------------------------
SAFETY_SCENARIO = f"""
[scenario]
name = "safety"
model = "{ROOT / 'models' / 'ev_chain.toml'}"
horizon = 40
seed = 3

[[shocks]]
kind = "random_outage"
select = {{ tags = ["tier2"] }}
rate = 0.01
duration = {{ dist = "exponential", mean = 6 }}
magnitude = 0.8

[[variants]]
name = "as-is"

[[variants]]
name = "masters"
[[variants.policies]]
kind = "stabilize_chain_master"
extra_cover = 5
recovery_speed = 2
"""


def safety_scenario(tmp_path: Path) -> Path:
    """A small random scenario on the EV map (two variants), written to `tmp_path/safety.toml`."""
    path = tmp_path / "safety.toml"
    path.write_text(SAFETY_SCENARIO)
    return path


def command(*args) -> list[str]:
    return [sys.executable, "-m", "simcore.cli", *map(str, args)]


def env(**extra) -> dict:
    e = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra}
    return e


def simcore(*args, timeout: float = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command line in a subprocess, as a user runs it, on this source tree."""
    return subprocess.run(command(*args), capture_output=True, text=True, env=env(), timeout=timeout, cwd=cwd)


def refused(proc: subprocess.CompletedProcess, *words: str, status: int = 2) -> str:
    """The command failed with `status` and one line per problem naming `words`, never a traceback."""
    assert proc.returncode == status, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors, proc.stderr
    for word in words:
        assert any(word in line for line in errors), (word, proc.stderr)
    return proc.stderr


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (to show nothing changed)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


# --- hypothesis strategies -------------------------------------------------------------------

RATIONING_RULES = ["proportional", "priority", "mixed"]  # every rule the project offers (docs/model.md, Rationing)
NECESSITIES = ["critical", "critical", "important", "noncritical"]  # drawn per recipe input; critical twice as often
CATEGORIES = ["raw_material", "basic_material", "basic_component", "subassembly", "final_product", "service"]
LEADS = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0]), st.floats(0.0, 4.0))


@st.composite
def chain_maps(draw, max_firms: int = 30, max_products: int = 7, max_makers: int = 5, cover=None, headroom=None):
    """Productive maps: any product may use any other (cycles allowed) with coefficients summing to < 0.9, random
    necessities, several suppliers per input with random shares, fractional lead times, random covers, headroom
    and priorities. `cover`, `headroom`: strategies that give every firm its cover (days) and headroom."""
    n_products = draw(st.integers(1, max_products))
    n_makers = [draw(st.integers(1, max_makers)) for _ in range(n_products)]
    while sum(n_makers) > max_firms:
        n_makers[n_makers.index(max(n_makers))] -= 1
    products = []
    for p in range(n_products):
        others = [q for q in range(n_products) if q != p]
        inputs = draw(st.lists(st.sampled_from(others), max_size=min(3, len(others)), unique=True)) if others else []
        coefs = [draw(st.floats(0.01, 0.85 / len(inputs))) for _ in inputs]
        product = {"id": f"p{p}", "category": draw(st.sampled_from(CATEGORIES)), "recipe": {f"p{q}": a for q, a in zip(inputs, coefs)}}
        necessity = {f"p{q}": draw(st.sampled_from(NECESSITIES)) for q in inputs}
        if any(v != "critical" for v in necessity.values()):
            product["necessity"] = necessity
        if draw(st.booleans()):
            product["chains"] = draw(st.lists(st.sampled_from(["c1", "c2"]), min_size=1, unique=True))
        products.append(product)
    makers = {p: [f"f{p}_{k}" for k in range(n_makers[p])] for p in range(n_products)}
    firms = []
    for p, ids in makers.items():
        for fid in ids:
            firm = {"id": fid, "product": f"p{p}", "region": draw(st.sampled_from(["east", "west"]))}
            if cover is not None:
                firm["cover"] = draw(cover)
            elif draw(st.booleans()):
                firm["cover"] = draw(st.one_of(st.sampled_from([0.0, 1.0, 2.5]), st.floats(0.0, 8.0)))
            if headroom is not None:
                firm["headroom"] = draw(headroom)
            elif draw(st.booleans()):
                firm["headroom"] = draw(st.floats(0.0, 0.5))
            if draw(st.booleans()):
                firm["priority"] = draw(st.integers(0, 9))
            recipe = products[p]["recipe"]
            if recipe and cover is None and draw(st.booleans()):
                firm["cover_by_input"] = {draw(st.sampled_from(sorted(recipe))): draw(st.floats(0.0, 6.0))}
            firms.append(firm)
    links = []
    for p in range(n_products):
        for customer in makers[p]:
            for q in products[p]["recipe"]:
                qi = int(q[1:])
                chosen = draw(st.lists(st.sampled_from(makers[qi]), min_size=1, max_size=min(3, len(makers[qi])), unique=True))
                weights = [draw(st.floats(0.05, 1.0)) for _ in chosen]
                for s, w in zip(chosen, weights):
                    link = {"supplier": s, "customer": customer, "share": w / sum(weights), "lead_time": draw(LEADS)}
                    if draw(st.integers(0, 3)) == 0:
                        link["priority"] = draw(st.integers(0, 9))
                    links.append(link)
    # final demand: at random, then to every firm without a supply path to final demand
    demand = {f["id"]: draw(st.floats(1.0, 50.0)) for f in firms if draw(st.booleans())}
    customers = {f["id"]: [] for f in firms}
    for link in links:
        customers[link["supplier"]].append(link["customer"])
    for f in firms:
        reached, frontier = set(), [f["id"]]
        while frontier:
            k = frontier.pop()
            if k not in reached:
                reached.add(k)
                frontier += customers[k]
        if not reached & demand.keys():
            demand[f["id"]] = draw(st.floats(1.0, 50.0))
    # the default tau, or the stability limit of the map's strongest loop if that is longer (docs/model.md, A stable
    # steady state): a map the loader would refuse with the default is not a map of this strategy's kind
    index = {f["id"]: k for k, f in enumerate(firms)}
    product_of = {f["id"]: f["product"] for f in firms}
    recipe = {f"p{p}": products[p]["recipe"] for p in range(n_products)}
    M = technical_matrix(
        len(firms),
        np.array([index[l["supplier"]] for l in links], dtype=np.int64),
        np.array([index[l["customer"]] for l in links], dtype=np.int64),
        np.array([l["share"] * recipe[product_of[l["customer"]]][product_of[l["supplier"]]] for l in links]),
    )
    gain = max((radius for _, radius in loop_radii(M)), default=0.0)
    parameters = {"tau": min_tau(gain) * (1 + 1e-9)} if min_tau(gain) > Parameters().tau else None
    cover_default = draw(st.floats(0.0, 6.0))
    cmap = build_model(products, firms, links, [{"firm": k, "units": u} for k, u in demand.items()], defaults={"cover": cover_default}, parameters=parameters)
    return cmap


@st.composite
def shock_rows(draw, cmap, horizon: int, max_rows: int = 8):
    """Random primitive shock rows of every kind and profile on a loaded map (for ShockTable.from_rows)."""
    table = []
    for k in range(draw(st.integers(0, max_rows))):
        kind = draw(st.sampled_from([DAMAGE, DEMAND, CLOSE, LEAD] if len(cmap.links) else [DAMAGE, DEMAND]))
        target = draw(st.integers(0, len(cmap.firms) - 1)) if kind in (DAMAGE, DEMAND) else draw(st.integers(0, len(cmap.links) - 1))
        value = {
            DAMAGE: draw(st.floats(0.05, 1.0)),
            DEMAND: draw(st.floats(0.0, 3.0)),
            CLOSE: 1.0,
            LEAD: draw(st.floats(1.01, 5.0)),
        }[kind]
        profile = draw(st.sampled_from([STEP, LINEAR, EXPONENTIAL]))
        param = 0.0 if profile == STEP else draw(st.floats(0.5, 12.0))
        start = draw(st.one_of(st.integers(0, horizon).map(float), st.floats(0.0, float(horizon))))
        duration = draw(st.one_of(st.integers(1, horizon).map(float), st.floats(0.1, float(horizon))))
        table.append((kind, target, value, start, duration, profile, param, k))
    return table


# --- naive references ------------------------------------------------------------------------
# The metrics of docs/model.md, day by day in plain Python: what `simcore.metrics` computes with
# NumPy (and, for many replications at once, `batch_metrics`) must equal these.
DROP = 0.99  # a drop: output below 99% of baseline


def naive_loss(series, baseline: float) -> float:
    """Shortfall below baseline summed over days, over baseline times days; output above baseline does not offset it."""
    if baseline <= 0 or len(series) == 0:
        return 0.0
    return sum(max(baseline - x, 0.0) for x in series) / (baseline * len(series))


def naive_depth(series, baseline: float) -> float:
    return min(series) / baseline if baseline > 0 and len(series) else 1.0


def naive_tts(series, baseline: float, start: float | None) -> float:
    """Days from `start` to the first day at or after it with output below 99% of baseline; NaN if none."""
    if start is None:
        return math.nan
    for day, x in enumerate(series):
        if day >= start and x < DROP * baseline:
            return day - start
    return math.nan


def naive_ttr(series, baseline: float, start: float | None) -> float:
    """Days from `start` to the day after the last day below 99% of baseline; 0 if none, NaN if the last day is below."""
    if start is None:
        return math.nan
    below = [day for day, x in enumerate(series) if day >= start and x < DROP * baseline]
    if not below:
        return 0.0
    if below[-1] == len(series) - 1:
        return math.nan
    return below[-1] + 1 - start


def naive_fill_rate(delivered, demanded) -> float:
    total = sum(demanded)
    return sum(delivered) / total if total > 0 else 1.0
