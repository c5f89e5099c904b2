"""Figures from results (never from engine internals)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simcore.result import ScenarioResult  # noqa: E402

CJK_FONT = "NotoSansCJKsc-Regular.otf"  # Noto Sans CJK SC (SIL Open Font License), shipped by the mplfonts package


def chinese_fallback() -> str:
    """Let Chinese names render in every figure: Noto Sans CJK SC, which the `mplfonts` dependency installs (no system
    font needed), is registered and follows the generic family in `font.family`; matplotlib falls back glyph by glyph
    along that list (a generic family alone resolves to one font), so Latin text keeps DejaVu Sans. Returns the
    font's family name; text in another family passes `[family, name]` (see MONOSPACE)."""
    from matplotlib import font_manager
    from mplfonts.conf import FONT_DIR

    path = str(Path(FONT_DIR) / CJK_FONT)
    name = font_manager.FontProperties(fname=path).get_name()
    if name not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams["font.family"] = ["sans-serif", name]
    return name


MONOSPACE = ["monospace", chinese_fallback()]  # monospaced text with the Chinese fallback


BASELINE = "baseline (no shock) = 100%"  # the one meaning of "baseline" in every figure: the steady state before any shock
THRESHOLD = "99%: the drop / recovery threshold\n(TTS, TTR)"
LOSS = "% of the baseline (no-shock) output value over the horizon"
SHOCK_COLOR = "tab:red"


def _percent(ax, axis: str = "y") -> None:
    """Ratios to baseline (1 = 100%) shown as percentages."""
    from matplotlib.ticker import FuncFormatter

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))


def wrap(text: str, width: int = 22, lines: int = 3) -> str:
    """A long name (a variant, a firm) on at most `lines` lines of `width` characters, cut with "…" beyond."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder="…", break_on_hyphens=False)) or text


def _baseline_lines(ax) -> None:
    ax.axhline(1.0, color="0.3", lw=0.8, ls="--", label=BASELINE)
    ax.axhline(0.99, color="0.6", lw=0.6, ls=":", label=THRESHOLD)


def plot_output(result: ScenarioResult, path: Path | None = None, chain: str | None = None):
    """Chain output value / baseline over time, one line per variant, shock windows shaded and named. Without
    `chain`: the total chain on top and, when the map has named chains, one small panel per chain below it."""
    table = result.chain_trajectories()
    chains = [chain] if chain else list(dict.fromkeys(table.chain))
    variants = list(dict.fromkeys(table.variant))
    colors = {v: f"C{k % 10}" for k, v in enumerate(variants)}
    below = chains[1:]
    cols = min(3, len(below)) or 1
    rows = -(-len(below) // cols)
    fig = plt.figure(figsize=(12, 4.6 + 2.6 * rows), dpi=110)
    grid = fig.add_gridspec(
        1 + rows, cols, height_ratios=[1.9] + [1] * rows, left=0.08, right=0.72, top=0.9, bottom=0.09 if rows else 0.12, hspace=0.35, wspace=0.25
    )
    main = fig.add_subplot(grid[0, :])
    axes = [main] + [fig.add_subplot(grid[1 + k // cols, k % cols], sharex=main) for k in range(len(below))]
    low = min(0.0, float(np.nanmin(table.ratio)) - 0.05)
    high = max(1.1, float(np.nanmax(table.ratio)) + 0.05)
    handles = []
    for ax, c in zip(axes, chains):
        rows_c = table[table.chain == c]
        for variant, part in rows_c.groupby("variant", sort=False):
            ax.plot(part.day, part.ratio, lw=1.6 if ax is main else 1.1, color=colors[variant], label=wrap(variant, 34, 2), drawstyle="steps-post")
        _baseline_lines(ax)
        ax.set_xlim(0, result.scenario.horizon)
        ax.set_ylim(low, high)
        _percent(ax)
        ax.grid(alpha=0.3)
        if ax is not main:
            ax.set_title(f"chain {c}", fontsize=9)
            ax.tick_params(labelsize=8)
    handles, _ = main.get_legend_handles_labels()
    shocks = shade_shocks(main, result.scenario.shock_specs, result.variants[0].shocks, top=high)
    for ax in axes[1:]:
        shade_shocks(ax, result.scenario.shock_specs, result.variants[0].shocks, labels=False)
    main.set_ylabel("chain output value\n(% of baseline, no shock)")
    main.set_title(f"{chains[0]} chain", fontsize=9, loc="left")
    fig.supxlabel("day of the simulation", fontsize=10, y=0.01)
    fig.suptitle(f"{result.scenario.name}: chain output, one run per variant ({result.engine} engine)", fontsize=11)
    fig.legend(
        handles=handles + shocks,
        loc="upper left",
        bbox_to_anchor=(0.735, 0.9),
        fontsize=8,
        frameon=False,
        title="variant",
        title_fontsize=8,
        alignment="left",
    )
    return _save(fig, path)


def plot_variants(result: ScenarioResult, path: Path | None = None, chain: str = "total"):
    """Loss reduction against the reference variant per variant (bars), and each variant's cost (second axis)."""
    table = result.comparison()
    table = table[table.chain == chain]
    ref = result.scenario.reference_variant
    fig, ax = plt.subplots(figsize=(max(7, 1.7 * len(table) + 3), 5), dpi=110)
    x = range(len(table))
    colors = ["0.6" if v == ref else ("tab:green" if r >= 0 else "tab:red") for v, r in zip(table.variant, table.loss_reduction)]
    ax.bar(x, 100 * table.loss_reduction, color=colors, width=0.6)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_ylabel(f"loss avoided against '{wrap(ref, 24, 1)}'\n(percentage points of the baseline\noutput value over the horizon)")
    _variant_ticks(ax, x, table.variant)
    ax.margins(y=0.1)
    money_axis(ax, list(x), table, result.scenario.costs.currency, 100 * table.loss_reduction)
    ax.set_title(f"{result.scenario.name}: variants ranked by the {chain} chain's loss (one run, no interval)", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def _variant_ticks(ax, x, names) -> None:
    """Variant names under the bars, wrapped to the room a bar has (at most three lines, "…" beyond)."""
    ax.set_xticks(list(x), [wrap(v, 18, 3) for v in names], fontsize=8)


def plot_chain_masters(result: ScenarioResult, path: Path | None = None, tag: str = "chain_master"):
    """Small multiples: output / baseline of each chain-master firm over time (titled by the firm's name), one line
    per variant; the legend beside the panels."""
    model = result.scenario.model
    firms = [model.firms[k] for k in np.flatnonzero(model.tagged(tag)).tolist()]
    table = result.firm_trajectories()
    if not firms or table is None:
        return None
    cols = min(3, len(firms))
    rows = -(-len(firms) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols + 3.4, 2.6 * rows + 1.2), dpi=100, sharex=True, sharey=True, squeeze=False)
    for ax in axes.flat[len(firms) :]:
        ax.set_visible(False)
    for ax, firm in zip(axes.flat, firms):
        for variant, part in table[table.firm == firm.id].groupby("variant", sort=False):
            ax.plot(part.day, part.ratio, lw=1.2, label=wrap(variant, 30, 2), drawstyle="steps-post")
        ax.axhline(1.0, color="0.3", lw=0.8, ls="--", label=BASELINE)
        shocks = shade_shocks(ax, result.scenario.shock_specs, result.variants[0].shocks, labels=False)
        ax.set_title(wrap(firm.name or firm.id, 40, 1) + ("" if not firm.name else f"\n{firm.id}"), fontsize=8.5)
        ax.grid(alpha=0.3)
        _percent(ax)
    ax.set_xlim(0, result.scenario.horizon)
    handles, _ = axes.flat[0].get_legend_handles_labels()
    fig.supylabel("firm output (% of its baseline, no shock)", fontsize=10)
    fig.supxlabel("day of the simulation", fontsize=10)
    fig.suptitle(f"{result.scenario.name}: firms tagged '{tag}'")
    fig.tight_layout(rect=(0.03, 0.03, (4 * cols) / (4 * cols + 3.4), 1), h_pad=1.5)  # room for the figure's axis labels
    fig.legend(
        handles=handles + shocks,
        loc="upper left",
        bbox_to_anchor=((4 * cols) / (4 * cols + 3.4), 0.92),
        fontsize=7.5,
        frameon=False,
        title="variant",
        title_fontsize=8,
        alignment="left",
    )
    return _save(fig, path)


