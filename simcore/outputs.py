"""Writing a run's files: all into a fresh folder beside the target, renamed into place only on success."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from simcore.errors import InputError, Problem
from simcore.result import ScenarioResult


def check_writable(out: Path) -> None:
    """Fail before simulating if the output folder cannot be created where asked."""
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent)
        os.rmdir(probe)
    except OSError as exc:
        raise InputError([Problem(str(out), "--out", str(out), f"a folder that can be written ({exc.strerror or exc})")]) from None
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), "--out", str(out), "a folder, not a file")])


def check_format(scenario) -> None:
    """Parquet needs pyarrow: say so before simulating, not after."""
    if scenario.output.format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError([Problem(str(scenario.file), "output.format", "parquet", 'expected "csv", or install pyarrow (pip install -e ".[parquet]")')]) from None


def write_outputs(result: ScenarioResult, out: Path, plots: bool = True) -> Path:
    """Write summary.json, the trajectory tables and the figures to `out`, atomically."""
    check_writable(out)
    fmt = result.scenario.output.format
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.resolve().parent))
    try:
        (tmp / "summary.json").write_text(json.dumps(result.summary(), indent=2) + "\n")
        _write_table(result.comparison(), tmp / f"metrics.{fmt}", fmt)
        _write_table(result.chain_trajectories(), tmp / f"chain_trajectories.{fmt}", fmt)
        firms = result.firm_trajectories()
        if firms is not None:
            _write_table(firms, tmp / f"firm_trajectories.{fmt}", fmt)
            _write_table(result.firm_metrics(), tmp / f"firm_metrics.{fmt}", fmt)
        if plots:
            from simcore.plots import plot_chain_masters, plot_output, plot_variants

            plot_output(result, tmp / "output.png")
            plot_variants(result, tmp / "variants.png")
            plot_chain_masters(result, tmp / "chain_masters.png")
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _write_table(df, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)


def write_batch_outputs(result, out: Path, plots: bool = True) -> Path:
    """Beside the batch's chunks: summary.json, the replications, bands and metrics (comparison) tables, and
    fan.png, loss_hist.png, variants.png; each file written atomically."""
    from simcore.montecarlo.store import atomic_write

    fmt = result.scenario.output.format
    atomic_write(out / "summary.json", lambda p: p.write_text(json.dumps(result.summary(), indent=2) + "\n"))
    for name, table in (("replications", result.replications_table()), ("bands", result.bands()), ("metrics", result.comparison())):
        atomic_write(out / f"{name}.{fmt}", lambda p, t=table: _write_table(t, p, fmt))
    if plots:
        from simcore.plots import plot_fan, plot_loss_hist, plot_variants_ci

        for name, plot in (("fan.png", plot_fan), ("loss_hist.png", plot_loss_hist), ("variants.png", plot_variants_ci)):
            atomic_write(out / name, lambda p, plot=plot: _save_png(plot(result), p))
    return out


def _save_png(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.savefig(path, format="png")
    plt.close(fig)


def write_stress_outputs(setup, cmap, table, out: Path, top: int = 20, plots: bool = True) -> Path:
    """stress.csv, stress.json, stress.png (the top units) and map.png (the map coloured by criticality), atomically."""
    import numpy as np

    from simcore.montecarlo.store import atomic_write
    from simcore.versions import versions

    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "stress.csv", lambda p: table.to_csv(p, index=False))
    doc = {
        "source": setup.name,
        "by": setup.by,
        "duration": setup.duration,
        "magnitude": setup.magnitude,
        "horizon": setup.run.horizon,
        "engine": setup.engine,
        "versions": versions(),
        "units": len(setup.units),
        "ranking": json.loads(table.to_json(orient="records")),
    }
    atomic_write(out / "stress.json", lambda p: p.write_text(json.dumps(doc, indent=2) + "\n"))
    if plots:
        from simcore.plots import plot_map, plot_stress

        title = f"{setup.name}: {setup.by} knock-outs, {setup.magnitude:.0%} for {setup.duration:g} days"
        atomic_write(out / "stress.png", lambda p: _save_png(plot_stress(table, title, top=top), p))
        loss = dict(zip(table.unit, table.loss))
        criticality = np.zeros(len(cmap.firms))
        for unit, firms in zip(setup.units, setup.members):
            criticality[firms] = loss[unit]
        atomic_write(out / "map.png", lambda p: _save_png(plot_map(cmap, criticality, title + " (node colour: loss when its unit is out; size: output)"), p))
    return out
