"""`simcore` on the command line: a thin layer over the public API.

Exit status: 0 success, 2 bad input (one line per problem on stderr), 1 any other simcore error (a full disk, an
unreachable scheduler), 130 interrupted (Ctrl-C: what was saved, and how to resume).
"""

from __future__ import annotations

import argparse
from collections import Counter
import gc
import math
import os
import sys
import time
from pathlib import Path

from simcore.errors import InputError, Problem, SimcoreError

STARTED = time.perf_counter()  # for --dry-run: the imports before the scenario loads are part of a run's cost


def main(argv: list[str] | None = None) -> int:
    status = _main(sys.argv[1:] if argv is None else argv)
    if argv is None:  # the command line: the process exits next, and the garbage collections of its shutdown would
        gc.freeze()  # walk every object numba, pandas and scipy made (0.4 s, benchmarks/jit.py); frozen ones are skipped
    return status


def _main(argv: list[str]) -> int:
    args = _parser(argv).parse_args(argv)
    try:
        return args.command(args)
    except InputError as exc:
        for line in exc.lines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except SimcoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_status", 1)
    except KeyboardInterrupt:  # outside a batch's chunks or a stress test's knock-outs
        atomic = args.command in (_run, _stress)  # their results are written whole at the end, or not at all
        print("error: interrupted" + (f": nothing was written to {args.out or 'the output folder'}" if atomic else ""), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `simcore ... | head`: the reader left; results are already written or not started
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _parser(argv: list[str]) -> argparse.ArgumentParser:
    from simcore.engines import DEFAULT_ENGINE, ENGINES

    p = argparse.ArgumentParser(prog="simcore", description="Supply-chain resilience simulation.")
    p.add_argument("--version", action=_VersionAction)
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run every variant of a scenario and write its results")
    r.add_argument("scenario", type=Path)
    r.add_argument("--engine", choices=ENGINES, default=None, help=f"default {DEFAULT_ENGINE} (with --resume: the batch's)")
    r.add_argument("--out", default=None, help="output folder (default: runs/<scenario file name>)")
    r.add_argument("--overwrite", action="store_true", help="replace --out even if it holds files simcore did not write for this kind of run")
    r.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    r.add_argument("--no-plots", action="store_true", help="skip the figures")
    r.add_argument("--dry-run", action="store_true", help="measure a short calibration here and print what the run would cost (time, memory); write nothing")
    mc = r.add_argument_group("Monte Carlo (docs/montecarlo.md)")
    mc.add_argument("--replications", type=_whole, default=None, metavar="N", help="run N replications of random shocks on common random numbers")
    mc.add_argument("--chunk-size", type=int, default=None, metavar="K", help="replications per chunk (saved as it finishes; default 250)")
    mc.add_argument("--workers", type=int, default=None, metavar="W", help="threads of the embedded default (default: all cores)")
    mc.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run the chunks on a running Dask scheduler, e.g. tcp://host:8786")
    mc.add_argument("--dask-local", type=int, default=None, metavar="N", help="start a local Dask cluster of N workers for the chunks")
    mc.add_argument("--resume", action="store_true", help="continue the batch in --out with its settings, skipping its finished chunks")
    _tls_arguments(r)
    r.set_defaults(command=_run)

    o = sub.add_parser("optimize", help="choose the portfolio of interventions that minimises the chain's loss in money under a budget")
    o.add_argument("scenario", type=Path)
    o.add_argument("--budget", default=None, metavar="MONEY", help="money to spend, in the scenario's [costs] currency (default: its [optimize] budget), e.g. 5e7")
    o.add_argument("--objective", choices=("mean", "cvar95"), default=None, help="expected loss (default) or CVaR95 of the loss, in money")
    o.add_argument("--replications", type=_whole, default=None, metavar="N", help="replications of the random shocks, on common random numbers (default: [optimize], or 100)")
    o.add_argument("--search", choices=("auto", "exhaustive", "greedy"), default="auto", help="every subset, greedy with swaps, or auto: exhaustive up to [optimize].exhaustive_up_to candidates")
    o.add_argument("--list", action="store_true", help="list the candidates and their costs, simulate nothing")
    o.add_argument("--out", default=None, help="output folder (default: runs/optimize_<scenario file name>)")
    o.add_argument("--overwrite", action="store_true", help="replace --out even if it holds files simcore did not write for an optimization")
    o.add_argument("--resume", action="store_true", help="continue the optimization in --out (same options), reusing its finished rounds")
    o.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    o.add_argument("--engine", choices=ENGINES, default=None, help=f"default {DEFAULT_ENGINE}")
    o.add_argument("--chunk-size", type=int, default=None, metavar="K", help="replications per chunk (default 250)")
    o.add_argument("--workers", type=int, default=None, metavar="W", help="threads of the embedded default (default: all cores)")
    o.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on a running Dask scheduler, e.g. tcp://host:8786")
    o.add_argument("--dask-local", type=int, default=None, metavar="N", help="run on a local Dask cluster of N workers")
    o.add_argument("--no-plots", action="store_true")
    _tls_arguments(o)
    o.set_defaults(command=_optimize)

    v = sub.add_parser("validate", help="check a model or scenario file; exit 0 if valid, 2 if not")
    v.add_argument("file", type=Path)
    v.set_defaults(command=_validate)

    t = sub.add_parser("template", help="write an empty .xlsx workbook to fill in as a chain map (sheets, columns and their explanations)")
    t.add_argument("out", type=Path, help="workbook to write, ending in .xlsx")
    t.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    t.set_defaults(command=_template)

    g = sub.add_parser("generate", help="write a synthetic multi-tier chain map (for scale work)")
    g.add_argument("out", type=Path, help="model file to write; its tables go in a folder of the same name")
    g.add_argument("--format", choices=["csv", "parquet"], default="csv", help="the tables' format (default: csv)")
    g.add_argument("--firms", type=int, required=True)
    g.add_argument("--tiers", type=int, default=4)
    g.add_argument("--regions", type=int, default=6)
    g.add_argument("--seed", type=int, default=0)
    g.set_defaults(command=_generate)

    i = sub.add_parser("inspect", help="size, regions, cycles and short-board candidates of a model")
    i.add_argument("model", type=Path)
    i.add_argument("--origins", default="foreign", metavar="NAMES", help="comma-separated tags or regions whose supply alone makes a short board (default foreign)")
    i.add_argument("--all", action="store_true", help=f"list every customer's short boards (default: the first {SHOWN_CUSTOMERS})")
    i.set_defaults(command=_inspect)

    st = sub.add_parser("stress", help="knock out each firm, product or region in turn and rank them by chain loss (stuck necks)")
    st.add_argument("source", type=Path, metavar="MODEL_OR_SCENARIO")
    st.add_argument("--by", choices=("firm", "product", "region"), default="firm")
    st.add_argument("--duration", type=float, default=30.0, help="days each unit is out (default 30)")
    st.add_argument("--magnitude", type=float, default=1.0, help="share of capacity lost (default 1)")
    st.add_argument("--horizon", type=_whole, default=None, help="days simulated (default: the scenario's, or 365 for a model)")
    st.add_argument("--top", type=int, default=20, help="units in the printed list and stress.png (default 20)")
    st.add_argument("--sample", type=int, default=None, help="knock out a random sample of this many units (huge maps)")
    st.add_argument("--seed", type=int, default=0, help="of the sample")
    st.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE)
    st.add_argument("--origins", default="foreign", metavar="NAMES", help="comma-separated tags or regions whose supply alone makes a short board (the foreign_only flag; default foreign)")
    st.add_argument("--workers", type=int, default=None, help="threads (default: all cores)")
    st.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on a running Dask scheduler")
    st.add_argument("--dask-local", type=int, default=None, metavar="N", help="run on a local Dask cluster of N workers")
    st.add_argument("--out", default=None, help="output folder (default: runs/stress_<name>_<by>)")
    st.add_argument("--overwrite", action="store_true", help="replace --out even if it holds files simcore did not write for a stress test")
    st.add_argument("--no-plots", action="store_true")
    _tls_arguments(st)
    st.set_defaults(command=_stress)

    rp = sub.add_parser("report", help="write report.html, a self-contained page for a leader, from a result folder's files")
    rp.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a folder written by simcore run, run --replications, optimize or stress")
    rp.set_defaults(command=_report)
    se = sub.add_parser("sensitivity", help="rank the uncertain inputs by how much they move a variant's chain loss and a decision (Sobol or Morris)")
    se.add_argument("scenario", type=Path)
    se.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    se.add_argument("--samples", type=_whole, default=None, metavar="N", help="Sobol base samples, a power of 2 (default 256), or Morris trajectories (default 20)")
    se.add_argument("--variant", default=None, help="the variant whose loss is analysed (default: the reference variant)")
    se.add_argument("--versus", default=None, metavar="B", help="also analyse the decision: the paired loss difference VARIANT - B")
    se.add_argument("--robustness", type=_whole, default=None, metavar="R", help="also R Monte Carlo replications of the uncertain world: how often VARIANT is the best")
    se.add_argument("--within", type=float, default=0.05, help="with --robustness: 'near the best' means within this fraction of its loss (default 0.05)")
    se.add_argument("--seed", type=int, default=None, help="of the design (default the scenario's)")
    se.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE)
    se.add_argument("--workers", type=int, default=None, help="threads (default: all cores)")
    se.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on a running Dask scheduler")
    se.add_argument("--dask-local", type=int, default=None, metavar="N", help="run on a local Dask cluster of N workers")
    se.add_argument("--out", default=None, help="output folder (default: runs/sensitivity_<scenario file name>)")
    se.add_argument("--overwrite", action="store_true", help="replace --out even if it holds files simcore did not write for a sensitivity analysis")
    se.add_argument("--resume", action="store_true", help="continue the analysis in --out (same settings), reusing its finished rows")
    se.add_argument("--no-plots", action="store_true")
    _tls_arguments(se)
    se.set_defaults(command=_sensitivity)

    if "import" in (argv or ()):  # the importers' options load every importer: only when they are asked for
        from simcore.importers.cli import add_import_parser

        add_import_parser(sub)
    else:
        sub.add_parser("import", help="turn published supply-chain data into a chain map (simcore import --help)")
    return p