def shade_shocks(ax, specs, shocks, labels: bool = True, random: str = "random shocks\n(this run's draw)", top: float | None = None,
                 typical: bool = False) -> list:  # fmt: skip
    """Shade each scenario shock's window (first start to last end of its rows) and, with `labels`, name it at the
    top of the axes, staggered in rows so that no two names overprint (the axes' top is raised to `top` plus the
    rows, when given, so that the names stand above the lines); a random outage shades each event lightly, or,
    when the shocks hold none of its draws (a batch: they differ per replication), nothing. Returns legend handles
    for what is shaded; `typical`: the shocks are the scenario's typical values (a batch's), which the legend says
    when a window's start or duration is random."""
    from matplotlib.patches import Patch

    from simcore.scenario.distributions import is_random

    windows, drawn, undrawn = [], False, False
    for n, spec in enumerate(specs):
        rows = shocks.source == n
        if spec.kind == "random_outage":
            undrawn |= not rows.any()
            for a, b in _union(zip(shocks.start[rows].tolist(), (shocks.start[rows] + shocks.duration[rows]).tolist())):
                ax.axvspan(a, b, color=SHOCK_COLOR, alpha=0.06, lw=0)  # the union: a lockdown's many firms shade once
                drawn = True
            continue
        if not rows.any():
            continue
        start, end = float(shocks.start[rows].min()), float((shocks.start[rows] + shocks.duration[rows]).max())
        ax.axvspan(start, end, color=SHOCK_COLOR, alpha=0.12, lw=0)
        windows.append((start, end, spec.name or spec.kind.replace("_", " ")))
    if labels and windows:
        used = _stagger(ax, windows)
        if top is not None:
            bottom = ax.get_ylim()[0]
            share = 0.02 + 0.07 * used  # of the axes' height the names take
            ax.set_ylim(bottom, (top - share * bottom) / (1 - share))
    window = "shock window (scenario)"
    if typical and any(is_random(getattr(spec, f, None)) for spec in specs if spec.kind != "random_outage" for f in ("start", "duration")):
        window = "shock window (scenario; a random\nstart or duration at its typical value)"
    handles = [Patch(color=SHOCK_COLOR, alpha=0.12, lw=0, label=window)] if windows else []
    if drawn:
        handles.append(Patch(color=SHOCK_COLOR, alpha=0.06, lw=0, label=random))
    elif undrawn:
        handles.append(Patch(color="none", lw=0, label="random shocks: drawn per\nreplication, not shaded"))
    return handles


