"""Golden numbers: the metrics that `simcore run` writes to summary.json for every shipped scenario, pinned.

Each scenarios/<name>.toml is run once as a user runs it (`simcore run`, the Numba engine, the
scenario's seed; a scenario with random shocks gives replication 0) and its numbers are compared
with tests/golden/<name>.json: per variant and chain every metric, paired difference, cost and
loss reduction, and each variant's cost components. A failure lists every number that moved
(scenario, variant, chain, metric, old, new). After an intended change of the model, rewrite
them all with

    python -m pytest tests/golden --update-golden

and commit the new files with the change, so the diff shows which numbers it moved.

Tolerance, relative to each number's scale. The engines are deterministic, but another CPU or
compiler may contract or reorder floating-point sums (last-bit differences), so equality is
asked to 1e-9 of each quantity's scale:
- fractions of baseline (loss, depth, fill_rate, their paired differences, loss_reduction)
  have scale 1: absolute 1e-9, as the engine equality (tests/naive.py) asks of a chain's output;
- counts of firms are integers: exact;
- days (tts, ttr, their differences, shock_start) and money (cost and its components): 1e-9
  relative to the pinned value;
- value_saved = loss_reduction x the chain's output value (value_saved / loss_reduction): 1e-9
  relative, plus the loss reduction's absolute 1e-9 times that value; benefit_cost = value_saved /
  cost: 1e-9 relative, plus the value saved's absolute part over the cost.
A value that is None (NaN: never dropped, still down at the end, no cost) must stay None.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import pytest

from simcore.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
HERE = Path(__file__).parent
UPDATE = "python -m pytest tests/golden --update-golden"

TOL = 1e-9
FRACTIONS = {"loss", "depth", "fill_rate", "d_loss", "d_depth", "d_fill_rate", "loss_reduction"}
COUNTS = {"firms_affected", "d_firms_affected", "seed", "horizon"}


def pinned(summary: dict) -> dict:
    """The numbers of a summary.json that are pinned (not paths, versions or the ranking, which follows from the losses)."""
    sc = summary["scenario"]
    return {
        "scenario": sc["name"],
        "seed": summary["seed"],
        "horizon": sc["horizon"],
        "shock_start": sc["shock_start"],
        "variants": summary["variants"],
        "costs": summary["costs"],
    }


def same(name: str, old, new, row: dict) -> bool:
    """Whether `new` equals the pinned `old` within the tolerance of its quantity (see the module docstring)."""
    if old is None or new is None or isinstance(old, str) or isinstance(new, str):
        return old == new
    if name in COUNTS:
        return old == new
    if name in FRACTIONS:
        return abs(new - old) <= TOL
    tol = TOL * abs(old)
    value = abs(row.get("value_saved") or 0.0) / abs(row["loss_reduction"]) if row.get("loss_reduction") else 0.0
    if name == "value_saved":
        tol += TOL * value
    if name == "benefit_cost" and row.get("cost"):
        tol += TOL * value / abs(row["cost"])
    return math.isfinite(new) and abs(new - old) <= tol


def moved(old: dict, new: dict) -> list[tuple[str, str, str, object, object]]:
    """Every (variant, chain, metric, old, new) that differs; chain '-' for a scenario-level number,
    'costs' for a variant's cost components; a missing number shows as 'missing'."""
    rows = []
    for key in ("scenario", "seed", "horizon", "shock_start"):
        if not same(key, old.get(key), new.get(key), {}):
            rows.append(("-", "-", key, old.get(key, "missing"), new.get(key, "missing")))
    for section, chains_of in (("variants", lambda v: v), ("costs", lambda v: {"costs": v})):
        a, b = old.get(section, {}), new.get(section, {})
        for variant in [*a, *(v for v in b if v not in a)]:
            ca, cb = chains_of(a.get(variant, {})), chains_of(b.get(variant, {}))
            for chain in [*ca, *(c for c in cb if c not in ca)]:
                ra, rb = ca.get(chain, {}), cb.get(chain, {})
                for metric in [*ra, *(m for m in rb if m not in ra)]:
                    x, y = ra.get(metric, "missing"), rb.get(metric, "missing")
                    if not same(metric, x, y, ra):
                        rows.append((variant, chain, metric, x, y))
    return rows


