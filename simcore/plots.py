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
    if path is not None:
        fig.savefig(path)
        plt.close(fig)
    return fig
