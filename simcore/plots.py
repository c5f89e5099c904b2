"""Figures from results (never from engine internals)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from simcore.result import ScenarioResult  # noqa: E402


def plot_output(result: ScenarioResult, path: Path | None = None, chain: str = "total"):
    """Chain output / baseline over time, one line per variant, shock windows shaded."""
    table = result.chain_trajectories()
    table = table[table.chain == chain]
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    for spec in result.scenario.shock_specs:
        label = spec.name or spec.kind.replace("_", " ")
        ax.axvspan(spec.start, spec.start + spec.duration, color="tab:red", alpha=0.12, lw=0)
        ax.text(spec.start + 0.5, 1.0, label, transform=ax.get_xaxis_transform(), va="top", fontsize=8, color="tab:red")
    for variant, rows in table.groupby("variant", sort=False):
        ax.plot(rows.day, rows.ratio, lw=1.6, label=variant, drawstyle="steps-post")
    ax.axhline(1.0, color="0.3", lw=0.8, ls="--", label="baseline")
    ax.axhline(0.99, color="0.6", lw=0.6, ls=":")
    ax.set_xlabel("day")
    ax.set_ylabel("chain output / baseline")
    ax.set_title(f"{result.scenario.name} — chain output ({chain}, {result.engine} engine)")
    ax.set_ylim(bottom=min(0.0, table.ratio.min() - 0.05), top=max(1.1, table.ratio.max() + 0.05))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def plot_variants(result: ScenarioResult, path: Path | None = None, chain: str = "total"):
    """Loss reduction against the reference variant per variant (bars), and each variant's cost (second axis)."""
    table = result.comparison()
    table = table[table.chain == chain]
    ref = result.scenario.reference_variant
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(table) + 2), 4.5), dpi=110)
    x = range(len(table))
    colors = ["0.6" if v == ref else ("tab:green" if r >= 0 else "tab:red") for v, r in zip(table.variant, table.loss_reduction)]
    ax.bar(x, 100 * table.loss_reduction, color=colors, width=0.6, label="loss reduction vs " + ref)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_ylabel(f"loss reduction vs '{ref}' (percentage points)")
    ax.set_xticks(list(x), [v.replace(" + ", "\n+ ") for v in table.variant], fontsize=8)
    cost_ax = ax.twinx()
    cost_ax.plot(list(x), table.cost, "D", color="tab:blue", label="cost")
    cost_ax.set_ylabel("cost of the variant's policies", color="tab:blue")
    cost_ax.set_ylim(bottom=0, top=max(1.0, float(table.cost.max()) * 1.2))
    ax.set_title(f"{result.scenario.name} — variants ranked by loss ({chain}); one run, no interval")
    fig.tight_layout()
    return _save(fig, path)


def plot_chain_masters(result: ScenarioResult, path: Path | None = None, tag: str = "chain_master"):
    """Small multiples: output / baseline of each chain-master firm over time, one line per variant."""
    firms = [f.id for f in result.scenario.model.firms if tag in f.tags]
    table = result.firm_trajectories()
    if not firms or table is None:
        return None
    cols = min(3, len(firms))
    rows = -(-len(firms) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.6 * rows), dpi=100, sharex=True, sharey=True, squeeze=False)
    for ax, firm in zip(axes.flat, firms):
        for variant, part in table[table.firm == firm].groupby("variant", sort=False):
            ax.plot(part.day, part.ratio, lw=1.2, label=variant, drawstyle="steps-post")
        for spec in result.scenario.shock_specs:
            ax.axvspan(spec.start, spec.start + spec.duration, color="tab:red", alpha=0.1, lw=0)
        ax.set_title(firm, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(firms) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="lower left")
    fig.supylabel("output / baseline")
    fig.supxlabel("day")
    fig.suptitle(f"{result.scenario.name} — firms tagged '{tag}'")
    fig.tight_layout()
    return _save(fig, path)


def _save(fig, path: Path | None):
    if path is not None:
        fig.savefig(path)
        plt.close(fig)
    return fig