def _union(intervals) -> list[tuple[float, float]]:
    """Overlapping intervals merged, in order."""
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _stagger(ax, windows) -> int:
    """Each shock's name at the top of the axes from its window's start, in the first row (from the top) where its
    box overlaps no name placed before it; returns the rows used."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed, rows = [], 0
    for start, end, label in windows:
        for row in range(12):
            y = 0.985 - 0.07 * row
            text = ax.text(
                start, y, " " + label, transform=ax.get_xaxis_transform(), va="top", ha="left", fontsize=8, color=SHOCK_COLOR, clip_on=False
            )
            box = text.get_window_extent(renderer)
            if box.x1 > frame.x1:  # past the right edge: end it where its window ends
                text.set_x(end)
                text.set_ha("right")
                text.set_text(label + " ")
                box = text.get_window_extent(renderer)
            if not any(box.padded(1).overlaps(p) for p in placed):
                placed.append(box)
                rows = max(rows, row + 1)
                break
            text.remove()
    return rows


def plot_fan(result, path: Path | None = None, chain: str = "total"):
    """Quantile bands of chain output / baseline per variant over the replications: 5-95% and 25-75%, median; the
    scenario's shock windows shaded (random shocks differ per replication and are not)."""
    from matplotlib.patches import Patch

    bands = result.bands()
    bands = bands[bands.chain == chain]
    variants = list(dict.fromkeys(bands.variant))
    cols = min(2, len(variants))
    rows = -(-len(variants) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols + 3.2, 3.2 * rows + 1.2), dpi=100, sharex=True, sharey=True, squeeze=False)
    for ax in axes.flat[len(variants) :]:
        ax.set_visible(False)
    shocks = []
    for k, (ax, variant) in enumerate(zip(axes.flat, variants)):
        color = f"C{k % 10}"
        b = bands[bands.variant == variant]
        ax.fill_between(b.day, b.q05, b.q95, color=color, alpha=0.2, lw=0, step="post")
        ax.fill_between(b.day, b.q25, b.q75, color=color, alpha=0.4, lw=0, step="post")
        ax.plot(b.day, b.q50, color=color, lw=1.4, drawstyle="steps-post")
        ax.axhline(1.0, color="0.3", lw=0.8, ls="--")
        shocks = shade_shocks(ax, result.scenario.shock_specs, result.scenario.shocks, labels=False, typical=True)
        ax.set_title(wrap(variant, 60, 1), fontsize=9)
        ax.grid(alpha=0.3)
        _percent(ax)
    ax.set_xlim(0, result.scenario.horizon)
    key = [
        Patch(color="0.5", alpha=0.2, lw=0, label="5-95% of replications"),
        Patch(color="0.5", alpha=0.5, lw=0, label="25-75%"),
        plt.Line2D([], [], color="0.3", lw=1.4, label="median"),
        plt.Line2D([], [], color="0.3", lw=0.8, ls="--", label=BASELINE),
        *shocks,
    ]
    right = 6 * cols / (6 * cols + 3.2)
    fig.supylabel(f"{chain} chain output value (% of baseline, no shock)", fontsize=10)
    fig.supxlabel("day of the simulation", fontsize=10)
    fig.suptitle(f"{result.scenario.name}: {chain} chain output over {result.replications:,} replications")
    fig.tight_layout(rect=(0.03, 0.03, right, 1), h_pad=1.5)  # room for the figure's axis labels
    fig.legend(
        handles=key,
        loc="upper left",
        bbox_to_anchor=(right, 0.9),
        fontsize=7.5,
        frameon=False,
        title="each panel, in its colour",
        title_fontsize=8,
        alignment="left",
    )
    return _save(fig, path)