def table(scenario: str, rows) -> str:
    head = ("scenario", "variant", "chain", "metric", "old", "new")
    lines = [head, *((scenario, v, c, m, repr(x), repr(y)) for v, c, m, x, y in rows)]
    widths = [max(len(str(line[k])) for line in lines) for k in range(len(head))]
    return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_golden_numbers(scenario, tmp_path, request):
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--no-plots"]) == 0
    new = pinned(json.loads((out / "summary.json").read_text()))
    path = HERE / f"{scenario.stem}.json"
    old = json.loads(path.read_text()) if path.exists() else None
    if request.config.getoption("--update-golden"):
        path.write_text(json.dumps(new, indent=2) + "\n")
        rows = moved(old, new) if old is not None else []
        if old is None or rows:
            warnings.warn(f"rewrote {path.relative_to(ROOT)}" + (f": {len(rows)} numbers moved\n{table(scenario.stem, rows)}" if rows else ""), stacklevel=1)
        return
    assert old is not None, f"{path.relative_to(ROOT)} is missing: write it with `{UPDATE}`"
    rows = moved(old, new)
    if rows:
        pytest.fail(f"{len(rows)} golden numbers of {scenario.stem} moved (if intended: `{UPDATE}`)\n{table(scenario.stem, rows)}", pytrace=False)


def test_every_shipped_scenario_has_golden_numbers_and_no_other(request):
    """(After the runs above, so that --update-golden has written the new ones; it removes those of scenarios gone.)"""
    stale = sorted(p for p in HERE.glob("*.json") if p.stem not in {s.stem for s in SHIPPED})
    if request.config.getoption("--update-golden"):
        for p in stale:
            p.unlink()
        stale = []
    assert not stale, f"golden numbers of scenarios no longer shipped: {[p.name for p in stale]}; `{UPDATE}` removes them"
    assert sorted(p.stem for p in HERE.glob("*.json")) == [p.stem for p in SHIPPED], f"write them with `{UPDATE}`"


# --- the comparison itself, on made-up numbers ---------------------------------------------------
GOLDEN = {
    "scenario": "s", "seed": 1, "horizon": 30, "shock_start": 5.0,
    "variants": {"as-is": {"total": {"loss": 0.25, "tts": 4.0, "ttr": None, "firms_affected": 3, "loss_reduction": 0.02, "cost": 200.0, "value_saved": 4000.0, "benefit_cost": 20.0}}},
    "costs": {"as-is": {"holding": 200.0, "total": 200.0}},
}


def test_numbers_within_their_tolerance_have_not_moved():
    new = json.loads(json.dumps(GOLDEN))
    row = new["variants"]["as-is"]["total"]
    row["loss"] += 5e-10
    row["tts"] *= 1 + 5e-10
    row["value_saved"] += 0.9e-9 * 200000.0  # the loss reduction's 1e-9, times the chain's value (4000 / 0.02)
    row["benefit_cost"] += 0.9e-9 * 200000.0 / 200.0  # and over the cost
    new["costs"]["as-is"]["total"] *= 1 + 5e-10
    assert moved(GOLDEN, new) == []


def test_every_moved_number_is_listed_with_its_place_and_both_values():
    new = json.loads(json.dumps(GOLDEN))
    row = new["variants"]["as-is"]["total"]
    row["loss"] += 2e-9  # beyond 1e-9 absolute
    row["ttr"] = 12.0  # was still down at the end
    row["firms_affected"] = 4  # counts are exact
    row["benefit_cost"] *= 1 + 1e-7
    new["costs"]["as-is"]["holding"] = 200.001
    del row["tts"]
    new["variants"]["extra"] = {"total": {"loss": 0.1}}
    rows = moved(GOLDEN, new)
    assert rows == [
        ("as-is", "total", "loss", 0.25, 0.25 + 2e-9),
        ("as-is", "total", "tts", 4.0, "missing"),
        ("as-is", "total", "ttr", None, 12.0),
        ("as-is", "total", "firms_affected", 3, 4),
        ("as-is", "total", "benefit_cost", 20.0, 20.0 * (1 + 1e-7)),
        ("extra", "total", "loss", "missing", 0.1),
        ("as-is", "costs", "holding", 200.0, 200.001),
    ]
    text = table("s", rows).splitlines()
    assert text[0].split() == ["scenario", "variant", "chain", "metric", "old", "new"]
    assert text[3].split() == ["s", "as-is", "total", "ttr", "None", "12.0"]
    assert len(text) == 1 + len(rows)
