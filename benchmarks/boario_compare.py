"""A check against a peer model: simcore and BoARIO on pymrio's test MRIO, BoARIO's quickstart shock.

    python benchmarks/boario_compare.py               # three cases, 3 timed runs each (about 30 s)
    python benchmarks/boario_compare.py --repeats 5
    # the rules before issue 12 but for the order rule (and one at a time):
    python benchmarks/boario_compare.py --no-plot --out /tmp/p.json --rationing proportional --all-critical

BoARIO (the Adaptive Regional Input-Output model, `pip install boario
progressbar2`) runs its documented quickstart: `pymrio.load_test()`, default
`ARIOPsiModel`, 730 days, a capital-destruction event of 5,000,000 (x 10^6) in
`reg1`'s manufacturing and mining, split by output, rebuilt by construction
(55%) and manufacturing (45%) with `rebuild_tau = 180`. Two more cases use
the same impact with `event_type = "recovery"` (capital comes back linearly
over 180 days, no rebuilding demand), once as is and once 50 times larger.

simcore runs the same economy imported by its `io` importer
(`mrio_map(pymrio.load_test(), period_days=365)`: one firm per region and
sector, money units per day) with the shock mapped onto its primitives: a
`firm_outage` per damaged industry whose magnitude is BoARIO's capital lost /
capital stock and whose timing and recovery profile reproduce BoARIO's
realised capital path; in the quickstart case the rebuilding demand becomes
one `demand_shock` per rebuilding industry. Each case runs four simcore
variants: `boario-like` (cover 90 days, tau 60 days, headroom 0, no
backlog), `boario-like headroom 0.25` (BoARIO's alpha_max), `boario-like
cover 18` (the 90 days less the 72 days below which BoARIO's psi = 0.8 starts
cutting production) and `simcore defaults`; the quickstart case also runs
`boario-like` without the rebuilding demand. Every variant rations by the
model's default rule (`mixed`: firms' orders before final demand) and the
importer's input necessities; `--rationing` and `--all-critical` switch
these back one at a time, to see what each rule of issue 12 changed
(docs/boario.md, What changed with issue 12).

Writes `benchmarks/results/boario.json` (losses, ranks, Spearman rank
correlations, timings, the simcore scenarios), `docs/boario_compare.png`
(trajectories), `docs/boario_sensitivity.png` (less cover, simcore's
defaults), `docs/boario_regions.png` (per region) and `docs/boario_ranks.png`
(losses by industry, one model against the other). See docs/boario.md.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "boario.json"
FIGURE = ROOT / "docs" / "boario_compare.png"
REGIONS_FIGURE = ROOT / "docs" / "boario_regions.png"
RANKS_FIGURE = ROOT / "docs" / "boario_ranks.png"
SENSITIVITY_FIGURE = ROOT / "docs" / "boario_sensitivity.png"

HORIZON = 730  # the quickstart's n_temporal_units_to_sim
# BoARIO's quickstart event (docs/source/notebooks/boario-quickstart.ipynb of spjuhel/BoARIO, as of BoARIO 0.6/0.7)
QUICKSTART = {
    "impact": 5_000_000,
    "event_monetary_factor": 10**6,
    "duration": 15,
    "affected_regions": ["reg1"],
    "affected_sectors": ["manufactoring", "mining"],
    "impact_regional_distrib": "equal",
}
REBUILD = {"rebuilding_sectors": {"construction": 0.55, "manufactoring": 0.45}, "rebuild_tau": 180}
RECOVERY = {"recovery_tau": 180, "recovery_function": "linear"}
# BoARIO's defaults (ARIOPsiModel) that the simcore variants mirror
BOARIO_DEFAULTS = {
    "main_inv_dur": 90,
    "psi_param": 0.8,
    "inventory_restoration_tau": 60,
    "alpha_base": 1.0,
    "alpha_max": 1.25,
    "alpha_tau": 365,
    "order_type": "alt",
    "monetary_factor": 10**6,
    "iotable_year_to_temporal_unit_factor": 365,
    "productive_capital_to_VA": 4,
}
VARIANTS = {
    "boario-like": "cover 90, tau 60, headroom 0, backlog_days 1",
    "boario-like headroom 0.25": "as boario-like with headroom 0.25 = BoARIO's alpha_max - 1 (BoARIO starts at alpha 1 and moves toward 1.25)",
    "boario-like cover 18": "cover 18 = (1 - psi) * 90, tau 60, headroom 0, backlog_days 1",
    "simcore defaults": "cover 7, tau 6, headroom 0.1, backlog_days 30",
}
MAIN = "boario-like"
SAMPLE_DAYS = (1, 2, 7, 16, 30, 60, 90, 180, 365, 540, 729)


@dataclass(frozen=True)
class Case:
    name: str
    event_type: str  # "rebuild" (the quickstart) or "recovery"
    scale: float  # impact multiplier
    description: str


CASES = (
    Case(
        "quickstart",
        "rebuild",
        1.0,
        "BoARIO's quickstart: capital destroyed in reg1 manufacturing and mining, rebuilt by construction and manufacturing (rebuild_tau 180)",
    ),
    Case("recovery", "recovery", 1.0, "the same impact, capital recovered linearly over 180 days, no rebuilding demand"),
    Case("recovery_x50", "recovery", 50.0, "the recovery case with 50 times the impact (reg1 manufacturing -24%, mining -46% capacity)"),
)


def quiet():
    warnings.simplefilter("ignore")  # pymrio's FutureWarnings and BoARIO's notes on units and capital ratios
    import logging

    logging.getLogger("boario").setLevel(logging.ERROR)  # its INFO lines are off by default too (root level WARNING)


def remove_boario_default_folder() -> None:
    """BoARIO 0.7.2 makes an empty /tmp/boario* folder when imported (a default argument); remove it if nothing was written there."""
    import inspect

    from boario.simulation import Simulation

    default = Path(inspect.signature(Simulation.__init__).parameters["boario_output_dir"].default)
    if default.is_dir() and not any(default.iterdir()):
        default.rmdir()


# ---------------------------------------------------------------- BoARIO


def boario_run(case: Case, horizon: int, folder: Path) -> dict:
    """One BoARIO simulation of `case`: production, capital lost and rebuilding demand per step and industry, and its times."""
    import pymrio
    from boario import event
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    mriot = pymrio.load_test().calc_all()  # data loading: not timed
    t0 = time.perf_counter()
    model = ARIOPsiModel(mriot)
    sim = Simulation(model, n_temporal_units_to_sim=horizon, boario_output_dir=folder / "boario")  # its simulation.log goes there
    kwargs = dict(QUICKSTART, impact=QUICKSTART["impact"] * case.scale, impact_sectoral_distrib=model.mriot.x.loc["reg1", "indout"])
    if case.event_type == "rebuild":
        ev = event.from_scalar_regions_sectors(event_type="rebuild", **kwargs, **REBUILD)
    else:
        ev = event.from_scalar_regions_sectors(event_type="recovery", **kwargs, **RECOVERY)
    sim.add_event(ev)
    t1 = time.perf_counter()
    sim.loop()
    t2 = time.perf_counter()
    ids = [f"{r}:{s}" for r, s in model.industries]
    capital = np.asarray(model.productive_capital, dtype=float)
    lost = sim.productive_capital_to_recover.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        damage = np.where(capital > 0, lost / capital, 0.0)
    # BoARIO's overproduction factor alpha, recovered from capacity = X_0 (1 - damage) alpha (its own record of alpha stays empty in 0.7.2)
    alpha = sim.production_capacity.to_numpy() / (model.X_0[None, :] * (1 - damage))
    return {
        "ids": ids,
        "production": sim.production_realised.to_numpy().copy(),
        "damage": damage,
        "alpha": alpha,
        "rebuild_demand": sim.rebuild_demand.to_numpy().copy(),
        "fd_unmet": sim.final_demand_unmet.to_numpy().sum(axis=1),
        "impact": {f"{r}:{s}": float(v) for (r, s), v in ev.impact.items()},
        "capital": {ids[k]: float(capital[k]) for k in range(len(ids)) if lost[:, k].any()},
        "setup_s": t1 - t0,
        "loop_s": t2 - t1,
        "steps": int(sim.n_temporal_units_simulated),
    }


# ---------------------------------------------------------------- mapping BoARIO's shock onto simcore's primitives


def intensity_path(horizon: int, start: float, duration: float, profile: int, param: float) -> np.ndarray:
    from simcore.core.timing import intensity

    return np.array([intensity(float(t), start, duration, profile, param) for t in range(horizon)])


def fit_half_life(path: np.ndarray, start: int, duration: int) -> float:
    """The half-life whose exponential recovery after `start + duration` loses the same capacity-days (area) as `path` (normalised to 1)."""
    from scipy.optimize import brentq

    end = start + duration
    area = path[end:].sum()
    e = np.arange(len(path) - end, dtype=float)
    return float(brentq(lambda h: np.exp(-math.log(2) * (e + 1) / h).sum() - area, 1.0, 1e5))


def full_window(path: np.ndarray) -> tuple[int, int]:
    """First tick at full intensity and the number of ticks at full intensity (BoARIO's damage is flat, then decreases)."""
    top = path.max()
    on = np.nonzero(path >= top * (1 - 1e-9))[0]
    return int(on[0]), int(on[-1] - on[0] + 1)


def map_shocks(b: dict, with_rebuild_demand: bool, final_demand: dict[str, float]) -> tuple[list[dict], list[dict]]:
    """simcore shocks reproducing BoARIO's realised capital path (and rebuilding demand); each with how well its path matches."""
    horizon = len(b["production"])
    shocks, fits = [], []
    for k in np.nonzero(b["damage"].any(axis=0))[0]:
        path = b["damage"][:, k]
        magnitude = float(path.max())
        start, duration = full_window(path)
        norm = path / magnitude
        tail = norm[start + duration :]
        zero = np.nonzero(tail <= 0)[0]
        if zero.size and np.allclose(np.diff(tail[: zero[0] + 1]), np.diff(tail[:2]).item(), atol=1e-4):  # a straight line to 0: linear
            days = float(zero[0] + 1)
            recovery = {"profile": "linear", "days": days}
            sim = intensity_path(horizon, start, duration, 1, days)
        else:
            half_life = fit_half_life(norm, start, duration)
            recovery = {"profile": "exponential", "half_life": round(half_life, 3)}
            sim = intensity_path(horizon, start, duration, 2, recovery["half_life"])
        shock = {
            "kind": "firm_outage",
            "select": {"ids": [b["ids"][k]]},
            "magnitude": magnitude,
            "start": start,
            "duration": duration,
            "recovery": recovery,
        }
        shocks.append(shock)
        fits.append(
            {
                "shock": shock,
                "max_abs_damage_error": float(np.abs(sim * magnitude - path).max()),
                "capacity_days_lost": {"boario": float(path.sum()), "simcore": float((sim * magnitude).sum())},
            }
        )
    if with_rebuild_demand:
        for k in np.nonzero(b["rebuild_demand"].any(axis=0))[0]:
            path = b["rebuild_demand"][:, k]
            peak = float(path.max())
            start = int(np.nonzero(path > 0)[0][0])
            half_life = fit_half_life(path / peak, start, 1)
            fid = b["ids"][k]
            shock = {
                "kind": "demand_shock",
                "name": "rebuilding demand",
                "select": {"ids": [fid]},
                "factor": 1 + peak / final_demand[fid],
                "start": start,
                "duration": 1,
                "recovery": {"profile": "exponential", "half_life": round(half_life, 3)},
            }
            sim = intensity_path(horizon, start, 1, 2, shock["recovery"]["half_life"]) * peak
            shocks.append(shock)
            fits.append(
                {
                    "shock": shock,
                    "max_abs_demand_error": float(np.abs(sim - path).max()),
                    "demand_total": {"boario": float(path.sum()), "simcore": float(sim.sum())},
                }
            )
    return shocks, fits


# ---------------------------------------------------------------- simcore


def toml_value(v) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(float(v)) if isinstance(v, float) else str(v)


def scenario_toml(name: str, model: str, horizon: int, shocks: list[dict], rationing: str | None = None) -> str:
    """The scenario text; `rationing` set in every variant when given (else the model's default, `mixed`)."""
    rule = "" if rationing is None else f", rationing = {json.dumps(rationing)}"
    lines = ["[scenario]", f"name = {json.dumps(name)}", f"model = {json.dumps(model)}", f"horizon = {horizon}", ""]
    for s in shocks:
        lines.append("[[shocks]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in s.items()]
        lines.append("")
    boario_like = [f"parameters = {{ tau = 60, backlog_days = 1{rule} }}", "[[variants.firms]]", "select = {}", "headroom = 0"]
    lines += ["[[variants]]", 'name = "boario-like"', *boario_like, "cover = 90", ""]
    lines += ["[[variants]]", 'name = "boario-like headroom 0.25"', *boario_like[:-1], "headroom = 0.25", "cover = 90", ""]
    lines += ["[[variants]]", 'name = "boario-like cover 18"', *boario_like, "cover = 18", ""]
    lines += ["[[variants]]", 'name = "simcore defaults"', *([f"parameters = {{ {rule[2:]} }}"] if rule else []), ""]
    lines += ["[output]", "plots = false", ""]
    return "\n".join(lines)


def simcore_run(path: Path, repeats: int, order: list[str], only: str | None = None) -> dict:
    """Every variant (or the one called `only`) of the scenario at `path`: production per tick in BoARIO's industry order, lost sales, and times."""
    from simcore import load_scenario
    from simcore.compile import compile_variant
    from simcore.engines import get_engine
    from simcore.engines.trajectories import T

    simulate = get_engine("numba")
    load_s = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        scenario = load_scenario(path)
        load_s.append(time.perf_counter() - t0)
    out = {}
    for variant in scenario.variants:
        if only is not None and variant.name != only:
            continue
        compile_s, simulate_s = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            parts = compile_variant(scenario, variant)
            compiled = parts.run.with_shocks(parts.shocks)
            compile_s.append(time.perf_counter() - t0)
        simulate(compiled, True)  # warm-up: JIT compile or cache load, not timed
        for _ in range(repeats):
            t0 = time.perf_counter()
            tr = simulate(compiled, True)
            simulate_s.append(time.perf_counter() - t0)
        where = [list(compiled.firm_ids).index(i) for i in order]
        out[variant.name] = {
            "production": tr.firm_output[:, where],
            "baseline": compiled.base_output[where],
            "fd_unmet": tr.totals[:, T["lost_sales"]],
            "compile_s": compile_s,
            "simulate_s": simulate_s,
        }
    out["_load_s"] = load_s
    return out


# ---------------------------------------------------------------- comparison


def losses(production: np.ndarray, baseline: np.ndarray, ids: list[str], fd_unmet: np.ndarray) -> dict:
    """Production loss figures of one run, in money units (M USD) and relative to baseline output."""
    regions = sorted({i.split(":")[0] for i in ids})
    sectors = sorted({i.split(":")[1] for i in ids})
    region_of = np.array([regions.index(i.split(":")[0]) for i in ids])
    sector_of = np.array([sectors.index(i.split(":")[1]) for i in ids])
    horizon = len(production)
    gap = baseline[None, :] - production
    shortfall = np.clip(gap, 0, None).sum(axis=0)  # catch-up above baseline does not offset (docs/model.md, Metrics)
    net = gap.sum(axis=0)
    by_region_t = np.stack([production[:, region_of == r].sum(axis=1) for r in range(len(regions))], axis=1)
    base_region = np.array([baseline[region_of == r].sum() for r in range(len(regions))])
    rel_region = by_region_t / base_region - 1
    rel_total = production.sum(axis=1) / baseline.sum() - 1
    base_h = baseline.sum() * horizon

    def per(group_of, names):
        return {n: {"loss": float(shortfall[group_of == g].sum()), "net_loss": float(net[group_of == g].sum())} for g, n in enumerate(names)}

    return {
        "loss_total": float(shortfall.sum()),
        "net_loss_total": float(net.sum()),
        "loss_share_of_output": float(shortfall.sum() / base_h),
        "net_loss_share_of_output": float(net.sum() / base_h),
        "final_demand_unmet": float(fd_unmet.sum()),
        "min_relative_total": float(rel_total.min()),
        "day_of_min": int(rel_total.argmin()),
        "relative_total_at": {str(d): float(rel_total[d]) for d in SAMPLE_DAYS if d < horizon},
        "relative_region_at": {reg: {str(d): float(rel_region[d, r]) for d in SAMPLE_DAYS if d < horizon} for r, reg in enumerate(regions)},
        "by_region": per(region_of, regions),
        "by_sector": per(sector_of, sectors),
        "by_industry": {i: {"loss": float(shortfall[k]), "net_loss": float(net[k])} for k, i in enumerate(ids)},
        "_rel_total": rel_total,
        "_rel_region": rel_region,
        "_regions": regions,
        "_shortfall": shortfall,
    }


def ranks(values: dict[str, float]) -> dict[str, float]:
    """Rank 1 = largest loss; ties share the average rank (as Spearman's rho uses them)."""
    from scipy.stats import rankdata

    names = list(values)
    r = rankdata([-values[n] for n in names], method="average")
    return {n: float(x) for n, x in zip(names, r)}


def rank_comparison(a: dict, b: dict, level: str, full: bool) -> dict:
    """Spearman and Kendall rank correlations of the losses of `level` (by_industry, by_sector, by_region), top 5 of each; the ranks when `full`."""
    from scipy.stats import kendalltau, spearmanr

    names = list(a[level])
    x = np.array([a[level][n]["loss"] for n in names])
    y = np.array([b[level][n]["loss"] for n in names])
    rho = spearmanr(x, y)
    tau = kendalltau(x, y)
    top = min(5, len(names))
    top_a = [names[k] for k in np.argsort(-x, kind="stable")[:top]]
    top_b = [names[k] for k in np.argsort(-y, kind="stable")[:top]]
    out = {
        "n": len(names),
        "spearman": float(rho.statistic),
        "spearman_p": float(rho.pvalue),
        "kendall": float(tau.statistic),
        f"top{top}_boario": top_a,
        f"top{top}_simcore": top_b,
        f"top{top}_overlap": len(set(top_a) & set(top_b)),
    }
    if full:
        out["ranks_boario"] = ranks({n: float(v) for n, v in zip(names, x)})
        out["ranks_simcore"] = ranks({n: float(v) for n, v in zip(names, y)})
    return out


def public(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def finite(x):
    """NaN and infinities as null (JSON has neither); a rank correlation is NaN when one side has no loss at all."""
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


# ---------------------------------------------------------------- figures


STYLE = {
    "boario": {"color": "black", "lw": 2.2, "label": "BoARIO 0.7.2 (ARIOPsiModel defaults)"},
    "boario-like": {"color": "tab:blue", "lw": 1.6, "label": "simcore boario-like (cover 90, tau 60, headroom 0)"},
    "boario-like headroom 0.25": {"color": "tab:purple", "lw": 1.3, "ls": "--", "label": "simcore boario-like, headroom 0.25"},
    "boario-like, outage only": {"color": "tab:green", "lw": 1.3, "ls": "-.", "label": "simcore boario-like, outage only (no rebuilding demand)"},
    "boario-like cover 18": {"color": "tab:orange", "lw": 1.3, "ls": "--", "label": "simcore boario-like, cover 18"},
    "simcore defaults": {"color": "0.55", "lw": 1.2, "ls": ":", "label": "simcore defaults (cover 7, tau 6, headroom 0.1, backlog 30 days)"},
}
CLOSE = ("boario", "boario-like", "boario-like headroom 0.25", "boario-like, outage only")  # the main figure; the others go to the sensitivity figure
PANELS = (("all regions", None), ("reg1 (shocked)", 0), ("reg2-reg6", slice(1, None)))


def series(c: dict, run: dict, pick) -> np.ndarray:
    if pick is None:
        return run["_rel_total"]
    if isinstance(pick, int):
        return run["_rel_region"][:, pick]
    base = np.array(c["region_baseline"])[pick]
    return (run["_rel_region"][:, pick] * base).sum(axis=1) / base.sum()


def legend_below(fig, axes, ncol: int) -> None:
    handles, labels = [], []
    for ax in np.ravel(axes):
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=9, frameon=False)


def plot(cases: dict) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(cases)
    days = np.arange(HORIZON)

    def grid(labels, path, title):
        fig, axes = plt.subplots(len(names), len(PANELS), figsize=(15, 3.5 * len(names)), squeeze=False)
        for row, name in enumerate(names):
            c = cases[name]
            for col, (panel, pick) in enumerate(PANELS):
                ax = axes[row, col]
                for label in labels:
                    if label in c["runs"]:
                        ax.plot(days, 100 * series(c, c["runs"][label], pick), **STYLE[label])
                ax.axhline(0, color="0.85", lw=0.8, zorder=0)
                ax.set_title(f"{name}: {panel}", fontsize=10)
                ax.set_xlabel("day")
                if col == 0:
                    ax.set_ylabel("production vs baseline (%)")
        legend_below(fig, axes, 2)
        fig.suptitle(title, fontsize=12)
        fig.tight_layout(rect=(0, 0.06, 1, 0.97))
        fig.savefig(path, dpi=100)
        plt.close(fig)

    grid(CLOSE, FIGURE, "Production relative to baseline: BoARIO and simcore with BoARIO-like settings (pymrio test MRIO, 6 regions x 8 sectors)")
    grid(
        ("boario", "boario-like", "boario-like cover 18", "simcore defaults"),
        SENSITIVITY_FIGURE,
        "Sensitivity: simcore with less cover (18 days) and with its own defaults, against BoARIO",
    )

    c = cases["recovery"]
    regions = c["boario"]["_regions"]
    fig, axes = plt.subplots(2, 3, figsize=(15, 7), squeeze=False)
    for r, reg in enumerate(regions):
        ax = axes.flat[r]
        for label in ("boario", "boario-like"):
            ax.plot(days, 100 * c["runs"][label]["_rel_region"][:, r], **STYLE[label])
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        ax.set_title(f"recovery case: {reg}", fontsize=10)
        ax.set_xlabel("day")
        ax.set_ylabel("production vs baseline (%)")
    legend_below(fig, axes, 2)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(REGIONS_FIGURE, dpi=100)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4.8), squeeze=False)
    floor = 1e-2
    for col, name in enumerate(names):
        c = cases[name]
        ax = axes[0, col]
        x = np.maximum(c["boario"]["_shortfall"], floor)
        y = np.maximum(c["runs"][MAIN]["_shortfall"], floor)
        same_region = np.array([i.startswith("reg1:") for i in c["ids"]])
        ax.scatter(x[same_region], y[same_region], s=20, color="tab:red", label="reg1 industries")
        ax.scatter(x[~same_region], y[~same_region], s=14, color="tab:blue", label="reg2-reg6 industries")
        lo, hi = floor, max(x.max(), y.max()) * 3
        ax.plot([lo, hi], [lo, hi], color="0.7", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("BoARIO production loss by industry (M USD over 730 days)")
        ax.set_ylabel("simcore boario-like loss (M USD)")
        r = c["ranks"][MAIN]
        ax.set_title(f"{name}: Spearman {r['industry']['spearman']:.2f} (48 industries), {r['sector']['spearman']:.2f} (8 sectors)", fontsize=9)
        ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(RANKS_FIGURE, dpi=100)
    plt.close(fig)
    return [FIGURE, SENSITIVITY_FIGURE, REGIONS_FIGURE, RANKS_FIGURE]


# ---------------------------------------------------------------- main


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def run_case(case: Case, repeats: int, folder: Path, model_file: Path, final_demand: dict[str, float], rationing: str | None = None) -> dict:
    bruns = [boario_run(case, HORIZON, folder) for _ in range(repeats)]
    b = bruns[0]
    ids = b["ids"]
    baseline = b["production"][0].copy()  # BoARIO starts at its equilibrium X_0 = x / 365
    result = {"description": case.description, "ids": ids, "boario": losses(b["production"], baseline, ids, b["fd_unmet"])}
    result["boario"].update(impact=b["impact"], capital=b["capital"], steps=b["steps"])
    result["boario"]["overproduction_alpha"] = {
        ids[k]: {
            "max": float(b["alpha"][:, k].max()),
            "day_of_max": int(b["alpha"][:, k].argmax()),
            "at": {str(d): float(b["alpha"][d, k]) for d in SAMPLE_DAYS if d < HORIZON},
        }
        for k in np.nonzero(b["alpha"].max(axis=0) > 1 + 1e-4)[0]
    }
    damaged = np.nonzero(b["damage"].any(axis=0))[0]
    capacity = baseline[None, damaged] * (1 - b["damage"][:, damaged]) * b["alpha"][:, damaged]
    result["boario"]["damaged_industries"] = {  # how much of the direct loss BoARIO's overproduction takes back
        ids[k]: {
            "capacity_shortfall_with_alpha": float(np.clip(baseline[k] - capacity[:, j], 0, None).sum()),
            "capacity_shortfall_damage_only": float((baseline[k] * b["damage"][:, k]).sum()),
            "loss": float(np.clip(baseline[k] - b["production"][:, k], 0, None).sum()),
        }
        for j, k in enumerate(damaged)
    }
    result["region_baseline"] = [float(baseline[[i.startswith(r + ":") for i in ids]].sum()) for r in result["boario"]["_regions"]]
    shock_sets = {"": True} if case.event_type == "rebuild" else {"": False}
    if case.event_type == "rebuild":
        shock_sets[", outage only"] = False
    runs = {"boario": result["boario"]}
    timings = {"boario": {"setup_s": [r["setup_s"] for r in bruns], "loop_s": [r["loop_s"] for r in bruns]}}
    scenarios = {}
    for suffix, with_rebuild in shock_sets.items():
        shocks, fits = map_shocks(b, with_rebuild, final_demand)
        path = folder / f"{case.name}{suffix.replace(', ', '_').replace(' ', '_')}.toml"
        text = scenario_toml(f"BoARIO {case.name}{suffix}", model_file.name, HORIZON, shocks, rationing)
        path.write_text(text)
        scenarios[case.name + suffix] = {"shocks": fits, "scenario_toml": text}
        out = simcore_run(path, repeats, ids, MAIN if suffix else None)
        load_s = out.pop("_load_s")
        for variant, o in out.items():
            label = variant + suffix
            gap = float(np.abs(o["baseline"] - baseline).max() / baseline.max())
            runs[label] = losses(o["production"], o["baseline"], ids, o["fd_unmet"])
            runs[label]["baseline_max_rel_diff_to_boario"] = gap
            timings[label] = {"load_s": load_s, "compile_s": o["compile_s"], "simulate_s": o["simulate_s"]}
    result["runs"] = runs
    result["simcore_scenarios"] = scenarios
    result["ranks"] = {
        label: {
            level: rank_comparison(result["boario"], run, key, label in (MAIN, MAIN + ", outage only"))
            for level, key in (("industry", "by_industry"), ("sector", "by_sector"), ("region", "by_region"))
        }
        for label, run in runs.items()
        if label != "boario"
    }
    med = {label: {k: median(v) for k, v in t.items()} for label, t in timings.items()}
    sim_main = med[MAIN]
    result["timings"] = {
        "raw": timings,
        "median": med,
        "ratio_loop_to_simulate": med["boario"]["loop_s"] / sim_main["simulate_s"],
        "ratio_end_to_end": (med["boario"]["setup_s"] + med["boario"]["loop_s"])
        / (sim_main["load_s"] + sim_main["compile_s"] + sim_main["simulate_s"]),
    }
    return result


def print_table(cases: dict) -> None:
    print(f"\n{'case':<14}{'run':<38}{'loss M USD':>14}{'net loss':>14}{'share':>11}{'FD unmet':>13}{'min %':>9}{'rho ind':>9}{'rho sec':>9}")
    for name, c in cases.items():
        for label, run in c["runs"].items():
            r = c["ranks"].get(label)
            rho_i = f"{r['industry']['spearman']:.2f}" if r else "-"
            rho_s = f"{r['sector']['spearman']:.2f}" if r else "-"
            print(
                f"{name:<14}{label:<38}{run['loss_total']:>14,.0f}{run['net_loss_total']:>14,.0f}{run['loss_share_of_output']:>11.2e}"
                f"{run['final_demand_unmet']:>13,.0f}{100 * run['min_relative_total']:>9.3f}{rho_i:>9}{rho_s:>9}"
            )
    print(
        f"\n{'case':<14}{'BoARIO setup s':>15}{'BoARIO loop s':>15}{'simcore load s':>16}{'compile s':>11}{'simulate s':>12}{'loop/sim':>10}{'end-to-end':>11}"
    )
    for name, c in cases.items():
        m = c["timings"]["median"]
        print(
            f"{name:<14}{m['boario']['setup_s']:>15.3f}{m['boario']['loop_s']:>15.3f}{m[MAIN]['load_s']:>16.3f}{m[MAIN]['compile_s']:>11.4f}"
            f"{m[MAIN]['simulate_s']:>12.4f}{c['timings']['ratio_loop_to_simulate']:>10.0f}{c['timings']['ratio_end_to_end']:>11.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3, help="timed runs of each model per case (median reported)")
    p.add_argument("--cases", nargs="*", default=[c.name for c in CASES], choices=[c.name for c in CASES])
    p.add_argument("--no-plot", action="store_true")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument(
        "--rationing", choices=("mixed", "proportional", "priority"), help="set this rule in every simcore variant (default: the model's, mixed)"
    )
    p.add_argument(
        "--all-critical", action="store_true", help="make every imported recipe input critical (the importer's necessities off, as before issue 12)"
    )
    args = p.parse_args(argv)
    quiet()
    import boario
    import pymrio

    import simcore
    from simcore.importers import mrio_map

    started = time.perf_counter()
    cases = {}
    with tempfile.TemporaryDirectory(prefix="simcore-boario-") as tmp:
        folder = Path(tmp)
        imported = mrio_map(pymrio.load_test(), period_days=365, name="pymrio test MRIO")
        model_file = folder / "mrio_test.toml"
        if args.all_critical:
            imported.tables.recipes["necessity"] = "critical"
        imported.write(model_file)
        demand = imported.tables.demand
        final_demand = dict(zip(demand["firm"], demand["units"].astype(float)))
        for case in CASES:
            if case.name in args.cases:
                print(f"{case.name}: {case.description}", flush=True)
                cases[case.name] = run_case(case, args.repeats, folder, model_file, final_demand, args.rationing)
        notes = list(imported.notes)
    remove_boario_default_folder()
    print_table(cases)
    if not args.no_plot and {"quickstart", "recovery", "recovery_x50"} <= set(cases):
        written = plot(cases)
        print("wrote " + ", ".join(str(f.relative_to(ROOT)) for f in written))
    from importlib.metadata import version

    doc = {
        "what": "simcore vs BoARIO on pymrio.load_test(), BoARIO's quickstart shock; see docs/boario.md",
        "horizon_days": HORIZON,
        "units": "M USD (pymrio test MRIO); simcore imported with period_days=365: units = M USD per day, price 1",
        "boario_event": {**QUICKSTART, "impact_sectoral_distrib": "mriot.x.loc['reg1', 'indout']", "rebuild": REBUILD, "recovery": RECOVERY},
        "boario_defaults": BOARIO_DEFAULTS,
        "simcore_variants": VARIANTS,
        "simcore_import": {
            "call": "mrio_map(pymrio.load_test(), period_days=365)",
            "notes": notes,
            "lead_time_days": 1,
            "necessities": "all critical (--all-critical)" if args.all_critical else "the importer's share rule",
        },
        "simcore_rationing": args.rationing or "the model's default (mixed)",
        "loss_definition": "loss: sum over days and industries of max(0, baseline - production) (catch-up does not offset); net_loss: sum of baseline - production",
        "timing": "median of --repeats runs; BoARIO setup = ARIOPsiModel + Simulation + event, loop = Simulation.loop(); simcore load = load_scenario "
        "(TOML + map validation), compile = compile_variant + with_shocks, simulate = Numba engine with firm trajectories after one untimed warm-up "
        "(JIT); imports and pymrio.load_test() excluded from both",
        "versions": {
            "python": platform.python_version(),
            "boario": version("boario"),
            "pymrio": pymrio.__version__,
            "simcore": getattr(simcore, "__version__", version("simcore")),
        },
        "machine": {"cpus": __import__("os").cpu_count(), "note": "2-core machine, shared and noisy"},
        "repeats": args.repeats,
        "wall_s": time.perf_counter() - started,
        "cases": {
            name: {
                "description": c["description"],
                "runs": {label: public(run) for label, run in c["runs"].items()},
                "ranks": c["ranks"],
                "timings": c["timings"],
                "simcore_scenarios": c["simcore_scenarios"],
            }
            for name, c in cases.items()
        },
    }
    del boario
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(finite(doc), indent=1, allow_nan=False) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
