"""Writing a run's, a batch's and a stress test's files, all through simcore.atomic: a single run and a stress test
fill a fresh folder beside the target that is renamed into place only on success; a batch writes each table
atomically beside its chunks and summary.json last, so summary.json never stands without its tables. Each folder's
report.html (simcore.report) is built from the folder's own files, before the folder is renamed into place or
before summary.json, so a finished folder always has it."""

from __future__ import annotations

import json
from pathlib import Path

from simcore.atomic import atomic_folder, atomic_write, write_text
from simcore.errors import InputError, Problem
from simcore.report import write_report
from simcore.result import ScenarioResult


def check_format(scenario) -> None:
    """Parquet needs pyarrow, and a sheet holds at most EXCEL_ROWS rows: say so before simulating, not after."""
    if scenario.output.format == "xlsx" and scenario.output.firm_trajectories:
        from simcore.chainmap.workbook import EXCEL_ROWS

        rows = (scenario.horizon + 1) * len(scenario.model.firms) * len(scenario.variants)  # firm_trajectories: a row per variant, day and firm
        if rows >= EXCEL_ROWS:
            raise InputError([Problem(str(scenario.file), "output.format", "xlsx", f"csv or parquet: table firm_trajectories would have up to {rows:,} rows, "
                                      f"more than a sheet's {EXCEL_ROWS - 1:,} (or set output.firm_trajectories = false)")])
    if scenario.output.format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError([Problem(str(scenario.file), "output.format", "parquet", 'expected "csv", or install pyarrow (pip install -e ".[parquet]")')]) from None


def write_outputs(result: ScenarioResult, out: Path, plots: bool = True) -> Path:
    """Write summary.json, the trajectory tables and the figures to `out`, atomically (the folder whole or not at all)."""
    fmt = result.scenario.output.format
    with atomic_folder(out) as tmp:
        write_text(tmp / "summary.json", json.dumps(result.summary(), indent=2) + "\n")
        _write_table(result.comparison(), tmp / f"metrics.{fmt}", fmt)
        _write_table(result.chain_trajectories(), tmp / f"chain_trajectories.{fmt}", fmt)
        firms = result.firm_trajectories()
        if firms is not None:
            _write_table(firms, tmp / f"firm_trajectories.{fmt}", fmt)
            _write_table(result.firm_metrics(), tmp / f"firm_metrics.{fmt}", fmt)
        if plots:
            from simcore.plots import plot_chain_masters, plot_output, plot_variants

            plot_output(result, tmp / "output.png")  # the folder is renamed into place whole: no file needs its own rename
            plot_variants(result, tmp / "variants.png")
            plot_chain_masters(result, tmp / "chain_masters.png")
        write_report(tmp, out=out)
    return out