def _whole(text: str) -> int:
    """An integer, also written `1e6`, so that a too large count reaches its limit's message (simcore.limits)."""
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not value.is_integer():
            raise argparse.ArgumentTypeError(f"got {text!r}; expected a whole number") from None
        return int(value)


class _VersionAction(argparse._VersionAction):
    """`--version`: the version is looked up (importlib.metadata) only when asked for, not on every start."""

    def __call__(self, parser, namespace, values, option_string=None):
        self.version = f"simcore {_version()}"
        super().__call__(parser, namespace, values, option_string)


def _version() -> str:
    """The installed distribution's version (the package's own when run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("simcore")
    except PackageNotFoundError:
        from simcore import __version__

        return __version__


def _tls_arguments(p) -> None:
    g = p.add_argument_group("Dask TLS (docs/montecarlo.md: running a cluster safely)")
    g.add_argument("--tls-ca", default=None, metavar="FILE", help="CA certificate (PEM) the scheduler's certificate must be signed by")
    g.add_argument("--tls-cert", default=None, metavar="FILE", help="this client's certificate (PEM)")
    g.add_argument("--tls-key", default=None, metavar="FILE", help="this client's private key (PEM)")


def _security(args):
    from simcore.montecarlo.cluster import dask_security

    security = dask_security(args.tls_ca, args.tls_cert, args.tls_key)
    if security is not None and args.scheduler is None:
        raise InputError([Problem("command line", "--tls-ca", args.tls_ca, "--scheduler with it (TLS secures the connection to a running scheduler)")])
    return security


def _out(args, default: Path) -> Path:
    """--out as a Path; an empty one is refused (Path("") would be the current folder)."""
    from simcore.atomic import check_out

    out = default if args.out is None else Path(args.out)
    if args.out is not None and not args.out.strip():
        raise InputError([Problem("command line", "--out", args.out, "a folder name (not empty)")])
    check_out(out)
    return out


def _note(line: str) -> None:
    print(line, file=sys.stderr)


def _run(args) -> int:
    from simcore.api import load_scenario, run
    from simcore.atomic import claim
    from simcore.engines import DEFAULT_ENGINE
    from simcore.outputs import check_format, write_outputs

    out = _out(args, Path("runs") / args.scenario.stem)
    if args.seed is not None and args.seed < 0:
        raise InputError([Problem("command line", "--seed", args.seed, "a non-negative integer")])
    started = time.perf_counter()
    scenario = load_scenario(args.scenario)
    check_format(scenario)
    if args.dry_run:
        return _dry_run(args, scenario, started - STARTED, time.perf_counter() - started)
    batch_only = ("chunk_size", "workers", "scheduler", "dask_local", "tls_ca", "tls_cert", "tls_key")
    if args.replications is None and not args.resume:
        given = [f"--{k.replace('_', '-')}" for k in batch_only if getattr(args, k) not in (None, False)]
        if given:
            raise InputError([Problem("command line", given[0], getattr(args, given[0][2:].replace("-", "_")), "--replications N with it (it is a Monte Carlo option)")])
    else:
        return _run_batch(args, scenario, out)
    note = claim(out, "run", args.overwrite)
    args.engine = args.engine or DEFAULT_ENGINE
    result = run(scenario, engine=args.engine, seed=args.seed, progress=sys.stderr.isatty())
    write_outputs(result, out, plots=scenario.output.plots and not args.no_plots)  # results first, then the printout
    if note:
        _note(note)
    print(f"{scenario.name}: {len(scenario.model.firms)} firms, {scenario.horizon} days, engine {args.engine}, seed {result.seed}")
    if scenario.is_random:
        random = " and ".join(w for w, on in (("the shocks", scenario.sampler.is_random), ("some parameters", bool(scenario.uncertainty))) if on)
        print(f"note: {random} are random; this is replication 0 of the seed (--replications N gives the distribution)")
    print(f"variants ranked by loss; 'vs ref' is the paired difference against '{scenario.reference_variant}'")
    print(_metrics_table(result))
    _print_picks(scenario)
    print(f"results written to {out}/")
    return 0


def _dry_run(args, scenario, startup_s: float, load_s: float) -> int:
    import numba

    from simcore.engines import DEFAULT_ENGINE
    from simcore.estimate import estimate
    from simcore.limits import MAX_REPLICATIONS

    if args.resume or (args.replications is not None and not 1 <= args.replications <= MAX_REPLICATIONS):
        bad = ("--resume", True, "a new run: --dry-run estimates one, it does not continue a batch") if args.resume else ("--replications", args.replications, f"an integer from 1 to {MAX_REPLICATIONS:,}")
        raise InputError([Problem("command line", *bad)])
    if args.workers is not None:
        numba.set_num_threads(args.workers)
    found = estimate(scenario, args.replications, args.engine or DEFAULT_ENGINE, startup_s, load_s, args.seed)
    print("\n".join(found.lines(numba.get_num_threads())))
    return 0


def _run_batch(args, scenario, out: Path) -> int:
    from simcore.atomic import OutputError
    from simcore.montecarlo import run_batch
    from simcore.outputs import write_batch_outputs

    result = run_batch(
        scenario, args.replications, seed=args.seed, out=out, engine=args.engine, chunk_size=args.chunk_size, workers=args.workers,
        scheduler=args.scheduler, dask_local=args.dask_local, resume=args.resume, security=_security(args), overwrite=args.overwrite, notes=_note,
    )  # fmt: skip
    try:
        write_batch_outputs(result, out, plots=scenario.output.plots and not args.no_plots)  # results first, then the printout
    except OutputError as exc:
        raise OutputError(exc.path, exc.reason, f"every chunk is saved in {out}/; `simcore run {args.scenario} --out {out} --resume` writes the results") from None
    print(f"{scenario.name}: {len(scenario.model.firms)} firms, {scenario.horizon} days, {result.replications:,} replications, engine {result.engine}, seed {result.seed}")
    if not scenario.is_random:
        print("note: the scenario has no random shocks, so every replication is the same")
    print(f"variants ranked by mean loss, with 95% confidence intervals; 'vs ref' is the paired difference against '{scenario.reference_variant}'")
    print(_batch_table(result))
    _print_picks(scenario)
    print(f"results written to {out}/")
    return 0


def _batch_table(result) -> str:
    import pandas as pd

    t = result.comparison()
    pct = "{:.2%}".format
    shown = pd.DataFrame(
        {
            "chain": t.chain,
            "variant": t.variant,
            "loss (mean)": t.loss.map(pct),
            "95% CI": [f"{a:.2%}..{b:.2%}" for a, b in zip(t.loss_ci_low, t.loss_ci_high)],
            "VaR95": t.var95.map(pct),
            "CVaR95": t.cvar95.map(pct),
            "vs ref": [f"{d:+.2%} ({a:+.2%}..{b:+.2%})" for d, a, b in zip(t.d_loss, t.d_loss_ci_low, t.d_loss_ci_high)],
            "TTS (d)": t.tts.map("{:.1f}".format),
            "TTR (d)": t.ttr.map("{:.1f}".format),
            **_money_columns(t, result.scenario.costs.currency),
        }
    )
    return shown.to_string(index=False, na_rep="-") + _best_buy(t, result.scenario)


def _metrics_table(result) -> str:
    """Variants ranked by loss per chain, with the paired difference against the reference variant and the cost."""
    t = result.comparison()
    table = t[["chain", "variant", "loss", "d_loss", "depth", "tts", "ttr", "fill_rate", "firms_affected"]]
    shown = table.rename(columns={"tts": "TTS (d)", "ttr": "TTR (d)", "firms_affected": "affected", "d_loss": "vs ref"})
    shown = shown.assign(**_money_columns(t, result.scenario.costs.currency))
    return shown.to_string(
        index=False,
        na_rep="-",
        formatters={
            "loss": "{:.2%}".format,
            "vs ref": "{:+.2%}".format,
            "depth": "{:.1%}".format,
            "fill_rate": "{:.1%}".format,
            "TTS (d)": "{:.0f}".format,
            "TTR (d)": "{:.0f}".format,
        },
    ) + _best_buy(t, result.scenario)


def _money_columns(t, currency: str) -> dict:
    """The comparison's money columns, readable: cost, value saved, benefit-cost ratio."""
    from simcore.costs import format_money, format_ratio

    return {
        f"cost ({currency})": [format_money(v, "").strip() if v else "0" for v in t.cost],
        f"saves ({currency})": [format_money(v, "").strip() for v in t.value_saved],
        "benefit/cost": t.benefit_cost.map(format_ratio),
    }


