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


def plot_output(result: ScenarioResult, path: Path | None = None, chain: str = "total"):
    """Chain output / baseline over time, one line per variant, shock windows shaded."""
    table = result.chain_trajectories()
    table = table[table.chain == chain]
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    shade_shocks(ax, result.scenario.shock_specs, result.variants[0].shocks)
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
    ax.margins(y=0.25)  # room for the money labels above the bars
    money_axis(ax, list(x), table, result.scenario.costs.currency, 100 * table.loss_reduction)
    ax.set_title(f"{result.scenario.name} — variants ranked by loss ({chain}); one run, no interval")
    fig.tight_layout()
    return _save(fig, path)


def plot_chain_masters(result: ScenarioResult, path: Path | None = None, tag: str = "chain_master"):
    """Small multiples: output / baseline of each chain-master firm over time, one line per variant."""
    firms = [f.id for f in result.scenario.model.firms if tag in f.tags]
    table = result.firm_trajectories()
    if not firms or table is None:
        return None
    fig, axes = _small_multiples(len(firms), max_cols=3, panel=(4, 2.6))
    for ax, firm in zip(axes.flat, firms):
        for variant, part in table[table.firm == firm].groupby("variant", sort=False):
            ax.plot(part.day, part.ratio, lw=1.2, label=variant, drawstyle="steps-post")
        shade_shocks(ax, result.scenario.shock_specs, result.variants[0].shocks, labels=False)
        ax.set_title(firm, fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7, loc="lower left")
    fig.supylabel("output / baseline")
    fig.supxlabel("day")
    fig.suptitle(f"{result.scenario.name} — firms tagged '{tag}'")
    fig.tight_layout()
    return _save(fig, path)


def shade_shocks(ax, specs, shocks, labels: bool = True) -> None:
    """Shade each scenario shock's window (first start to last end of its rows), labelled; random outages
    shade each event lightly."""
    for n, spec in enumerate(specs):
        rows = shocks.source == n
        if not rows.any():
            continue
        starts, ends = shocks.start[rows], shocks.start[rows] + shocks.duration[rows]
        if spec.kind == "random_outage":
            for a, b in zip(starts, ends):
                ax.axvspan(a, b, color="tab:red", alpha=0.05, lw=0)
            continue
        ax.axvspan(starts.min(), ends.max(), color="tab:red", alpha=0.12, lw=0)
        if labels:
            label = spec.name or spec.kind.replace("_", " ")
            ax.text(starts.min() + 0.5, 1.0, label, transform=ax.get_xaxis_transform(), va="top", fontsize=8, color="tab:red")


def plot_fan(result, path: Path | None = None, chain: str = "total"):
    """Quantile bands of chain output / baseline per variant over the replications: 5-95% and 25-75%, median."""
    bands = result.bands()
    bands = bands[bands.chain == chain]
    variants = list(dict.fromkeys(bands.variant))
    fig, axes = _small_multiples(len(variants), max_cols=2, panel=(6, 3.2))
    for ax, (color, variant) in zip(axes.flat, zip(plt.rcParams["axes.prop_cycle"].by_key()["color"] * 10, variants)):
        b = bands[bands.variant == variant]
        ax.fill_between(b.day, b.q05, b.q95, color=color, alpha=0.2, lw=0, step="post", label="5-95%")
        ax.fill_between(b.day, b.q25, b.q75, color=color, alpha=0.4, lw=0, step="post", label="25-75%")
        ax.plot(b.day, b.q50, color=color, lw=1.4, drawstyle="steps-post", label="median")
        ax.axhline(1.0, color="0.3", lw=0.8, ls="--")
        ax.set_title(variant, fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7, loc="lower left")
    fig.supylabel("chain output / baseline")
    fig.supxlabel("day")
    fig.suptitle(f"{result.scenario.name} — {chain} chain output over {result.replications:,} replications")
    fig.tight_layout()
    return _save(fig, path)


def plot_loss_hist(result, path: Path | None = None, chain: str = "total"):
    """The loss distribution per variant, with VaR95 marked."""
    c = result.chains.index(chain)
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    losses = 100 * result.metrics[:, :, c, 0]
    edges = np.histogram_bin_edges(losses, bins=40) if np.ptp(losses) > 0 else np.linspace(losses.min() - 0.5, losses.max() + 0.5, 3)
    for v, variant in enumerate(result.variants):
        color = f"C{v % 10}"
        ax.hist(losses[:, v], bins=edges, histtype="step", lw=1.5, color=color, label=variant)
        var = 100 * result.statistics[variant][chain]["loss"]["var95"]
        ax.axvline(var, color=color, ls="--", lw=1)
        ax.text(var, 1.0, f" VaR95 {var:.1f}%", transform=ax.get_xaxis_transform(), rotation=90, va="top", fontsize=7, color=color)
    ax.set_xlabel(f"loss ({chain} chain, % of baseline output over the horizon)")
    ax.set_ylabel("replications")
    ax.set_title(f"{result.scenario.name} — loss over {result.replications:,} replications (dashed: VaR95)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def plot_variants_ci(result, path: Path | None = None, chain: str = "total"):
    """Mean loss reduction against the reference variant with its 95% confidence interval (paired), and cost."""
    table = result.comparison()
    table = table[table.chain == chain]
    ref = result.scenario.reference_variant
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(table) + 2), 4.5), dpi=110)
    x = np.arange(len(table))
    reduction = -100 * table.d_loss.to_numpy()
    low, high = -100 * table.d_loss_ci_high.to_numpy(), -100 * table.d_loss_ci_low.to_numpy()
    err = np.nan_to_num(np.vstack([reduction - low, high - reduction]), nan=0.0)
    colors = ["0.6" if v == ref else ("tab:green" if r >= 0 else "tab:red") for v, r in zip(table.variant, reduction)]
    ax.bar(x, reduction, color=colors, width=0.6, yerr=err, capsize=4, ecolor="0.2")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_ylabel(f"loss reduction vs '{ref}' (pp, mean and 95% CI)")
    ax.set_xticks(list(x), [v.replace(" + ", "\n+ ") for v in table.variant], fontsize=8)
    ax.margins(y=0.25)  # room for the money labels above the bars
    money_axis(ax, list(x), table, result.scenario.costs.currency, np.nan_to_num(high))
    ax.set_title(f"{result.scenario.name} — variants ranked by mean loss ({chain}), {result.replications:,} replications")
    fig.tight_layout()
    return _save(fig, path)