def plot_loss_hist(result, path: Path | None = None, chain: str = "total"):
    """The loss distribution per variant, with VaR95 marked (dashed, its value in the legend: no labels on the lines
    to overprint)."""
    c = result.chains.index(chain)
    fig, ax = plt.subplots(figsize=(11, 4.8), dpi=110)
    losses = 100 * result.metrics[:, :, c, 0]
    edges = np.histogram_bin_edges(losses, bins=40) if np.ptp(losses) > 0 else np.linspace(losses.min() - 0.5, losses.max() + 0.5, 3)
    for v, variant in enumerate(result.variants):
        color = f"C{v % 10}"
        var = 100 * result.statistics[variant][chain]["loss"]["var95"]
        ax.hist(losses[:, v], bins=edges, histtype="step", lw=1.5, color=color, label=f"{wrap(variant, 34, 2)}\nVaR95 {var:.1f}%")
        ax.axvline(var, color=color, ls="--", lw=1)
    ax.set_xlabel(f"loss of the {chain} chain ({LOSS})")
    ax.set_ylabel(f"replications (of {result.replications:,})")
    ax.set_title(
        f"{result.scenario.name}: loss over {result.replications:,} replications (dashed: VaR95, 95% of replications lose less)", fontsize=10
    )
    ax.legend(
        fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="variant", title_fontsize=8, alignment="left", labelspacing=0.9
    )
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}%"))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def plot_variants_ci(result, path: Path | None = None, chain: str = "total"):
    """Mean loss reduction against the reference variant with its 95% confidence interval (paired), and cost."""
    table = result.comparison()
    table = table[table.chain == chain]
    ref = result.scenario.reference_variant
    fig, ax = plt.subplots(figsize=(max(7, 1.7 * len(table) + 3), 5), dpi=110)
    x = np.arange(len(table))
    reduction = -100 * table.d_loss.to_numpy()
    low, high = -100 * table.d_loss_ci_high.to_numpy(), -100 * table.d_loss_ci_low.to_numpy()
    err = np.nan_to_num(np.vstack([reduction - low, high - reduction]), nan=0.0)
    colors = ["0.6" if v == ref else ("tab:green" if r >= 0 else "tab:red") for v, r in zip(table.variant, reduction)]
    ax.bar(x, reduction, color=colors, width=0.6, yerr=err, capsize=4, ecolor="0.2")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_ylabel(f"mean loss avoided against '{wrap(ref, 24, 1)}'\n(percentage points of the baseline\noutput value over the horizon; 95% CI)")
    _variant_ticks(ax, x, table.variant)
    ax.margins(y=0.1)
    money_axis(ax, list(x), table, result.scenario.costs.currency, np.nan_to_num(high))
    ax.set_title(f"{result.scenario.name}: variants ranked by the {chain} chain's mean loss, {result.replications:,} replications", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def money_axis(ax, x, table, currency: str, heights=None) -> None:
    """Each variant's cost (diamonds, second axis, in money) and, under its name on the x axis, what it saves for
    what it costs (there no label can hide a diamond or a bar); a legend below the axes says which mark is which.
    `heights` is not used (kept for callers of the former labels above the bars)."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    from simcore.costs import format_money, format_ratio

    cost_ax = ax.twinx()
    cost_ax.plot(x, table.cost, "D", color="tab:blue", ms=6, label=f"cost of the variant ({currency}, right axis)")
    cost_ax.set_ylabel(f"cost of the variant's policies over the horizon ({currency})", color="tab:blue")
    cost_ax.set_ylim(bottom=0, top=max(1.0, float(table.cost.max()) * 1.2))
    cost_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_money(v, "").strip()))
    names = [t.get_text() for t in ax.get_xticklabels()]
    labels = []
    for name, row in zip(names, table.itertuples()):
        money = (
            f"saves {format_money(row.value_saved, '').strip()}\nfor {format_money(row.cost, '').strip()}: {format_ratio(row.benefit_cost)}"
            if row.cost > 0
            else "no cost"
        )
        labels.append(f"{name}\n\n{money}")
    ax.set_xticks(list(x), labels, fontsize=8)
    handles = [
        Patch(color="tab:green", label="loss avoided (left axis)"),
        *cost_ax.get_legend_handles_labels()[0],
        Patch(color="none", label=f"under each name: value saved and cost ({currency}), benefit / cost"),
    ]
    ax.legend(handles=handles, fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, frameon=False)


def _save(fig, path: Path | None):
    if path is not None:
        fig.savefig(path)
        plt.close(fig)
    return fig


CATEGORY_COLORS = {
    "raw_material": "#8c564b",
    "basic_material": "#bcbd22",
    "basic_component": "#1f77b4",
    "core_electronic_component": "#d62728",
    "basic_process": "#9467bd",
    "industrial_software": "#e377c2",
    "subassembly": "#ff7f0e",
    "final_product": "#2ca02c",
    "technology_base": "#17becf",
    "service": "#7f7f7f",
}


def plot_stress(table, title: str, path: Path | None = None, top: int = 20, names: dict | None = None):
    """The top units of a stress ranking: chain loss when each is knocked out, coloured by product category; each
    unit by its name when `names` has one (a firm's or a product's name), its id otherwise; the legend beside."""
    rows = table.head(top).iloc[::-1]
    names = names or {}
    fig, ax = plt.subplots(figsize=(11, 0.32 * len(rows) + 1.8), dpi=110)
    colors = [CATEGORY_COLORS.get(c, "0.5") for c in rows.category]
    ax.barh(range(len(rows)), 100 * rows.loss, color=colors)
    flags = [f"{' (single-sourced)' if s else ''}{' (foreign-only)' if f else ''}" for s, f in zip(rows.single_sourced, rows.foreign_only)]
    labels = [f"{_shorten(names.get(u) or str(u), 34)}{flag}" for u, flag in zip(rows.unit, flags)]
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel(f"total chain loss when knocked out ({LOSS})", fontsize=9)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}%"))
    present = [c for c in CATEGORY_COLORS if c in set(rows.category)]
    handles = [plt.Rectangle((0, 0), 1, 1, color=CATEGORY_COLORS[c]) for c in present]
    ax.legend(
        handles,
        [c.replace("_", " ") for c in present],
        fontsize=7.5,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        title="category",
        title_fontsize=8,
        alignment="left",
    )
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


# --- the chain map -------------------------------------------------------------------------------------------------

MAP_MAX_NODES = 300  # beyond this many firms a map is drawn one node per product and tier
MASTER_TAG = "chain_master"
NECK_COLOR, BOARD_COLOR, MASTER_COLOR = "black", "tab:orange", "tab:blue"


def tiers(g) -> dict:
    """Tier of every node of a directed graph `supplier -> customer`: the longest path to it from a node without
    suppliers (tier 0), counted on the condensation, so that the firms of a supply loop share one tier."""
    import networkx as nx

    dag = nx.condensation(g)
    depth: dict[int, int] = {}
    for c in nx.topological_sort(dag):
        depth[c] = max((depth[p] + 1 for p in dag.predecessors(c)), default=0)
    return {n: depth[c] for c, members in dag.nodes(data="members") for n in members}


def map_views(cmap) -> list[tuple[str, str | None]]:
    """The map figures of a stress test, (file, chain): `map.png` for the whole map and, on a map of several named
    chains, `map_<chain>.png` for each."""
    return [("map.png", None), *((f"map_{c}.png", c) for c in (cmap.chains if len(cmap.chains) > 1 else ()))]


def map_graph(cmap, criticality, firms=None, necks: int = 10, origins=None, max_nodes: int = MAP_MAX_NODES) -> dict:
    """What `plot_map` draws: nodes and edges with their tier, value (output x price per day), criticality, chain
    master, short-board and stuck-neck marks; one node per firm, or, beyond `max_nodes` firms, one per product and
    tier (value summed, criticality the largest of its firms, edges' flows summed)."""
    import networkx as nx

    from simcore.chainmap.inspect import DEFAULT_ORIGINS, short_boards_of

    firms = np.arange(len(cmap.firms)) if firms is None else np.asarray(firms)
    inside = set(firms.tolist())
    g = nx.DiGraph()
    g.add_nodes_from(firms.tolist())
    flows: dict[tuple[int, int], float] = {}
    for link, j, i, a in zip(cmap.links, cmap.link_supplier.tolist(), cmap.link_customer.tolist(), cmap.link_coef.tolist()):
        if j in inside and i in inside:
            g.add_edge(j, i)  # the baseline flow's value: share x a x customer's output x supplier's price
            flows[j, i] = flows.get((j, i), 0.0) + link.share * a * float(cmap.outputs[i]) * float(cmap.prices[j])
    tier = tiers(g)
    value = np.maximum(cmap.outputs, 0) * cmap.prices
    board_links, board_firms = set(), set()
    for row in short_boards_of(cmap, DEFAULT_ORIGINS if origins is None else origins):
        i = cmap.firm_index[row["customer"]]
        for j in (cmap.firm_index[s] for s in row["suppliers"]):
            if i in inside and j in inside:
                board_links.add((j, i))
                board_firms.add(j)
    crit = np.asarray(criticality, dtype=float)
    ranked = sorted((k for k in inside if crit[k] > 0), key=lambda k: (-crit[k], -value[k], k))
    neck = {k: r + 1 for r, k in enumerate(ranked[:necks])}
    masters = {k for k in inside if MASTER_TAG in cmap.firms[k].tags}
    product = {k: cmap.products[cmap.firm_product[k]] for k in inside}
    by = None  # one node per firm, or per product and tier, or (a map of as many products as firms) per category and tier
    if len(firms) > max_nodes:
        by = "product" if len({(product[k].id, tier[k]) for k in inside}) <= max_nodes else "category"
    group = {k: product[k].id for k in inside}
    key = {k: k if by is None else (group[k], tier[k]) for k in inside}
    if by == "category":  # the most important firms (stuck necks, masters, by value) alone, the others per category and tier
        alone = sorted(inside, key=lambda k: (k not in neck, neck.get(k, 0), k not in masters, -value[k], -crit[k], k))[: max_nodes // 2]
        key = {k: k if k in alone else ("other " + product[k].category.value, tier[k]) for k in inside}
        group = {k: group[k] if k in alone else key[k][0] for k in inside}
    nodes: dict = {}
    for k in firms.tolist():
        n = nodes.setdefault(
            key[k],
            {
                "tier": tier[k],
                "group": group[k],
                "category": product[k].category.value,
                "value": 0.0,
                "crit": 0.0,
                "master": False,
                "board": False,
                "neck": None,
                "firms": 0,
            },
        )
        n["value"] += float(value[k])
        n["crit"] = max(n["crit"], float(crit[k]))
        n["master"] |= k in masters
        n["board"] |= k in board_firms
        if k in neck:
            n["neck"] = min(n["neck"] or neck[k], neck[k])
        n["firms"] += 1
        if key[k] == k:
            n["label"] = _shorten(cmap.firms[k].name or cmap.firms[k].id)
    for g, n in nodes.items():
        if isinstance(g, tuple):
            name = (cmap.products[cmap.product_index[g[0]]].name or g[0]) if by == "product" else g[0].replace("_", " ")
            n["label"] = f"{_shorten(name, 22)}, {n['firms']} firms" if n["firms"] > 1 else _shorten(name)
    edges: dict = {}
    for (j, i), f in flows.items():
        e = edges.setdefault((key[j], key[i]), {"flow": 0.0, "board": False})
        e["flow"] += f
        e["board"] |= (j, i) in board_links
    return {
        "nodes": nodes,
        "edges": {e: d for e, d in edges.items() if e[0] != e[1]},
        "aggregated": by is not None,
        "by": by,
        "firms": len(firms),
        "necks": len(neck),
    }


def _map_layout(nodes: dict, edges: dict) -> dict:
    """x = tier; in each tier the nodes of one product together, products and nodes ordered by the mean height of
    their suppliers (a sweep right, then left, then right again) so that links cross less; y in (0, 1)."""
    by_tier: dict[int, list] = {}
    for n, d in nodes.items():
        by_tier.setdefault(d["tier"], []).append(n)
    preds: dict = {n: [] for n in nodes}
    succs: dict = {n: [] for n in nodes}
    for a, b in edges:
        preds[b].append(a)
        succs[a].append(b)
    y = {}
    for t in sorted(by_tier):  # first placement: product, then value
        members = sorted(by_tier[t], key=lambda n: (nodes[n]["group"], -nodes[n]["value"], str(n)))
        y.update({n: (k + 0.5) / len(members) for k, n in enumerate(members)})

    def sweep(order, neighbours):
        for t in order:
            members = by_tier[t]
            bary = {n: float(np.mean([y[m] for m in neighbours[n]])) if neighbours[n] else y[n] for n in members}
            group = {}
            for n in members:
                group.setdefault(nodes[n]["group"], []).append(bary[n])
            gmean = {g: float(np.mean(v)) for g, v in group.items()}
            members = sorted(members, key=lambda n: (gmean[nodes[n]["group"]], nodes[n]["group"], bary[n], str(n)))
            y.update({n: (k + 0.5) / len(members) for k, n in enumerate(members)})

    levels = sorted(by_tier)
    sweep(levels[1:], preds)
    sweep(levels[-2::-1], succs)
    sweep(levels[1:], preds)
    return {n: (nodes[n]["tier"], y[n]) for n in nodes}


def place_labels(ax, items, fontsize: float = 7, pad_px: float = 2.0, max_labels: int | None = None, avoid=()) -> list:
    """Greedy label placement: each (x, y, text, radius in points[, key]) in order of importance gets the first of
    a few positions around its point (right, left, above, below, the diagonals, then farther out with a leader line)
    whose box, in display coordinates, lies inside the axes and overlaps no label placed before it nor a marker of
    `avoid`, (key, x, y, radius in points), other than its own; a label with no free position is left out. Returns
    the annotations placed."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    px = fig.dpi / 72
    markers = []
    for key, x, y, r in avoid:
        cx, cy = ax.transData.transform((x, y))
        markers.append((key, Bbox.from_extents(cx - r * px, cy - r * px, cx + r * px, cy + r * px)))
    placed, out = [], []
    for item in items:
        x, y, text, radius = item[:4]
        own = item[4] if len(item) > 4 else None
        if max_labels is not None and len(out) >= max_labels:
            break
        r = radius + 2
        for far, (dx, dy, ha, va) in [
            (f, o)
            for f in (1.0, 2.2)
            for o in (
                (r, 0, "left", "center"),
                (-r, 0, "right", "center"),
                (0, r, "center", "bottom"),
                (0, -r, "center", "top"),
                (0.75 * r, 0.75 * r, "left", "bottom"),
                (-0.75 * r, 0.75 * r, "right", "bottom"),
                (0.75 * r, -0.75 * r, "left", "top"),
                (-0.75 * r, -0.75 * r, "right", "top"),
            )
        ]:
            arrow = {"arrowstyle": "-", "lw": 0.4, "color": "0.35", "shrinkA": 0, "shrinkB": radius} if far > 1 else None
            offset = (far * dx + 6 * np.sign(dx) * (far > 1), far * dy + 6 * np.sign(dy) * (far > 1))
            label = ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=fontsize, zorder=6, arrowprops=arrow,
                                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})  # fmt: skip
            box = label.get_window_extent(renderer).padded(pad_px)
            free = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            free = free and not any(box.overlaps(p) for p in placed) and not any(k != own and box.overlaps(m) for k, m in markers)
            if free:
                placed.append(box)
                out.append(label)
                break
            label.remove()
    return out


def _shorten(text: str, width: int = 28) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def plot_map(cmap, criticality: np.ndarray, title: str, path: Path | None = None, chain: str | None = None, necks: int = 10,
             origins=None, max_nodes: int = MAP_MAX_NODES, labels: int = 30, loss_of: str = "total chain"):  # fmt: skip
    """The chain map a planner can show: tiers left to right (raw materials to final products; the longest supply
    path from a firm without suppliers), a node per firm sized by its baseline output value (output x price per
    day) and coloured by `criticality` (chain loss when its stress-test unit is knocked out); chain masters ringed
    blue, suppliers of short boards orange diamonds and their links orange, the `necks` most critical firms
    (stuck necks) black squares numbered by rank; the most important firms labelled without overlaps (stuck necks,
    chain masters, then by value and criticality). `chain`: only that chain's firms and their suppliers upstream.
    Beyond `max_nodes` firms, one node per product and tier. A legend and the colour scale stand right of the map."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    from simcore.costs import format_money

    chinese_fallback()
    firms = None if chain is None else cmap.chain_members[chain]  # its firms and their suppliers (docs/model.md, Metrics)
    m = map_graph(cmap, criticality, firms, necks=necks, origins=origins, max_nodes=max_nodes)
    nodes, edges = m["nodes"], m["edges"]
    pos = _map_layout(nodes, edges)
    keys = list(nodes)
    levels = max(d["tier"] for d in nodes.values()) + 1
    tallest = max(sum(1 for d in nodes.values() if d["tier"] == t) for t in range(levels))
    fig = plt.figure(figsize=(float(np.clip(1.6 * levels + 5, 11, 18)), float(np.clip(0.12 * tallest + 3, 7, 14))), dpi=110)
    ax = fig.add_axes([0.03, 0.1, 0.7, 0.82])
    value = np.array([nodes[n]["value"] for n in keys])
    top = max(float(value.max()), 1e-300)
    area = 12 + 600 * value / top  # marker area in points², proportional to value
    outer = [
        a * 1.9 + 40 if nodes[n]["master"] else a * 1.6 + 30 if nodes[n]["neck"] else a * 1.5 + 25 if nodes[n]["board"] else a
        for n, a in zip(keys, area)
    ]
    radius = {n: float(np.sqrt(a)) / 2 for n, a in zip(keys, outer)}  # a marker of area s is sqrt(s) points wide
    flow = np.array([d["flow"] for d in edges.values()]) if edges else np.zeros(0)
    widths = 0.25 + 3.0 * np.sqrt(flow / max(float(flow.max()), 1e-300)) if len(flow) else flow
    plain = [k for k, d in enumerate(edges.values()) if not d["board"]]
    board = [k for k, d in enumerate(edges.values()) if d["board"]]
    segments = [[pos[a], pos[b]] for a, b in edges]
    ax.add_collection(LineCollection([segments[k] for k in plain], linewidths=widths[plain] if plain else 0.3, colors="0.55", alpha=0.3, zorder=1))
    ax.add_collection(
        LineCollection(
            [segments[k] for k in board], linewidths=np.maximum(widths[board], 0.6) if board else 1, colors=BOARD_COLOR, alpha=0.45, zorder=2
        )
    )
    crit = np.array([100 * nodes[n]["crit"] for n in keys])
    xs, ys = np.array([pos[n][0] for n in keys]), np.array([pos[n][1] for n in keys])
    dots = ax.scatter(xs, ys, s=area, c=crit, cmap="inferno_r", vmin=0, vmax=max(float(crit.max()), 1e-9), edgecolors="0.3", linewidths=0.4, zorder=3)
    mark = np.array([nodes[n]["master"] for n in keys])
    ax.scatter(xs[mark], ys[mark], s=area[mark] * 1.9 + 40, facecolors="none", edgecolors=MASTER_COLOR, linewidths=2.0, zorder=4)
    mark = np.array([nodes[n]["board"] for n in keys])
    ax.scatter(xs[mark], ys[mark], s=area[mark] * 1.5 + 25, marker="D", facecolors="none", edgecolors=BOARD_COLOR, linewidths=1.2, zorder=4)
    mark = np.array([nodes[n]["neck"] is not None for n in keys])
    ax.scatter(xs[mark], ys[mark], s=area[mark] * 1.6 + 30, marker="s", facecolors="none", edgecolors=NECK_COLOR, linewidths=1.4, zorder=5)
    ax.set_xlim(-0.6, levels - 0.4)
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    cats = {}
    for d in nodes.values():
        cats.setdefault(d["tier"], []).append(d["category"].replace("_", " "))
    ax.set_xticks(range(levels), [f"tier {t}\n" + (max(set(c), key=c.count) if (c := cats.get(t)) else "") for t in range(levels)], fontsize=8)
    what = {None: "firm", "product": "product x tier", "category": "important firm, or per category x tier for the others"}[m["by"]]
    ax.set_xlabel(f"tier: longest supply path from raw materials (left) to final products (right); one node per {what}", fontsize=8)
    scope = f"chain {chain}: {m['firms']} firms (listed and upstream)" if chain else f"whole map: {m['firms']} firms"
    ax.set_title(
        f"{title}\n{scope}"
        + (f", drawn as {len(nodes)} {m['by']} x tier nodes" if m["by"] == "product" else "")
        + (f", the {MAP_MAX_NODES // 2} most important alone, the others per category and tier" if m["by"] == "category" else ""),
        fontsize=10,
    )
    cax = fig.add_axes([0.76, 0.62, 0.015, 0.28])
    fig.colorbar(dots, cax=cax).set_label(f"{loss_of} loss when knocked out\n(% of its baseline output value over the horizon)", fontsize=8)
    cax.tick_params(labelsize=7)
    order = sorted(keys, key=lambda n: (nodes[n]["neck"] is None, nodes[n]["neck"] or 0, not nodes[n]["master"], -nodes[n]["value"]))
    by_crit = sorted(keys, key=lambda n: -nodes[n]["crit"])
    wanted = list(
        dict.fromkeys([*order[: labels // 2], *sorted(keys, key=lambda n: -nodes[n]["value"])[: labels // 3], *by_crit[: labels // 3], *order])
    )
    items = []
    for n in wanted:
        d = nodes[n]
        prefix = f"#{d['neck']} " if d["neck"] is not None else ""
        items.append((pos[n][0], pos[n][1], prefix + d["label"], radius[n], n))
    marked = [n for n in keys if nodes[n]["master"] or nodes[n]["neck"]] + sorted(keys, key=lambda n: -nodes[n]["value"])[:40]
    place_labels(ax, items, fontsize=7, max_labels=labels, avoid=[(n, *pos[n], radius[n]) for n in dict.fromkeys(marked)])
    unit = format_money(top, "").strip()
    handles = [
        Line2D([], [], ls="", marker="o", ms=11, mfc="none", mec=MASTER_COLOR, mew=2, label="chain master (tag chain_master)"),
        Line2D([], [], ls="", marker="D", ms=8, mfc="none", mec=BOARD_COLOR, mew=1.2, label="supplies a short board\n(single-sourced or foreign-only)"),
        Line2D([], [], color=BOARD_COLOR, lw=1.5, label="short-board link"),
        Line2D([], [], ls="", marker="s", ms=9, mfc="none", mec=NECK_COLOR, mew=1.4, label=f"stuck neck: the {m['necks']} most critical, #rank"),
        Line2D([], [], color="0.55", lw=2, alpha=0.5, label="supply link, width: baseline flow value"),
        *(Line2D([], [], ls="", marker="o", ms=float(np.sqrt(12 + 600 * f)), mfc="0.8", mec="0.3", label=f"output value {format_money(f * top, '').strip()} / day")
          for f in (1.0, 0.25, 0.05)),
    ]  # fmt: skip
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.745, 0.56),
        fontsize=7.5,
        frameon=False,
        labelspacing=1.1,
        borderpad=0.2,
        handlelength=2.6,
        handletextpad=1.0,
    )
    fig.text(0.745, 0.03, f"values: the map's price units per day\n(largest node {unit})", fontsize=7, color="0.3")
    return _save(fig, path)


def plot_frontier(result, path: Path | None = None):
    """The cost-benefit frontier of an optimization: what the best portfolio found at each budget saves (paired 95% CI
    for the expected loss) against its cost, every portfolio simulated in grey, the budget and the choice marked; on
    the right, how the portfolio changes from one frontier step to the next."""
    from matplotlib.ticker import FuncFormatter

    from simcore.costs import format_money

    ev, currency = result.evaluation, result.currency
    base = result.scores[frozenset()]
    front = result.front()
    fig = plt.figure(figsize=(12, 5.5), dpi=110)
    ax = fig.add_axes([0.08, 0.12, 0.5, 0.76])
    money = FuncFormatter(lambda v, _: format_money(v, "").strip())
    every = list(result.scores)
    ax.scatter(
        [result.cost(p) for p in every],
        [base - result.scores[p] for p in every],
        s=12,
        color="0.75",
        label=f"portfolios simulated ({len(every)})",
        zorder=2,
    )
    rows = [result.row(p) for p in front]
    x = np.array([r["cost"] for r in rows])
    y = np.array([base - r["objective"] for r in rows])
    ax.step(x, y, where="post", color="tab:green", lw=1.8, zorder=3, label="frontier: best found at each budget")
    if result.objective == "mean":
        low = np.array([r["value_saved_ci_low"] for r in rows])
        high = np.array([r["value_saved_ci_high"] for r in rows])
        err = np.nan_to_num(np.vstack([y - low, high - y]), nan=0.0).clip(min=0)
        ax.errorbar(x, y, yerr=err, fmt="o", color="tab:green", ecolor="0.3", capsize=3, ms=5, zorder=4)
    else:
        ax.plot(x, y, "o", color="tab:green", ms=5, zorder=4)
    span, last = max(float(x.max()), result.budget, 1e-300), -np.inf
    for k, (a, b) in enumerate(zip(x, y)):
        if a - last >= 0.025 * span or k == len(x) - 1:  # numbers close together would overprint: the list has them all
            ax.annotate(str(k), (a, b), xytext=(4, -11), textcoords="offset points", fontsize=8, color="0.2")
            last = a
    chosen = result.chosen
    ax.plot([result.cost(chosen)], [base - result.scores[chosen]], "*", color="tab:orange", ms=16, zorder=5, label="chosen")
    ax.axvline(result.budget, color="tab:red", ls="--", lw=1, label=f"budget {format_money(result.budget, currency)}")
    ax.xaxis.set_major_formatter(money)
    ax.yaxis.set_major_formatter(money)
    what = "expected loss avoided" if result.objective == "mean" else "CVaR95 of the loss avoided"
    ax.set_xlabel(f"cost of the portfolio ({currency})")
    ax.set_ylabel(f"{what} ({currency})" + (", mean and 95% CI" if result.objective == "mean" else ""))
    ax.set_xlim(left=-0.02 * max(result.budget, float(x.max()) or 1.0), right=max(result.budget, float(x.max())) * 1.08 or 1.0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(f"{result.scenario.name} — cost-benefit frontier, {result.replications:,} replications, {result.search}", fontsize=10)
    lines = ["frontier steps (what changes from the step before):", ""]
    for k, p in enumerate(front):
        before = front[k - 1] if k else frozenset()
        added = [ev.candidates[c].name for c in sorted(p - before)]
        dropped = [ev.candidates[c].name for c in sorted(before - p)]
        change = "; ".join([*("+ " + n for n in added), *("- " + n for n in dropped)]) or "nothing"
        star = "  <- chosen" if p == chosen else ""
        lines.append(f"{k}. {format_money(result.cost(p), '').strip()}: {change}{star}")
    import textwrap

    blocks = [textwrap.wrap(line, 62, subsequent_indent="     ") or [""] for line in lines]
    room = 34  # lines that fit beside the axes at this size
    if sum(map(len, blocks)) > room:  # the first steps and the last ones (the choice), the middle in frontier.csv
        head, tail, used = [], [], 1
        for b in blocks:
            if used + len(b) > room // 3:
                break
            head.append(b)
            used += len(b)
        for b in reversed(blocks[len(head) :]):
            if used + len(b) > room:
                break
            tail.insert(0, b)
            used += len(b)
        blocks = head + [["   ... (every step is in frontier.csv)"]] + tail
    shown = [w for b in blocks for w in b]
    fig.text(0.61, 0.88, "\n".join(shown), va="top", ha="left", fontsize=7.5, family=MONOSPACE)
    return _save(fig, path)


def plot_sensitivity(result, path: Path | None = None, chain: str = "total", top: int = 15):
    """Per output (a variant's loss, the decision): a tornado of the output at each input's 10% and 90% quantile
    with the others at their medians, and the inputs' Sobol indices S1 and ST (or Morris mu* and sigma) with their
    95% intervals; the `top` inputs by total index, largest on top."""
    outputs = result.outputs
    fig, axes = plt.subplots(len(outputs), 2, figsize=(12, 1.4 + len(outputs) * (0.34 * min(top, len(result.varying)) + 1.2)), dpi=110, squeeze=False)
    sobol = result.method == "sobol"
    for row, output in zip(axes, outputs):
        ranked = result.ranking(output).head(top).iloc[::-1]
        torn = result.tornado[(result.tornado.output == output) & (result.tornado.chain == chain)].set_index("input").loc[ranked.input]
        y = np.arange(len(ranked))
        ax = row[0]
        mid = 100 * torn.at_median.to_numpy()
        ax.barh(y, 100 * torn.at_low - mid, left=mid, color="#4c72b0", label="input at its 10% quantile")
        ax.barh(y, 100 * torn.at_high - mid, left=mid, color="#dd8452", label="input at its 90% quantile")
        ax.axvline(mid[0] if len(mid) else 0, color="0.3", lw=0.8)
        labels = [f"{name}  ({lo:.3g} .. {hi:.3g})" for name, lo, hi in zip(torn.index, torn.low_value, torn.high_value)]
        ax.set_yticks(y, labels, fontsize=8)
        ax.set_xlabel(f"{output}, chain {chain} (% of baseline output)", fontsize=9)
        ax.set_title("tornado: others at their medians", fontsize=9)
        ax.legend(fontsize=7, loc="best")
        ax.grid(axis="x", alpha=0.3)
        ax = row[1]
        first, second = ("S1", "ST") if sobol else ("mu_star", "sigma")
        ax.barh(y + 0.2, ranked[first], height=0.4, xerr=ranked[f"{first}_conf"], color="#55a868", label="S1 (first order)" if sobol else "mu* (mean |effect|)", capsize=2)
        ax.barh(y - 0.2, ranked[second], height=0.4, xerr=ranked[f"{second}_conf"] if sobol else None, color="#8172b3", label="ST (total)" if sobol else "sigma (interactions)", capsize=2)
        ax.set_yticks(y, ranked.input, fontsize=8)
        ax.set_xlabel("Sobol index (share of variance), 95% intervals" if sobol else "Morris elementary effects (output per unit of quantile range)", fontsize=9)
        ax.set_title(f"{'Sobol' if sobol else 'Morris'}: {output}", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{result.scenario.name}: what moves the answer ({result.method}, N = {result.samples})", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)