def _best_buy(t, scenario) -> str:
    """A sentence on the total chain: the variant with the highest benefit-cost ratio, in money."""
    from simcore.costs import format_money

    total = t[(t.chain == "total") & (t.cost > 0)]
    if total.empty:
        return ""
    best = total.sort_values("benefit_cost", ascending=False, kind="stable").iloc[0]
    currency = scenario.costs.currency
    return (
        f"\nbest benefit/cost on the total chain: '{best.variant}' saves {format_money(best.value_saved, currency)}"
        f" for {format_money(best.cost, currency)}, {best.benefit_cost:.3g}x"
    )


def _stress(args) -> int:
    from simcore.atomic import claim
    from simcore.outputs import write_stress_outputs
    from simcore.stress import run_stress, setup_stress, stress_table

    if args.top < 1:
        raise InputError([Problem("command line", "--top", args.top, "an integer >= 1")])
    out = _out(args, Path("runs") / f"stress_{args.source.stem}_{args.by}")
    security = _security(args)
    setup, cmap = setup_stress(args.source, by=args.by, duration=args.duration, magnitude=args.magnitude, horizon=args.horizon, sample=args.sample, seed=args.seed, engine=args.engine)
    origins = _origins(cmap, args.origins)
    note = claim(out, "stress", args.overwrite)
    metrics = run_stress(setup, workers=args.workers, scheduler=args.scheduler, dask_local=args.dask_local, security=security)
    table = stress_table(setup, cmap, metrics, origins)
    write_stress_outputs(setup, cmap, table, out, top=args.top, plots=not args.no_plots, source=args.source)  # results first, then the printout
    if note:
        _note(note)
    print(f"{setup.name}: {len(setup.units)} {args.by} knock-outs of {setup.magnitude:.0%} for {setup.duration:g} days, {setup.run.horizon} days simulated, engine {args.engine}")
    print(f"stuck necks: the top {min(args.top, len(table))} by total chain loss")
    chains = [c for c in setup.run.chain_names if c != "total"]
    per_chain = [f"loss_{c}" for c in chains]
    columns = ["rank", "unit", "loss", *per_chain, *(["chains_hurt"] if chains else []), "depth", "tts", "ttr", "single_sourced", "foreign_only", "category"]
    percent = {k: "{:.2%}".format for k in ("loss", *per_chain)}
    formats = {**percent, "depth": "{:.1%}".format, "tts": "{:.0f}".format, "ttr": "{:.0f}".format}
    import pandas as pd

    pd.set_option("display.unicode.east_asian_width", True)  # Chinese names keep their columns aligned
    print(table.head(args.top)[columns].to_string(index=False, na_rep="-", formatters=formats))
    if chains:
        from simcore.stress import shared_stuck_necks

        shared = shared_stuck_necks(table)
        print(f"\nshared stuck necks: {len(shared)} units hurt two or more of the {len(chains)} chains (output below 99% of baseline)" + (", the top:" if len(shared) else ""))
        if len(shared):
            print(shared.head(args.top)[["unit", "chains_hurt", "hurt", "loss", *per_chain]].to_string(index=False, formatters=percent))
    print(f"results written to {out}/")
    return 0


