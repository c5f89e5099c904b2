"""The figures of a run and a batch without clutter: no two texts overprint, legends stand beside the data, chain
masters by name, a panel per chain, shock names staggered, random shocks named, units on the axes."""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path

import pytest

import simcore
from outputs.drawn import legends, overlapping, texts
from simcore import plots
from simcore.montecarlo import run_batch

ROOT = Path(__file__).resolve().parents[2]
HORIZON = 80
CLOSE_SHOCKS = """
[[shocks]]
name = "alloy plant fire"
kind = "firm_outage"
select = { ids = ["mag_nb2"] }
magnitude = 1.0
start = 31
duration = 20

[[shocks]]
name = "port strike at Ningbo"
kind = "firm_outage"
select = { ids = ["cast_nb"] }
magnitude = 0.5
start = 33
duration = 10
"""
LONG_VARIANT = """
[[variants]]
name = "a variant with a very long name that says everything it does and more, really"
description = "as-is under another name"
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    """The embargo (named chains, random shocks, costs) on a short horizon, with two more named shocks that start
    within days of it (their names would overprint) and a variant with a long name."""
    text = (ROOT / "scenarios" / "ev_chip_embargo.toml").read_text()
    text = text.replace('model = "../models/ev_chain.toml"', f"model = {json.dumps(str(ROOT / 'models' / 'ev_chain.toml'))}")
    text = re.sub(r"(?m)^horizon = \d+$", f"horizon = {HORIZON}", text)
    head, variants = text.split("[[variants]]", 1)
    path = tmp_path_factory.mktemp("figures") / "embargo.toml"
    path.write_text(head + CLOSE_SHOCKS + "\n[[variants]]" + variants + LONG_VARIANT)
    return path


@pytest.fixture(scope="module")
def run(scenario):
    return simcore.run(scenario, firm_trajectories=True)


@pytest.fixture(scope="module")
def batch(scenario, tmp_path_factory):
    return run_batch(scenario, 6, out=tmp_path_factory.mktemp("batch") / "b", chunk_size=6, progress=False)


def covers_data(fig) -> bool:
    """Whether a legend lies over an axes that shows data (lines, bars or bands)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for legend in legends(fig):
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            if ax.get_visible() and (ax.lines or ax.patches or ax.collections) and box.overlaps(ax.get_window_extent(renderer)):
                return True
    return False


FIGURES = {
    "output": lambda r, b: plots.plot_output(r),
    "variants": lambda r, b: plots.plot_variants(r),
    "chain_masters": lambda r, b: plots.plot_chain_masters(r),
    "fan": lambda r, b: plots.plot_fan(b),
    "loss_hist": lambda r, b: plots.plot_loss_hist(b),
    "variants_ci": lambda r, b: plots.plot_variants_ci(b),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_no_two_texts_of_a_figure_overlap(run, batch, name):
    fig = FIGURES[name](run, batch)
    assert not overlapping(texts(fig)), name
    plots.plt.close(fig)


@pytest.mark.parametrize("name", ["output", "chain_masters", "fan", "loss_hist"])
def test_legends_stand_beside_the_data(run, batch, name):
    fig = FIGURES[name](run, batch)
    assert legends(fig) and not covers_data(fig), name
    plots.plt.close(fig)


def test_shock_names_are_staggered_and_random_shocks_named(run):
    fig = plots.plot_output(run)
    main = fig.axes[0]
    names = [t.get_text().strip() for t in main.texts]
    assert {"chip export control", "alloy plant fire", "port strike at Ningbo"} <= set(names)
    assert len({round(t.get_position()[1], 3) for t in main.texts}) >= 2  # three windows within three days: two rows or more
    labels = [t.get_text() for legend in legends(fig) for t in legend.get_texts()]
    assert any("random shocks" in label for label in labels)
    assert any(label == plots.BASELINE for label in labels)
    plots.plt.close(fig)


def test_output_has_the_total_and_a_panel_per_chain(run):
    fig = plots.plot_output(run)
    titles = [ax.get_title(loc="left") or ax.get_title() for ax in fig.axes]
    assert titles == ["total chain", "chain ev", "chain ess"]
    assert "%" in fig.axes[0].get_yticklabels()[1].get_text()
    plots.plt.close(fig)


def test_chain_masters_are_titled_by_their_names(run):
    fig = plots.plot_chain_masters(run)
    masters = [f for f in run.scenario.model.firms if "chain_master" in f.tags]
    shown = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert [t.split("\n")[0] for t in shown] == [f.name for f in masters]
    plots.plt.close(fig)


def test_axes_say_their_units(run, batch):
    for fig in (plots.plot_variants(run), plots.plot_variants_ci(batch)):
        left, right = fig.axes
        assert "percentage points" in left.get_ylabel() and "(CNY)" in right.get_ylabel()
        plots.plt.close(fig)
    fig = plots.plot_loss_hist(batch)
    assert "baseline (no-shock) output value" in fig.axes[0].get_xlabel()
    plots.plt.close(fig)


def test_the_fan_says_random_shocks_differ_per_replication(batch):
    fig = plots.plot_fan(batch)
    labels = [t.get_text() for legend in legends(fig) for t in legend.get_texts()]
    assert any("per\nreplication" in label for label in labels)
    plots.plt.close(fig)


def test_chinese_variant_and_firm_names_draw_without_a_missing_glyph_warning(run):
    import dataclasses

    model = run.scenario.model
    firms = tuple(f.model_copy(update={"name": "长安汽车 " + f.id}) if "chain_master" in f.tags else f for f in model.firms)
    chinese = dataclasses.replace(run, scenario=dataclasses.replace(run.scenario, model=dataclasses.replace(model, firms=firms)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.plot_chain_masters(chinese)
        fig.savefig(io.BytesIO(), format="png")
    plots.plt.close(fig)


def test_the_frontier_has_no_overlapping_texts_and_money_on_both_axes(scenario, tmp_path):
    from simcore.portfolios import optimize

    result = optimize(scenario, budget=2e7, replications=4, out=tmp_path / "opt", progress=False, workers=1)
    fig = plots.plot_frontier(result)
    assert not overlapping(texts(fig))
    ax = fig.axes[0]
    assert "(CNY)" in ax.get_xlabel() and "(CNY)" in ax.get_ylabel()
    plots.plt.close(fig)


def test_random_outages_shade_the_union_of_their_events():
    assert plots._union([(5, 9), (1, 3), (2, 4), (9, 12), (20, 21)]) == [(1, 4), (5, 12), (20, 21)]