def money_axis(ax, x, table, currency: str, heights) -> None:
    """Each variant's cost (diamonds, second axis, in money) and, above its bar (`heights`), what it saves for what
    it costs."""
    from matplotlib.ticker import FuncFormatter

    from simcore.costs import format_money, format_ratio

    cost_ax = ax.twinx()
    cost_ax.plot(x, table.cost, "D", color="tab:blue", label="cost")
    cost_ax.set_ylabel(f"cost of the variant's policies ({currency})", color="tab:blue")
    cost_ax.set_ylim(bottom=0, top=max(1.0, float(table.cost.max()) * 1.2))
    cost_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_money(v, "").strip()))
    for k, row, h in zip(x, table.itertuples(), heights):
        if row.cost > 0:
            text = f"saves {format_money(row.value_saved, '').strip()}\nfor {format_money(row.cost, '').strip()}\n{format_ratio(row.benefit_cost)}"
            cost_ax.annotate(
                text, (k, max(0.0, float(h))), xycoords=ax.transData, xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                fontsize=7, color="0.15", bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.85, "lw": 0},
            )  # on the cost axis, so that the diamonds do not cover it


def _small_multiples(n: int, max_cols: int, panel: tuple[float, float]):
    """A grid of `n` panels sharing axes, at most `max_cols` wide; panels beyond `n` hidden."""
    cols = min(max_cols, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel[0] * cols, panel[1] * rows), dpi=100, sharex=True, sharey=True, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


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


def plot_stress(table, title: str, path: Path | None = None, top: int = 20):
    """The top units of a stress ranking: chain loss when each is knocked out, coloured by product category."""
    rows = table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.6), dpi=110)
    colors = [CATEGORY_COLORS.get(c, "0.5") for c in rows.category]
    ax.barh(range(len(rows)), 100 * rows.loss, color=colors)
    labels = [f"{u}{' (single-sourced)' if s else ''}{' (foreign-only)' if f else ''}" for u, s, f in zip(rows.unit, rows.single_sourced, rows.foreign_only)]
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel("total chain loss when knocked out (% of baseline output over the horizon)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=CATEGORY_COLORS[c]) for c in CATEGORY_COLORS if c in set(rows.category)]
    ax.legend(handles, [c for c in CATEGORY_COLORS if c in set(rows.category)], fontsize=7, loc="lower right")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def plot_map(cmap, criticality: np.ndarray, title: str, path: Path | None = None):
    """The chain map in tiers (raw materials left, final products right), nodes coloured by criticality
    (chain loss when the firm's unit is knocked out) and sized by baseline output."""
    import networkx as nx

    from simcore.chainmap.inspect import firm_graph

    g = firm_graph(cmap)
    dag = nx.condensation(g)
    level_of = {}
    for depth, generation in enumerate(nx.topological_generations(dag)):
        for node in generation:
            for firm in dag.nodes[node]["members"]:
                level_of[firm] = depth
    ids = [f.id for f in cmap.firms]
    by_level: dict[int, list[str]] = {}
    for f in ids:
        by_level.setdefault(level_of[f], []).append(f)
    pos = {}
    for level, members in by_level.items():
        for k, f in enumerate(members):
            pos[f] = (level, (k + 0.5) / len(members))
    size = np.sqrt(np.maximum(cmap.outputs, 0) / max(float(cmap.outputs.max()), 1e-12))
    fig, ax = plt.subplots(figsize=(12, 7), dpi=110)
    nx.draw_networkx_edges(g, pos, ax=ax, width=0.3, alpha=0.15, arrows=False)
    nodes = ax.scatter([pos[f][0] for f in ids], [pos[f][1] for f in ids], s=8 + 180 * size, c=100 * criticality, cmap="inferno_r", edgecolors="0.3", linewidths=0.3, zorder=3)
    fig.colorbar(nodes, ax=ax, label="chain loss when knocked out (%)")
    ax.set_xlabel("tier (0: no suppliers in the map)")
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
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
    ax.scatter([result.cost(p) for p in every], [base - result.scores[p] for p in every], s=12, color="0.75", label=f"portfolios simulated ({len(every)})", zorder=2)
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
    ax.legend(fontsize=8, loc="lower right")
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