def _report(args) -> int:
    from simcore.report import write_report

    print(f"report written to {write_report(args.run_dir)}")
    return 0


def _budget(text: str | None):
    """--budget as a number (NaN and negatives are refused by simcore.optimize with the rest of the input)."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError([Problem("command line", "--budget", text, "a sum of money >= 0, such as 5e7")]) from None


def _optimize(args) -> int:
    from simcore.api import load_scenario
    from simcore.costs import format_money, format_ratio
    from simcore.portfolios import optimize
    from simcore.portfolios.candidates import draw_candidates
    from simcore.outputs import check_format, write_optimize_outputs
    from simcore.scenario.schema import Optimize

    budget = _budget(args.budget)
    out = _out(args, Path("runs") / f"optimize_{args.scenario.stem}")
    if args.seed is not None and args.seed < 0:
        raise InputError([Problem("command line", "--seed", args.seed, "a non-negative integer")])
    scenario = load_scenario(args.scenario)
    check_format(scenario)
    currency = scenario.costs.currency
    if args.list:
        return _list_candidates(scenario, draw_candidates(scenario, scenario.optimize or Optimize(), args.engine or "numba"))
    from simcore.montecarlo.runner import _check

    _check(args.replications, args.chunk_size, args.workers, args.dask_local, args.scheduler)
    result = optimize(
        scenario, budget, args.objective, args.replications, args.seed, args.search, out, args.engine, args.chunk_size, args.workers,
        args.scheduler, args.dask_local, args.resume, args.overwrite, progress=None, security=_security(args), notes=_note,
    )  # fmt: skip
    write_optimize_outputs(result, out, plots=scenario.output.plots and not args.no_plots)
    money = lambda v: format_money(v, currency)  # noqa: E731
    ev = result.evaluation
    print(f"{scenario.name}: {len(scenario.model.firms)} firms, {scenario.horizon} days, {result.replications:,} replication(s), engine {ev.engine}, seed {ev.seed}")
    goal = "expected total chain loss" if result.objective == "mean" else "CVaR95 of the total chain loss"
    limits = "".join(f", {c} at most {money(b)}" for c, b in result.chain_budgets.items())
    print(f"budget {money(result.budget)}{limits}; minimising the {goal} in money")
    groups = Counter(c.group for c in ev.candidates)
    print(f"{len(ev.candidates)} candidates ({', '.join(f'{n} {g}' for g, n in groups.items())}); search: {result.search}, {len(result.scores)} portfolios simulated in {ev.rounds} rounds")
    row = result.row(result.chosen)
    print(f"\nchosen portfolio: {row['portfolio']}")
    for c in sorted(result.chosen):
        print(f"  - {ev.candidates[c].name}: {money(result.cost(frozenset([c])))} alone; {ev.candidates[c].description}")
    ratio = format_ratio(row["benefit_cost"])
    print(
        f"saves {money(row['value_saved'])} (95% CI {money(row['value_saved_ci_low'])} to {money(row['value_saved_ci_high'])}) "
        f"for {money(row['cost'])}, {ratio}; expected loss {money(row['expected_loss'])} against {money(result.row(frozenset())['expected_loss'])} doing nothing"
    )
    sure = result.confidence()
    if sure is not None:
        print(
            f"how sure: it loses less than the runner-up ({sure['runner_up']}, {money(sure['runner_up_cost'])}) in {sure['beats_share']:.0%} of the "
            f"replications (ties {sure['tie_share']:.0%}); by {money(sure['advantage'])} on average (95% CI {money(sure['advantage_ci_low'])} to {money(sure['advantage_ci_high'])})"
        )
    robust = result.robustness()
    if robust is not None:
        flips = ", ".join(f"{f['input']} ({f['standardized_gap']:+.2f} sd)" for f in robust["flips"][:3] if f["standardized_gap"])
        print(f"over the uncertain world: the best of the frontier's {len(robust['candidates'])} portfolios within the budget in {robust['p_best']:.0%} of the replications, "
              f"within 5% of the best in {robust['p_within']:.0%}" + (f"; inputs that flip it: {flips}" if flips else ""))  # fmt: skip
    print("\nhow the choice moves with the budget (the best portfolio found within each; every step of the frontier is in frontier.csv):")
    levels = [result.budget * k / FRONTIER_LEVELS for k in range(1, FRONTIER_LEVELS + 1)]
    cols = ["within", f"cost ({currency})", f"saves ({currency})", "benefit/cost"]
    cells, last = [], None
    for b in levels:
        p = result.best_at(b)
        if p is None or p == last:
            continue
        last = p
        r = result.row(p)
        cells.append(([format_money(b, "").strip(), format_money(r["cost"], "").strip(), format_money(r["value_saved"], "").strip(), format_ratio(r["benefit_cost"])], p))
    width = [max(len(h), *(len(c[k]) for c, _ in cells)) for k, h in enumerate(cols)]
    print("   " + "  ".join(h.rjust(w) for h, w in zip(cols, width)) + "  portfolio")
    for c, p in cells:
        print(("*  " if p == result.chosen else "   ") + "  ".join(x.rjust(w) for x, w in zip(c, width)) + "  " + ev.name(p))
    print(f"results written to {out}/")
    return 0


def _list_candidates(scenario, candidates) -> int:
    from simcore.costs import format_money
    from simcore.portfolios.evaluate import Evaluation

    ev = Evaluation(scenario, candidates.chosen, 1, scenario.seed, "numba")
    print(f"{scenario.name}: {len(candidates.chosen)} candidates (cost alone, in {scenario.costs.currency})")
    for k, c in enumerate(candidates.chosen):
        print(f"  {c.name} [{c.group}]: {format_money(ev.cost(frozenset([k])), '').strip()}; {c.description}")
    for name, why in candidates.skipped:
        print(f"  skipped {name}: {why}")
    return 0


def _validate(args) -> int:
    from simcore.api import load_scenario
    from simcore.chainmap import load_model
    from simcore.validation import file_kind

    kind = file_kind(args.file)
    if kind == "scenario":
        sc = load_scenario(args.file)
        print(f"{args.file}: valid scenario '{sc.name}' ({len(sc.shock_specs)} shocks, {len(sc.variants)} variants) on model {sc.model.file}")
    else:
        m = load_model(args.file)
        print(f"{args.file}: valid model '{m.name}' ({len(m.firms)} firms, {len(m.links)} links)")
    return 0


def _template(args) -> int:
    from simcore.chainmap.workbook import write_template

    if args.out.suffix.lower() != ".xlsx":
        raise InputError([Problem("command line", "OUT", str(args.out), "a workbook file name ending in .xlsx")])
    if args.out.exists() and not args.overwrite:
        raise InputError([Problem("command line", "OUT", str(args.out), "a file that does not exist yet (a filled workbook is not replaced without --overwrite)")])
    write_template(args.out)
    print(f"{args.out}: fill in the sheets products, recipes, firms, links and demand (the sheet explanations says what each column holds); "
          f"then: simcore validate {args.out}")
    return 0


def _generate(args) -> int:
    from simcore.generate import generate_map, write_map

    problems = [Problem("command line", f"--{k}", getattr(args, k), f"an integer >= {lo}") for k, lo in (("firms", 2), ("tiers", 2), ("regions", 1), ("seed", 0)) if getattr(args, k) < lo]
    if problems:
        raise InputError(problems)
    smap = generate_map(args.firms, tiers=args.tiers, seed=args.seed, regions=args.regions)
    path = write_map(smap, args.out, name=args.out.stem, description=f"synthetic: {args.firms} firms, {args.tiers} tiers, seed {args.seed}", table_format=args.format)
    print(f"{path}: {len(smap.firms)} firms, {len(smap.links)} links, {len(smap.products)} products")
    return 0


def _print_picks(scenario) -> None:
    """What each `fill_short_board` picked and why, one line per pick (also in summary.json)."""
    from simcore.scenario.policies import pick_line, short_board_picks

    for variant, picks in short_board_picks(scenario.model, scenario.variants).items():
        for pick in picks:
            print(f"short board picked by '{variant}': {pick_line(pick)}")


FRONTIER_LEVELS = 10  # budget levels `simcore optimize` prints the best portfolio of: a tenth of the budget, two tenths, ...
SHOWN_CUSTOMERS = 40  # customers whose short boards `simcore inspect` lists without --all


def _origins(cmap, text: str) -> tuple[str, ...]:
    """`--origins a,b` as names, each a tag or region of the map (the default `foreign` is never a problem)."""
    from simcore.chainmap.inspect import origin_problems

    origins = tuple(o.strip() for o in text.split(",") if o.strip())
    if not origins:
        raise InputError([Problem("command line", "--origins", text, "comma-separated tags or regions of the map's firms")])
    problems = origin_problems(cmap, origins, "command line", "--origins")
    if problems:
        raise InputError(problems)
    return origins


def _inspect(args) -> int:
    from simcore.chainmap import load_model
    from simcore.chainmap.inspect import FIVE_BASICS, OTHER_BASIC, origin_label, short_boards, short_boards_of, summarize

    m = load_model(args.model)
    origins = _origins(m, args.origins)
    s = summarize(m)
    print(f"{s['name']}: {s['products']} products, {s['firms']} firms, {s['links']} links, {s['final_demand_firms']} firms with final demand")
    print("regions: " + ", ".join(f"{r} ({n})" for r, n in s["regions"].items()))
    if s["tags"]:
        print("tags: " + ", ".join(f"{t} ({n})" for t, n in s["tags"].items()))
    if s["chains"]:
        print("chains: " + ", ".join(s["chains"]))
    cycles = s["cyclic_groups"]
    print(f"cycles: {len(cycles)} group(s) of firms supplying each other" + (": " + "; ".join(", ".join(c[:6]) + (" ..." if len(c) > 6 else "") for c in cycles[:5]) if cycles else ""))
    rows = short_boards_of(m, origins)
    boards = short_boards(m, origins, rows)
    customers = list(dict.fromkeys(r["customer"] for r in rows))
    print(
        f"short boards: {len(boards)} products, a short board of {len(customers)} customers in {len(rows)} (customer, input) pairs "
        f"(a binding input bought from one firm: single-sourced; or only from {'/'.join(origins)} firms: {origin_label(origins)}; docs/model.md)"
    )
    if not rows:
        return 0
    import pandas as pd

    pd.set_option("display.unicode.east_asian_width", True)  # Chinese names keep their columns aligned
    basics = [b for b in (*FIVE_BASICS, OTHER_BASIC) if any(r["basic"] == b for r in boards)]
    print("\nby the five basics:")
    table = pd.DataFrame(boards)
    for b in basics:
        part = table[table.basic == b].drop(columns=["basic", "category"])
        print(f"  {b} ({len(part)}):")
        print("\n".join("    " + line for line in part.to_string(index=False).splitlines()))
    chains = [c for c in m.chains if any(c in r["chains"] for r in rows)]
    if chains:
        print("\nper chain (products, and the customers in the chain whose short board each is):")
        for c in chains:
            mine = [r for r in rows if c in r["chains"]]
            print(f"  {c}: {len({r['product'] for r in mine})} products at {len({r['customer'] for r in mine})} customers")
            for b in basics:
                counts = Counter(r["product"] for r in mine if r["basic"] == b)
                if counts:
                    print(f"    {b}: " + ", ".join(f"{q} ({n})" for q, n in counts.items()))
    shown = customers if args.all else customers[:SHOWN_CUSTOMERS]
    print(f"\nper customer ({len(shown)} of {len(customers)}{'' if len(shown) == len(customers) else ', --all lists every one'}):")
    per = pd.DataFrame([{**r, "chains": ", ".join(r["chains"]) or "-", "suppliers": ", ".join(r["suppliers"])} for r in rows if r["customer"] in set(shown)])
    per["order"] = per.basic.map({b: k for k, b in enumerate(basics)})
    per = per.sort_values(["order"], kind="stable")
    per["customer"] = pd.Categorical(per.customer, categories=shown, ordered=True)
    per = per.sort_values(["customer"], kind="stable")[["customer", "chains", "basic", "product", "reason", "suppliers"]]
    print("\n".join("  " + line for line in per.to_string(index=False).splitlines()))
    return 0


def _sensitivity(args) -> int:
    """`simcore sensitivity`: the ranked inputs printed, sensitivity.csv/.png and summary.json written (docs/sensitivity.md)."""
    from simcore.api import load_scenario
    from simcore.atomic import claim
    from simcore.outputs import write_sensitivity_outputs
    from simcore.sensitivity import sensitivity

    out = _out(args, Path("runs") / f"sensitivity_{args.scenario.stem}")
    if args.seed is not None and args.seed < 0:
        raise InputError([Problem("command line", "--seed", args.seed, "a non-negative integer")])
    scenario = load_scenario(args.scenario)
    note = None if args.resume else claim(out, "sensitivity", args.overwrite)
    result = sensitivity(
        scenario, args.method, args.samples, args.variant, args.versus, seed=args.seed, engine=args.engine, workers=args.workers,
        scheduler=args.scheduler, dask_local=args.dask_local, security=_security(args), progress=sys.stderr.isatty(),
        robustness=args.robustness, within=args.within, out=out, resume=args.resume, overwrite=bool(note) or args.overwrite, notes=_note,
    )  # fmt: skip
    write_sensitivity_outputs(result, out, plots=not args.no_plots)
    if note:
        _note(note)
    rows = result.loss.shape[0]
    print(f"{scenario.name}: {len(result.varying)} uncertain inputs, {result.method} N = {result.samples}: {rows:,} rows x {result.loss.shape[1]} variants, seed {result.seed}")
    print("every row runs on replication 0's draw of the random shocks; intervals are 95% (bootstrap)")
    for output in result.outputs:
        t = result.ranking(output)
        keys = ["S1", "S1_conf", "ST", "ST_conf"] if result.method == "sobol" else ["mu_star", "mu_star_conf", "sigma"]
        shown = t[["input", *keys]].assign(**{"at 10%": (100 * t.at_low).map("{:.2f}%".format), "at 90%": (100 * t.at_high).map("{:.2f}%".format)})
        print(f"\n{output} (total chain), inputs ranked by {'ST' if result.method == 'sobol' else 'mu*'}:")
        print(shown.to_string(index=False, float_format="{:.3f}".format))
    if result.robustness is not None:
        r = result.robustness
        print(f"\nrobustness over {r['replications']:,} replications of the uncertain world: '{r['chosen']}' is the best in {r['p_best']:.0%}, "
              f"within {r['within']:.0%} of the best in {r['p_within']:.0%}")  # fmt: skip
        flips = [f"{f['input']} ({f['standardized_gap']:+.2f} sd)" for f in r["flips"][:3] if f["standardized_gap"]]
        if flips:
            print("inputs that flip the choice (mean when it wins minus otherwise): " + ", ".join(flips))
    print(f"results written to {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