def _write_table(df, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        atomic_write(path, lambda p: df.to_parquet(p, index=False))
    elif fmt == "xlsx":
        from simcore.chainmap.workbook import write_table

        atomic_write(path, lambda p: write_table(df, p, path.stem))
    else:
        atomic_write(path, lambda p: write_csv(df, p))


def _write_slices(slices, path: Path, fmt: str) -> None:
    """A table given as consecutive slices (data frames of the same columns), written one slice at a time, so that
    only one slice is in memory: CSV, the same bytes as the whole table through `write_csv`; Parquet, one row group
    per slice (the same table read back). A sheet holds at most about a million rows, so xlsx is built whole."""
    if fmt == "xlsx":
        import pandas as pd

        _write_table(pd.concat(list(slices), ignore_index=True), path, fmt)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        def write(p: Path) -> None:
            writer = None
            try:
                for df in slices:
                    table = pa.Table.from_pandas(df, preserve_index=False)
                    writer = writer or pq.ParquetWriter(p, table.schema)
                    writer.write_table(table)
            finally:
                if writer is not None:
                    writer.close()

        atomic_write(path, write)
    else:

        def write(p: Path) -> None:
            with open(p, "wb") as fh:
                for k, df in enumerate(slices):
                    _csv_rows(df, fh, header=k == 0)

        atomic_write(path, write)


def write_csv(df, path: Path) -> None:
    """`df` as CSV, every float in its shortest exact form: Arrow's writer, about ten times faster than pandas'
    on the firm trajectories, which dominated the time to a single run's first result (benchmarks/jit.py)."""
    with open(path, "wb") as fh:
        _csv_rows(df, fh, header=True)


def _csv_rows(df, fh, header: bool) -> None:
    """`df`'s rows as CSV onto the open binary file `fh`, after its header line if `header`: rows are written
    independently of each other, so slices written one after another give the bytes of the whole table."""
    import csv as text_csv
    import io

    import pyarrow as pa
    from pyarrow import csv

    if header:
        line = io.StringIO()
        text_csv.writer(line, lineterminator="\n").writerow(df.columns)  # quoted only where needed, as the rows
        fh.write(line.getvalue().encode("utf-8"))
    if len(df):
        csv.write_csv(pa.Table.from_pandas(df, preserve_index=False), fh, csv.WriteOptions(include_header=False, quoting_style="needed"))


def write_batch_outputs(result, out: Path, plots: bool = True) -> Path:
    """Beside the batch's chunks: summary.json, the replications, bands and metrics (comparison) tables, and
    fan.png, loss_hist.png, variants.png; each file written atomically, summary.json last (a batch stopped by a full
    disk has its chunks and no summary.json, and `--resume` writes the rest)."""
    fmt = result.scenario.output.format
    _write_slices(result.replications_slices(), out / f"replications.{fmt}", fmt)
    for name, table in (("bands", result.bands()), ("metrics", result.comparison())):
        _write_table(table, out / f"{name}.{fmt}", fmt)
    if plots:
        from simcore.plots import plot_fan, plot_loss_hist, plot_variants_ci

        for name, plot in (("fan.png", plot_fan), ("loss_hist.png", plot_loss_hist), ("variants.png", plot_variants_ci)):
            atomic_write(out / name, lambda p, plot=plot: _save_png(plot(result), p))
    _write_summary(out, result.summary(), "batch")
    return out


def _write_summary(out: Path, summary: dict, kind: str) -> None:
    """report.html, built from the summary exactly as summary.json will read back, then summary.json last."""
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    write_report(out, json.loads(text), kind, out)
    write_text(out / "summary.json", text)


def _save_png(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.savefig(path, format="png")
    plt.close(fig)


def write_stress_outputs(setup, cmap, table, out: Path, top: int = 20, plots: bool = True, source: Path | None = None) -> Path:
    """stress.csv, stress.json, stress.png (the top units), map.png (the map coloured by criticality), on a map
    with named chains shared_stuck_necks.csv (the units that hurt two or more chains), and report.html, atomically
    (the folder whole or not at all). `source`: the model or scenario file, for the report's command line."""
    with atomic_folder(out) as tmp:
        _write_stress(setup, cmap, table, tmp, top, plots, source)
        write_report(tmp, out=out)
    return out


def _write_stress(setup, cmap, table, out: Path, top: int, plots: bool, source: Path | None) -> None:
    from simcore.versions import versions

    from simcore.stress import shared_stuck_necks

    atomic_write(out / "stress.csv", lambda p: write_csv(table, p))
    shared = shared_stuck_necks(table)
    if "chains_hurt" in table:
        atomic_write(out / "shared_stuck_necks.csv", lambda p: write_csv(shared, p))
    doc = {
        "source": setup.name,
        "file": None if source is None else str(source),
        "by": setup.by,
        "duration": setup.duration,
        "magnitude": setup.magnitude,
        "horizon": setup.run.horizon,
        "engine": setup.engine,
        "versions": versions(),
        "units": len(setup.units),
        "chains": [c for c in setup.run.chain_names if c != "total"],
        "ranking": json.loads(table.to_json(orient="records", force_ascii=False)),
        "shared_stuck_necks": json.loads(shared.to_json(orient="records", force_ascii=False)),
    }
    write_text(out / "stress.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    if plots:
        from simcore.plots import map_views, plot_map, plot_stress

        title = f"{setup.name}: {setup.by} knock-outs, {setup.magnitude:.0%} for {setup.duration:g} days"
        names = {f.id: f.name for f in cmap.firms} if setup.by == "firm" else {q.id: q.name for q in cmap.products} if setup.by == "product" else {}
        atomic_write(out / "stress.png", lambda p: _save_png(plot_stress(table, title, top=top, names=names), p))
        for name, chain in map_views(cmap):  # map.png, and map_<chain>.png per chain of a map of several (its own loss)
            column = "loss" if chain is None or f"loss_{chain}" not in table else f"loss_{chain}"
            crit = _criticality(setup, cmap, dict(zip(table.unit, table[column])))
            of = "total chain" if column == "loss" else f"chain {chain}"
            atomic_write(out / name, lambda p, c=chain, k=crit, w=of: _save_png(plot_map(cmap, k, title, chain=c, necks=min(top, 10), loss_of=w), p))


def _criticality(setup, cmap, loss: dict):
    """Per firm, the loss when its stress-test unit is knocked out (0 for a firm of no unit knocked out)."""
    import numpy as np

    criticality = np.zeros(len(cmap.firms))
    for unit, firms in zip(setup.units, setup.members):
        criticality[firms] = loss[unit]
    return criticality


def write_optimize_outputs(result, out: Path, plots: bool = True) -> Path:
    """Beside the rounds' chunks: candidates, portfolios and frontier tables, frontier.png, and summary.json last."""
    fmt = result.scenario.output.format
    tables = (("candidates", result.candidates_table()), ("portfolios", result.portfolios_table()), ("frontier", result.frontier_table()))
    for name, table in tables:
        _write_table(table, out / f"{name}.{fmt}", fmt)
    if plots:
        from simcore.plots import plot_frontier

        atomic_write(out / "frontier.png", lambda p: _save_png(plot_frontier(result), p))
    _write_summary(out, result.summary(), "optimize")
    return out


def write_sensitivity_outputs(result, out: Path, plots: bool = True) -> Path:
    """Beside the rows' chunks (rows/): sensitivity.csv (indices and tornado values per input, output and chain),
    sensitivity.png, report.html and summary.json, each written atomically, summary.json last."""
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "sensitivity.csv", lambda p: write_csv(result.indices, p))
    if plots:
        from simcore.plots import chinese_fallback, plot_sensitivity

        chinese_fallback()
        atomic_write(out / "sensitivity.png", lambda p: _save_png(plot_sensitivity(result), p))
    summary = result.summary()
    write_report(out, summary, "sensitivity", out)
    write_text(out / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return out
