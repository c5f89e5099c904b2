"""report.html: one self-contained page a planner can hand to a leader (docs/outputs.md, report.html).

Built only from a result folder's files (summary.json or stress.json, its tables, its PNGs), so the page a command
writes with its results and the one `simcore report DIR` writes later are the same. Figures are embedded (PNG as
base64, the per-chain charts as inline SVG), so the page opens without a network. Every string from the folder
goes through `html.escape`.
"""

from __future__ import annotations

import base64
import json
import math
import shlex
from html import escape
from pathlib import Path

from simcore.atomic import kind_of, write_text
from simcore.errors import NO_VALUE, InputError, Problem

REPORT = "report.html"
KINDS = {"run": "Single run", "batch": "Monte Carlo batch", "optimize": "Portfolio optimisation", "stress": "Stress test", "sensitivity": "Sensitivity analysis"}
CHAIN_MASTER = "chain_master"


# --- what the results do not carry: written into summary.json for the report ---------------------------------------
def scenario_context(scenario) -> dict:
    """The scenario's words and the map's chain facts (summary.json `context`): a report of the folder alone can
    name the shocks, the variants, each chain's masters and short boards, and the parameters."""
    import numpy as np

    from simcore.chainmap.inspect import BASIC_OF, board_pairs, board_reasons
    from simcore.compile import effective_parameters

    cmap = scenario.model
    boards = board_pairs(cmap)
    reasons = board_reasons(boards)
    master = cmap.tagged(CHAIN_MASTER)
    chains = {}
    for chain, members in cmap.chain_members.items():
        masters = [_named(cmap.firms[k]) for k in members[master[members]].tolist()]
        rows = np.arange(len(boards.customer)) if chain == "total" else np.flatnonzero(cmap.chain_member_mask[chain][boards.customer])
        products, first, customers = np.unique(boards.product[rows], return_index=True, return_counts=True)
        board_list = []
        for k in np.argsort(first, kind="stable").tolist():  # products in the order of their first board, with its reason
            product = cmap.products[int(products[k])]
            board_list.append({"product": product.id, "basic": BASIC_OF[product.category], "reason": reasons[rows[first[k]]], "customers": int(customers[k])})
        chains[chain] = {"chain_masters": masters, "short_boards": board_list}
    return {
        "description": scenario.info.description,
        "shocks": [s.model_dump(mode="json", exclude_defaults=True, warnings=False) | {"kind": s.kind} for s in scenario.shock_specs],
        "variants": {v.name: v.description for v in scenario.variants},
        "chains": chains,
        "parameters": effective_parameters(cmap, scenario.parameters).model_dump(mode="json"),
    }


def _named(firm) -> str:
    """A firm as a reader knows it: its name, with its id where the two differ."""
    return f"{firm.name} ({firm.id})" if firm.name and firm.name != firm.id else firm.id


# --- reading the folder -----------------------------------------------------------------------------------------------
def read_folder(folder: Path) -> tuple[str, dict]:
    """The folder's kind and manifest (summary.json, or stress.json); an InputError when it holds no finished run."""
    folder = Path(folder)
    kind = kind_of(folder) if folder.is_dir() else None
    name = "stress.json" if kind == "stress" else "summary.json"  # a sensitivity analysis's summary.json too
    if kind is None or not (folder / name).is_file():
        why = f"holds an unfinished {kind} (no summary.json yet; --resume finishes it)" if kind else "holds no simcore run, optimization or stress test (no summary.json or stress.json)"
        raise InputError([Problem(str(folder), "", NO_VALUE, f"{why}; nothing written")])
    doc = json.loads((folder / name).read_text(encoding="utf-8"))
    if kind == "run" and "statistics" in doc:
        kind = "batch"
    return kind, doc


def _table(folder: Path, name: str):
    """A table of the folder (CSV, Parquet or a workbook: `[output] format`), None when it is not there."""
    import pandas as pd

    for ext, read in (("csv", pd.read_csv), ("parquet", pd.read_parquet), ("xlsx", pd.read_excel)):
        if (folder / f"{name}.{ext}").is_file():
            return read(folder / f"{name}.{ext}")
    return None


def write_report(folder: Path, doc: dict | None = None, kind: str | None = None, out: Path | None = None) -> Path:
    """Write report.html into `folder` (atomically). `doc`/`kind`: the manifest when it is not in the folder yet (a
    batch and an optimization write summary.json last); `out`: the folder's final name, for the command line."""
    folder = Path(folder)
    if doc is None:
        kind, doc = read_folder(folder)
    path = folder / REPORT
    write_text(path, build_report(folder, kind, doc, Path(out or folder)))
    return path


def build_report(folder: Path, kind: str, doc: dict, out: Path) -> str:
    """The page's HTML."""
    build = {"run": _scenario_sections, "batch": _scenario_sections, "optimize": _optimize_sections, "stress": _stress_sections, "sensitivity": _sensitivity_sections}[kind]
    sections = build(folder, kind, doc)
    sections.append(_figures(folder, chain_names(kind, doc)))
    sections.append(_assumptions(kind, doc))
    sections.append(_section("reproduce", "How to reproduce", f"<p>From the folder the command was run in:</p><pre>{escape(command_line(kind, doc, out))}</pre>"))
    title = doc["scenario"] if kind == "sensitivity" else doc["scenario"]["name"] if "scenario" in doc else doc["source"]
    body = "\n".join(s for s in sections if s)
    nav = "".join(f'<a href="#{sid}">{name}</a>' for sid, name in NAV if f'<section id="{sid}"' in body)
    return PAGE.format(title=escape(f"{title} - {KINDS[kind]}"), heading=escape(str(title)), kind=escape(KINDS[kind]), css=CSS, nav=nav, body=body)


NAV = (("summary", "At a glance"), ("details", "Detail tables"), ("figures", "Figures"), ("assumptions", "Assumptions"), ("reproduce", "Reproduce"))


# --- formatting ---------------------------------------------------------------------------------------------------------
FRACTIONS = {"loss", "depth", "fill_rate", "loss_reduction", "var95", "cvar95", "loss_ci_low", "loss_ci_high", "min_ratio", "at_low", "at_high", "swing"}
DAYS = {"tts", "ttr"}
COUNTS = {"firms_affected", "size", "units", "rank"}
MONEY = {"holding", "capacity", "qualification", "priority", "recovery", "total", "cost", "value_saved", "value_saved_ci_low", "value_saved_ci_high", "expected_loss", "cvar95_loss", "objective", "value_saved_alone"}
RATIOS = {"benefit_cost", "benefit_cost_alone"}
LABELS = {
    "loss": "loss", "d_loss": "vs ref", "depth": "depth", "tts": "TTS (days)", "ttr": "TTR (days)", "fill_rate": "fill rate",
    "firms_affected": "firms affected", "loss_reduction": "loss reduction", "cost": "cost", "value_saved": "value saved",
    "benefit_cost": "benefit / cost", "var95": "VaR95", "cvar95": "CVaR95",
}  # fmt: skip


def kind_of_field(field: str) -> str:
    """How a column is shown, from its name alone (unknown columns are plain numbers): chain rows are read
    generically, so a new metric in summary.json shows without a change here."""
    base = field[2:] if field.startswith("d_") else field
    base = base.removesuffix("_ci")
    for prefix in ("loss_", "cost_"):
        if field.startswith(prefix) and field not in FRACTIONS | MONEY:
            base = prefix[:-1]
    if base in FRACTIONS:
        return "fraction"
    if base in DAYS:
        return "days"
    if base in COUNTS:
        return "count"
    if base in MONEY or base == "cost":
        return "money"
    if base in RATIOS:
        return "ratio"
    return "number"


def fmt(field: str, value, currency: str = "") -> str:
    """A value as the page shows it: fractions as percentages (differences signed), days to one decimal, money
    readably (simcore.costs.format_money), missing as a dash."""
    from simcore.costs import format_money, format_ratio

    if isinstance(value, (list, tuple)):  # a confidence interval
        return " to ".join(fmt(field.removesuffix("_ci"), v, currency) for v in value)
    if value is None or isinstance(value, bool) or isinstance(value, str):
        return "-" if value is None else ("yes" if value is True else "no" if value is False else value)
    if isinstance(value, float) and not math.isfinite(value):
        return "-"
    kind, signed = kind_of_field(field), field.startswith("d_")
    if kind == "fraction":
        return f"{value:+.2%}" if signed else f"{value:.2%}"
    if kind == "days":
        return f"{value:+.1f}" if signed else f"{value:.1f}"
    if kind == "count":
        return f"{value:+,.0f}" if signed else f"{value:,.0f}"
    if kind == "money":
        return format_money(value if abs(value) >= 0.005 else 0.0, currency).strip()  # rounding noise (and -0) as 0
    if kind == "ratio":
        return format_ratio(value)
    return f"{value:.4g}" if isinstance(value, float) else f"{value:,}"


def label(field: str) -> str:
    if field.endswith("_ci"):
        return label(field.removesuffix("_ci")) + " 95% CI"
    for prefix in ("loss_", "cost_"):
        if field.startswith(prefix) and field not in LABELS and kind_of_field(field) in ("fraction", "money") and field.count("_") == 1:
            return f"{prefix[:-1]} ({field[len(prefix):]})"  # a chain's column: loss_ev -> loss (ev)
    return LABELS.get(field, field.replace("_", " "))


def merge_ci(rows: list[dict], columns: list[str]) -> tuple[list[dict], list[str]]:
    """Each pair of columns `<x>_ci_low`, `<x>_ci_high` as one column `<x>_ci` of (low, high): one cell per interval."""
    pairs = {c: c.removesuffix("_low") + "_high" for c in columns if c.endswith("_ci_low") and c.removesuffix("_low") + "_high" in columns}
    if not pairs:
        return rows, columns
    highs = set(pairs.values())
    cols = [c.removesuffix("_low") if c in pairs else c for c in columns if c not in highs]
    out = []
    for r in rows:
        merged = {k: v for k, v in r.items() if k not in highs and k not in pairs}
        for low, high in pairs.items():
            pair = (r.get(low), r.get(high))
            merged[low.removesuffix("_low")] = None if pair == (None, None) else pair
        out.append(merged)
    return out, cols


def table_html(rows: list[dict], columns: list[str], currency: str = "", attrs: str = "", key: str | None = None) -> str:
    """An HTML table: text left, numbers right-aligned and formatted (money in `currency`, named in the header); cells carry `data-field` (and rows `data-row`
    from `key`) so tests can find the numbers."""
    rows, columns = merge_ci(rows, columns)
    unit = {c: f" ({currency})" if currency and kind_of_field(c) == "money" else "" for c in columns}  # money in the header, not in every cell
    align = {c: _align(rows, c) for c in columns}
    head = "".join(f'<th class="{align[c]}">{escape(label(c) + unit[c])}</th>' for c in columns)
    body = []
    for r in rows:
        rid = f' data-row="{escape(str(r[key]))}"' if key else ""
        cells = "".join(_cell(c, fmt(c, r.get(c)), align[c]) for c in columns)
        body.append(f"<tr{rid}>{cells}</tr>")
    return f'<div class="scroll"><table {attrs}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _cell(field: str, text: str, align: str) -> str:
    long = " long" if len(text) > 40 else ""  # a description wraps; names and numbers stay on one line
    return f'<td class="{align}{long}" data-field="{escape(field)}">{escape(text)}</td>'


def _align(rows, column) -> str:
    values = [r.get(column) for r in rows if r.get(column) is not None]
    return "num" if values and all(isinstance(v, (int, float, tuple)) and not isinstance(v, bool) for v in values) else "text"


def _section(sid: str, title: str, body: str, cls: str = "") -> str:
    return f'<section id="{sid}" class="{cls}"><h2>{escape(title)}</h2>{body}</section>'


def _card(name: str, big: str, note: str = "") -> str:
    note = f'<div class="note">{escape(note)}</div>' if note else ""
    return f'<div class="card"><div class="label">{escape(name)}</div><div class="big">{escape(big)}</div>{note}</div>'


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>" if items else ""


def _short(values, n: int = 6) -> str:
    values = [str(v) for v in values]
    return ", ".join(values[:n]) + (f", ... ({len(values)} in all)" if len(values) > n else "")


def shock_sentence(spec: dict) -> str:
    """A shock of the scenario in words: its name, kind, when, how hard, whom (from summary.json `context.shocks`)."""
    name = spec.get("name") or spec["kind"].replace("_", " ")
    words = [f"{name} ({spec['kind'].replace('_', ' ')})"]
    if "start" in spec:
        words.append(f"from day {_number(spec['start'])}")
    if "duration" in spec:
        words.append(f"for {_number(spec['duration'])} days")
    if "rate" in spec:
        words.append(f"at {_number(spec['rate'])} events a day per {spec.get('per', 'firm')}")
    if spec["kind"] in ("firm_outage", "region_outage", "random_outage"):  # the kinds with a magnitude (default 1)
        m = spec.get("magnitude", 1.0)
        words.append(f"losing {m:.0%} of capacity" if isinstance(m, (int, float)) else f"losing {_number(m)} of capacity")
    for key in ("factor", "products", "regions", "lead_time_factor"):
        if key in spec:
            words.append(f"{key.replace('_', ' ')} {_short(spec[key]) if isinstance(spec[key], list) else _number(spec[key])}")
    if spec["kind"] == "embargo" and "origin" not in spec:
        words.append("origin: tags foreign")  # the default, left out of the dump
    for key in ("select", "origin", "destination", "suppliers", "customers"):
        sel = spec.get(key)
        if isinstance(sel, dict) and sel:
            words.append(f"{key}: " + "; ".join(f"{k} {_short(v)}" for k, v in sel.items()))
    if isinstance(spec.get("recovery"), dict) and spec["recovery"].get("profile"):
        words.append(f"{spec['recovery']['profile']} recovery")
    return ", ".join(w for w in words if w)


def _number(value) -> str:
    if isinstance(value, dict):  # a distribution drawn per replication
        return value.get("dist", "random") + "(" + ", ".join(f"{k} {v}" for k, v in value.items() if k != "dist") + ")"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


# --- run and batch --------------------------------------------------------------------------------------------------------
def chain_rows(kind: str, doc: dict, chain: str) -> list[dict]:
    """Each variant's row on `chain`, ranked by loss: the single run's fields as summary.json has them; a batch's
    means, the loss CI, VaR/CVaR, the paired difference and its CI, and the money fields."""
    rows = []
    if kind == "run":
        for variant, chains in doc["variants"].items():
            if chain in chains:
                rows.append({"variant": variant, **chains[chain]})
    else:
        for variant, chains in doc["statistics"].items():
            if chain not in chains:
                continue
            s = chains[chain]
            row = {"variant": variant, "loss": s["loss"]["mean"], "loss_ci_low": s["loss"]["ci95"][0], "loss_ci_high": s["loss"]["ci95"][1]}
            row |= {"cvar95": s["loss"].get("cvar95"), "d_loss": s["d_loss"]["mean"]}
            row |= {"d_loss_ci_low": s["d_loss"]["ci95"][0], "d_loss_ci_high": s["d_loss"]["ci95"][1]}
            row |= {m: v["mean"] for m, v in s.items() if not m.startswith("d_") and m != "loss"}
            row |= doc.get("value", {}).get(variant, {}).get(chain, {})
            rows.append(row)
    return sorted(rows, key=lambda r: math.inf if r["loss"] is None else r["loss"])


def _columns(rows: list[dict]) -> list[str]:
    """Every field the rows have, in their order, but of the paired differences only the loss's (the rest are in the detail table)."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return [c for c in columns if not (c.startswith("d_") and c not in ("d_loss", "d_loss_ci_low", "d_loss_ci_high"))]


def best_variants(kind: str, doc: dict, chain: str = "total") -> tuple[dict, dict | None, dict | None]:
    """The reference's row, the variant with the lowest loss (None if none loses less than the reference) and the
    one with the highest benefit-cost ratio on `chain`."""
    rows = chain_rows(kind, doc, chain)
    ref = next(r for r in rows if r["variant"] == doc["reference_variant"])
    others = [r for r in rows if r["variant"] != ref["variant"]]
    lowest = others[0] if others and (others[0].get("d_loss") or 0) < 0 else None  # only a variant that loses less is "best"
    paying = [r for r in others if (r.get("cost") or 0) > 0 and r.get("benefit_cost") is not None]
    value = max(paying, key=lambda r: r["benefit_cost"]) if paying else None
    return ref, lowest, value


def value_lost(ref: dict, other: dict | None) -> float | None:
    """The reference's loss in money: value saved / loss reduction is the chain's baseline value over the horizon
    (simcore.costs, Value saved); None when no variant changed the loss."""
    if other is None or not other.get("d_loss") or other.get("value_saved") is None:
        return None
    return ref["loss"] * other["value_saved"] / -other["d_loss"]


def _scenario_sections(folder: Path, kind: str, doc: dict) -> list[str]:
    currency = doc["money"]["currency"]
    money = lambda v: fmt("cost", v, currency)  # noqa: E731
    context = doc.get("context", {})
    ref, best, value = best_variants(kind, doc)
    lost = value_lost(ref, best)
    lost = f", worth {money(lost)}" if lost is not None else ""
    cards = [_card("Loss if nothing changes", fmt("loss", ref["loss"]), f"of total chain output over {doc['scenario']['horizon']} days{lost} (variant '{ref['variant']}')")]
    words = []
    if best is not None:
        cards.append(_card("Best policy", best["variant"], f"total loss {fmt('loss', best['loss'])}, {-best['d_loss'] * 100:.2f} percentage points less"))
        cards.append(_card("It saves", money(best.get("value_saved")), f"for a cost of {money(best.get('cost'))}"))
        cards.append(_card("Benefit / cost", fmt("benefit_cost", best.get("benefit_cost")), "value saved per unit of money spent"))
        words.append(
            f"The best policy, '{best['variant']}', cuts the total chain loss from {fmt('loss', ref['loss'])} to {fmt('loss', best['loss'])} of output "
            f"and saves {money(best.get('value_saved'))} for {money(best.get('cost'))}."
        )
        if value is not None and value["variant"] != best["variant"]:
            words.append(f"Best value for money: '{value['variant']}' saves {money(value['value_saved'])} for {money(value['cost'])} ({fmt('benefit_cost', value['benefit_cost'])}).")
    else:
        cards.append(_card("Best policy", "none", f"no variant loses less than '{ref['variant']}'"))
        words.append(f"No variant of the scenario loses less than '{ref['variant']}' on the total chain.")
    if kind == "batch":
        low, high = (best.get("value_saved_ci_low"), best.get("value_saved_ci_high")) if best else (None, None)
        cards.append(_card("How sure", f"{doc['replications']:,} replications", f"95% CI of the saving {money(low)} to {money(high)}" if best else ""))
        if best is not None and best.get("d_loss_ci_low") is not None:
            words.append(
                f"On the same shocks its loss is {-best['d_loss'] * 100:.2f} percentage points lower than '{ref['variant']}' "
                f"(paired difference, 95% CI {best['d_loss_ci_low'] * 100:+.2f} to {best['d_loss_ci_high'] * 100:+.2f} points)."
            )
        if best is not None and low is not None and high is not None:
            if low > 0:
                words.append(f"Over {doc['replications']:,} replications on common random numbers, we are 95% confident it saves between {money(low)} and {money(high)}.")
            else:
                words.append(f"Over {doc['replications']:,} replications the 95% interval of its saving ({money(low)} to {money(high)}) includes zero: the saving is not certain.")
    else:
        cards.append(_card("How sure", "one run", "deterministic: no confidence interval (run --replications N for one)"))
    shocks = [shock_sentence(s) for s in context.get("shocks", [])]
    intro = f"<p>{escape(context['description'])}</p>" if context.get("description") else ""
    summary = _section(
        "summary", "At a glance",
        f'{intro}<h3>The shock{"s" if len(shocks) > 1 else ""}</h3>{_list(shocks) or "<p>No shocks.</p>"}'
        f'<div class="cards">{"".join(cards)}</div><p class="words">{escape(" ".join(words))}</p>',
        "leader",
    )  # fmt: skip
    chains = list(doc["variants" if kind == "run" else "statistics"][doc["reference_variant"]])
    out = [summary]
    traj = _table(folder, "chain_trajectories" if kind == "run" else "bands")
    for chain in chains:
        out.append(_chain_section(folder, kind, doc, chain, context.get("chains", {}).get(chain, {}), traj, currency))
    out.append(_details(folder, kind, doc, currency))
    return out


def short_boards_html(boards: list[dict]) -> str:
    """A chain's short boards summarised by the five basics (docs/model.md, Short boards): per basic, its products
    with the reason and how many customers in the chain depend on each."""
    from simcore.chainmap.inspect import FIVE_BASICS, OTHER_BASIC

    if not boards:
        return "<p><b>Short boards:</b> none</p>"
    items = []
    for basic in (*FIVE_BASICS, OTHER_BASIC):
        mine = [b for b in boards if b.get("basic", OTHER_BASIC) == basic]
        if mine:
            mine.sort(key=lambda b: -b["customers"])
            shown = ", ".join(f"{b['product']} ({b['reason']}, {b['customers']} customer{'s' if b['customers'] != 1 else ''})" for b in mine[:8])
            more = f", ... ({len(mine)} in all)" if len(mine) > 8 else ""
            items.append(f"<li><b>{escape(basic)}</b> ({len(mine)}): {escape(shown + more)}</li>")
    return f"<p><b>Short boards</b> by the five basics ({len(boards)} products):</p><ul class=\"basics\">{''.join(items)}</ul>"


def _chain_section(folder: Path, kind: str, doc: dict, chain: str, facts: dict, traj, currency: str) -> str:
    rows = chain_rows(kind, doc, chain)
    title = "Total chain (every final-demand firm)" if chain == "total" else f"Chain {chain}"
    parts = []
    masters = facts.get("chain_masters")
    if masters is not None:
        parts.append(f"<p><b>Chain masters:</b> {escape(_short(masters, 12)) if masters else 'none tagged chain_master'}</p>")
    boards = facts.get("short_boards")
    if boards is not None:
        parts.append(short_boards_html(boards))
    parts.append(table_html(rows, _columns(rows), currency, f'class="chain" data-chain="{escape(chain)}"', key="variant"))
    if traj is not None:
        best = next((r["variant"] for r in rows if r["variant"] != doc["reference_variant"]), None)
        parts.append(chain_chart(kind, traj, chain, doc["reference_variant"], best, doc["scenario"].get("shock_start")))
    return _section(f"chain-{_slug(chain)}", title, "".join(parts) + embed(chain_pngs(folder, chain)), "chain")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)


def chain_chart(kind: str, table, chain: str, ref: str, best: str | None, start) -> str:
    """Inline SVG: output / baseline of the reference and the best variant on `chain` (a batch: medians and 5-95% bands)."""
    import numpy as np

    t = table[table.chain.astype(str) == chain]
    series = []
    for variant, color in ((ref, "#c0392b"), (best, "#1f77b4")):
        if variant is None:
            continue
        v = t[t.variant.astype(str) == variant].sort_values("day")
        if v.empty:
            continue
        if kind == "run":
            series.append((variant, color, v.day.to_numpy(), v.ratio.to_numpy(), None))
        else:
            series.append((variant, color, v.day.to_numpy(), v.q50.to_numpy(), (v.q05.to_numpy(), v.q95.to_numpy())))
    if not series:
        return ""
    W, H, L, R, T, B = 720, 240, 48, 12, 12, 30
    days = max(float(s[2].max()) for s in series) or 1.0
    top = max(1.1, *(float(np.nanmax(s[3] if s[4] is None else s[4][1])) for s in series))
    low = min(float(np.nanmin(s[3] if s[4] is None else s[4][0])) for s in series)
    low = max(0.0, math.floor(low * 4) / 4)  # a shallow dip is not drawn against an empty axis down to 0
    x = lambda d: L + (W - L - R) * d / days  # noqa: E731
    y = lambda r: T + (H - T - B) * (top - r) / (top - low)  # noqa: E731
    svg = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(f"output / baseline of chain {chain}")}">']
    if start is not None:
        svg.append(f'<line x1="{x(start):.1f}" y1="{T}" x2="{x(start):.1f}" y2="{H - B}" class="shock"/>')
    for k in range(round(low * 4), int(top * 4) + 1):
        r = k / 4
        svg.append(f'<line x1="{L}" y1="{y(r):.1f}" x2="{W - R}" y2="{y(r):.1f}" class="grid"/><text x="{L - 6}" y="{y(r) + 4:.1f}" class="tick" text-anchor="end">{r:.2f}</text>')
    step = next(s for s in (1, 2, 5, 10, 20, 30, 60, 90, 180, 365, 730, 1825, 3650, math.inf) if days / s <= 8)
    for k in range(int(days // step) + 1):
        d = k * step
        svg.append(f'<text x="{x(d):.1f}" y="{H - 10}" class="tick" text-anchor="middle">{d:.0f}</text>')
    for name, color, d, r, band in series:
        if band is not None:
            pts = [f"{x(a):.1f},{y(b):.1f}" for a, b in zip(d, band[1])] + [f"{x(a):.1f},{y(b):.1f}" for a, b in zip(d[::-1], band[0][::-1])]
            svg.append(f'<polygon points="{" ".join(pts)}" fill="{color}" opacity="0.15"/>')
        pts = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(d, r) if math.isfinite(b))
        svg.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.8"/>')
    svg.append("</svg>")
    what = "median and 5-95% band over the replications" if kind == "batch" else "one run"
    legend = " ".join(f'<span class="key" style="border-color:{c}">{escape(n)}</span>' for n, c, *_ in series)
    return f'<figure class="svg">{"".join(svg)}<figcaption>Chain output / baseline by day ({what}; the grey line is the first shock). {legend}</figcaption></figure>'


def _details(folder: Path, kind: str, doc: dict, currency: str) -> str:
    parts = []
    costs = [{"variant": v, **c} for v, c in doc.get("costs", {}).items()]
    if costs:
        parts.append("<h3>Cost of each variant's policies, by component</h3>" + table_html(costs, list(costs[0]), currency, 'class="costs"'))
    metrics = _table(folder, "metrics")
    if metrics is not None:
        rows = metrics.to_dict("records")
        parts.append("<h3>Every variant and chain (metrics table)</h3>" + table_html([_clean(r) for r in rows], list(metrics.columns), currency, 'class="metrics"'))
    picks = [f"'{v}': {p['product']} ({p['reason']}; {p['mode']}): {p['why']}; customers {_short(p['customers'])}, supplied by {_short(p['suppliers'])}" for v, ps in doc.get("short_board_picks", {}).items() for p in ps]
    if picks:
        parts.append("<h3>What each fill_short_board picked</h3>" + _list(picks))
    return _section("details", "Detail tables", "".join(parts))


def _clean(row: dict) -> dict:
    """A table row with NaN as None and numpy numbers as Python's."""
    out = {}
    for k, v in row.items():
        if hasattr(v, "item"):
            v = v.item()
        out[k] = None if isinstance(v, float) and math.isnan(v) else v
    return out


# --- optimize -------------------------------------------------------------------------------------------------------------
def _optimize_sections(folder: Path, kind: str, doc: dict) -> list[str]:
    currency = doc["money"]["currency"]
    money = lambda v: fmt("cost", v, currency)  # noqa: E731
    context = doc.get("context", {})
    chosen = doc["chosen"]
    nothing = next((r for r in doc.get("frontier", []) if r["size"] == 0), None)
    cards = [
        _card("Budget", money(doc["budget"]), f"minimising the {doc['objective']}"),
        _card("Chosen portfolio", chosen["portfolio"], f"{chosen['size']} intervention{'s' if chosen['size'] != 1 else ''}"),
        _card("It saves", money(chosen["value_saved"]), f"95% CI {money(chosen['value_saved_ci_low'])} to {money(chosen['value_saved_ci_high'])}"),
        _card("It costs", money(chosen["cost"]), f"benefit / cost {fmt('benefit_cost', chosen['benefit_cost'])}"),
    ]
    words = [f"Expected loss {money(chosen['expected_loss'])}" + (f" against {money(nothing['expected_loss'])} doing nothing." if nothing else ".")]
    sure = doc.get("confidence")
    if sure:
        cards.append(_card("How sure", f"{sure['beats_share']:.0%}", f"of {doc['replications']:,} replications it loses less than the runner-up (same: {sure['tie_share']:.0%}, more: {sure['loses_share']:.0%})"))
        words.append(
            f"The runner-up, '{sure['runner_up']}' ({money(sure['runner_up_cost'])}), loses more in {sure['beats_share']:.0%} of the replications "
            f"(ties {sure['tie_share']:.0%}), by {money(sure['advantage'])} on average (95% CI {money(sure['advantage_ci_low'])} to {money(sure['advantage_ci_high'])})."
        )
    shocks = [shock_sentence(s) for s in context.get("shocks", [])]
    out = [
        _section(
            "summary", "At a glance",
            f'<h3>The shock{"s" if len(shocks) > 1 else ""}</h3>{_list(shocks) or "<p>No shocks.</p>"}<div class="cards">{"".join(cards)}</div>'
            f'<p class="words">{escape(" ".join(words))}</p>',
            "leader",
        )
    ]  # fmt: skip
    per_chain = {r["chain"]: r for r in doc.get("chosen_per_chain", [])}
    for chain, facts in context.get("chains", {}).items():
        rows = [per_chain[chain]] if chain in per_chain else []
        body = f"<p><b>Chain masters:</b> {escape(_short(facts['chain_masters'], 12)) or 'none'}</p>"
        body += f"<p><b>Short boards:</b> {escape(', '.join(b['product'] for b in facts['short_boards'][:12])) or 'none'}</p>"
        if rows:
            body += "<p>The chosen portfolio on this chain (its cost attributed to the chain, the value it saves there):</p>" + table_html(rows, list(rows[0]), currency, f'class="chain" data-chain="{escape(chain)}"', key="chain")
        out.append(_section(f"chain-{_slug(chain)}", "Total chain" if chain == "total" else f"Chain {chain}", body + embed(chain_pngs(folder, chain)), "chain"))
    parts = []
    for name, title in (("frontier", "Cost-benefit frontier: the best portfolio at each budget"), ("candidates", "Candidates"), ("portfolios", "Portfolios simulated (best first, top 30)")):
        t = _table(folder, name)
        if t is not None:
            rows = [_clean(r) for r in t.head(30).to_dict("records")]
            parts.append(f"<h3>{escape(title)}</h3>" + table_html(rows, list(t.columns), currency, f'class="{name}"'))
    out.append(_section("details", "Detail tables", "".join(parts)))
    return out


# --- stress ----------------------------------------------------------------------------------------------------------------
def _stress_sections(folder: Path, kind: str, doc: dict) -> list[str]:
    ranking = doc["ranking"]
    top = ranking[:3]
    what = f"each {doc['by']} in turn loses {doc['magnitude']:.0%} of its capacity for {doc['duration']:g} days; {doc['horizon']} days simulated"
    cards = [_card("Knock-outs", f"{doc['units']:,} {doc['by']}s", what)]
    for r in top:
        cards.append(_card(f"Stuck neck #{r['rank']}", str(r["unit"]), f"total chain loss {fmt('loss', r['loss'])} when it is out"))
    words = "The units whose knock-out costs the chain most, worst first; protect these before the others." if top else "No units were knocked out."
    out = [_section("summary", "At a glance", f'<div class="cards">{"".join(cards)}</div><p class="words">{escape(words)}</p>', "leader")]
    chains = [c[len("loss_"):] for c in (ranking[0] if ranking else {}) if c.startswith("loss_")]
    for chain in chains:
        rows = sorted(ranking, key=lambda r: -(r[f"loss_{chain}"] or 0))[:10]
        cols = ["unit", f"loss_{chain}", "loss", *(c for c in ("single_sourced", "foreign_only", "category") if c in rows[0])]
        table = table_html(rows, cols, "", f'class="chain" data-chain="{escape(chain)}"', key="unit")
        out.append(_section(f"chain-{_slug(chain)}", f"Chain {chain}: its worst 10 knock-outs", table + embed(chain_pngs(folder, chain)), "chain"))
    columns = list(ranking[0]) if ranking else []
    details = f"<h3>Ranking ({'top 50 of ' if len(ranking) > 50 else ''}{len(ranking):,} units)</h3>" + table_html(ranking[:50], columns, "", 'class="ranking"', key="unit")
    shared = doc.get("shared_stuck_necks") or []
    if shared:
        details += f"<h3>Shared stuck necks: {len(shared):,} units that hurt two or more chains</h3>" + table_html(shared[:50], list(shared[0]), "", 'class="shared"', key="unit")
    out.append(_section("details", "Detail tables", details))
    return out


def _sensitivity_sections(folder: Path, kind: str, doc: dict) -> list[str]:
    """What moves the answer: per output (a variant's loss, the decision between two variants), the inputs ranked,
    the first one named for the leader; the indices and the tornado values in the detail tables."""
    index = "ST" if doc["method"] == "sobol" else "mu_star"
    total = [r for r in doc["indices"] if r["chain"] == "total"]
    cards, words = [], []
    for output, ranked in doc["ranking"].items():
        if not ranked:
            continue
        first = next(r for r in total if r["output"] == output and r["input"] == ranked[0])
        value = first[index]
        cards.append(_card(f"Moves {output} most", str(ranked[0]), f"{index} {value:.2f}" + (f" ± {first[index + '_conf']:.2f}" if first.get(index + "_conf") is not None else "")))
        words.append(f"{output}: {ranked[0]}" + (f", then {', '.join(ranked[1:3])}" if len(ranked) > 1 else ""))
    rob = doc.get("robustness")
    if rob:
        cards.append(_card("How sure of the choice", f"{rob['p_best']:.0%}", f"of {rob['replications']:,} drawn worlds in which '{rob['chosen']}' is the best; within {rob['within']:.0%} of the best in {rob['p_within']:.0%}"))
    text = "Pin down first what moves the answer most. " + "; ".join(words) + "."
    out = [_section("summary", "At a glance", f'<div class="cards">{"".join(cards)}</div><p class="words">{escape(text)}</p>', "leader")]
    columns = [c for c in ("input", "output", "chain", "S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma", "at_low", "at_high", "swing") if any(c in r and r[c] is not None for r in doc["indices"])]
    details = f"<h3>Indices ({doc['method']}, {doc['runs']:,} runs)</h3>" + table_html(doc["indices"], columns, "", 'class="indices"', key="input")
    inputs = [{"input": i["name"], "field": i["field"], "distribution": json.dumps(i["distribution"], ensure_ascii=False), "varies": i["varies"]} for i in doc["inputs"]]
    details += "<h3>Uncertain inputs</h3>" + table_html(inputs, ["input", "field", "distribution", "varies"], "", 'class="inputs"', key="input")
    if doc.get("notes"):
        details += "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in doc["notes"]) + "</ul>"
    out.append(_section("details", "Detail tables", details))
    return out


# --- figures, assumptions, command line ---------------------------------------------------------------------------------
FIGURE_ORDER = ("output.png", "fan.png", "variants.png", "loss_hist.png", "chain_masters.png", "frontier.png", "stress.png", "map.png")


def chain_names(kind: str, doc: dict) -> list[str]:
    """The named chains of the results (not `total`)."""
    if kind == "sensitivity":
        chains = sorted({r["chain"] for r in doc["indices"]})
    elif kind in ("run", "batch"):
        chains = doc["variants" if kind == "run" else "statistics"][doc["reference_variant"]]
    elif kind == "optimize":
        chains = doc.get("context", {}).get("chains") or [r["chain"] for r in doc.get("chosen_per_chain", [])]
    else:
        chains = [c[len("loss_") :] for c in (doc["ranking"][0] if doc["ranking"] else {}) if c.startswith("loss_")]
    return [c for c in chains if c != "total"]


def chain_pngs(folder: Path, chain: str) -> list[Path]:
    """A chain's own figures, `<figure>_<chain>.png` (the stress test's map_ev.png): shown in the chain's section."""
    return sorted(p for p in Path(folder).glob("*.png") if p.stem.endswith(f"_{chain}") and p.name not in FIGURE_ORDER)


def embed(pngs) -> str:
    """PNGs as figures, embedded as base64."""
    return "".join(
        f'<figure><img alt="{escape(p.stem)}" src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{escape(p.name)}</figcaption></figure>'
        for p in pngs
    )


def _figures(folder: Path, chains: list[str]) -> str:
    """Every PNG of the folder that no chain's section shows."""
    shown = {p for c in chains for p in chain_pngs(folder, c)}
    pngs = [p for p in Path(folder).glob("*.png") if p not in shown]
    pngs.sort(key=lambda p: (FIGURE_ORDER.index(p.name) if p.name in FIGURE_ORDER else len(FIGURE_ORDER), p.name))
    return _section("figures", "Figures", embed(pngs)) if pngs else ""


def _assumptions(kind: str, doc: dict) -> str:
    rows = []
    if kind == "sensitivity":
        rows += [("scenario", doc["scenario"]), ("scenario file", doc["file"]), ("method", f"{doc['method']}, {doc['samples']:,} samples, {doc['runs']:,} runs"),
                 ("variant", doc["variant"] + (f" versus {doc['versus']}" if doc.get("versus") else "")), ("shocks", doc["shocks"])]  # fmt: skip
    elif "scenario" in doc:
        sc = doc["scenario"]
        rows += [("scenario", sc["name"]), ("scenario file", sc["file"]), ("model file", sc["model"]), ("horizon", f"{sc['horizon']} days")]
        if sc.get("shock_start") is not None:
            rows.append(("first shock", f"day {sc['shock_start']:g}"))
    else:
        rows += [("model or scenario", doc["source"]), ("file", doc.get("file") or "-"), ("horizon", f"{doc['horizon']} days"), ("knock-outs", f"{doc['units']:,} {doc['by']}s, {doc['magnitude']:.0%} for {doc['duration']:g} days")]
    rows += [("engine", doc["engine"])]
    if "seed" in doc:
        rows.append(("seed", str(doc["seed"])))
    if "replications" in doc:
        rows.append(("replications", f"{doc['replications']:,} (common random numbers: every variant sees the same shocks)"))
    if "reference_variant" in doc or "base_variant" in doc:
        rows.append(("compared with", doc.get("reference_variant") or doc.get("base_variant")))
    if "money" in doc:
        m = doc["money"]
        rows.append(("money", f"{m['currency']}; {m['unit']:g} {m['unit_meaning']}"))
    if kind == "optimize":
        rows += [("objective", doc["objective"]), ("search", f"{doc['search']['method']}, {doc['search']['portfolios_simulated']:,} portfolios of {doc['search']['candidates']} candidates")]
    body = _facts(rows)
    context = doc.get("context", {})
    if context.get("variants"):
        body += "<h3>Variants</h3><dl>" + "".join(f"<dt>{escape(v)}</dt><dd>{escape(d) or '-'}</dd>" for v, d in context["variants"].items()) + "</dl>"
    if context.get("parameters"):
        body += "<h3>Model parameters</h3>" + _facts(context["parameters"].items())
    body += "<h3>Versions</h3>" + _facts(doc["versions"].items())
    body += '<p>Metrics as defined in docs/model.md (Metrics); money as in docs/policies.md (Costs).</p>'
    return _section("assumptions", "Assumptions", body)


def _facts(rows) -> str:
    """Name-value pairs as a two-column table."""
    return '<table class="facts">' + "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in rows) + "</table>"


OBJECTIVES = {"expected total chain loss in money": "mean", "CVaR95 of the total chain loss in money": "cvar95"}


def command_line(kind: str, doc: dict, out: Path) -> str:
    """The command that writes this folder again (same file, seed, engine, replications and settings)."""
    q = lambda v: shlex.quote(str(v))  # noqa: E731
    if kind == "sensitivity":
        words = ["simcore", "sensitivity", q(doc["file"]), "--method", doc["method"], "--samples", str(doc["samples"]), "--variant", q(doc["variant"])]
        words += ["--versus", q(doc["versus"])] if doc.get("versus") else []
        words += ["--robustness", str(doc["robustness"]["replications"]), "--within", f"{doc['robustness']['within']:g}"] if doc.get("robustness") else []
        words += ["--seed", str(doc["seed"]), "--engine", doc["engine"]]
    elif kind == "stress":
        words = ["simcore", "stress", q(doc.get("file") or doc["source"]), "--by", doc["by"], "--duration", f"{doc['duration']:g}", "--magnitude", f"{doc['magnitude']:g}"]
        words += ["--horizon", str(doc["horizon"]), "--engine", doc["engine"]]
    elif kind == "optimize":
        search = "exhaustive" if doc["search"]["method"] == "exhaustive" else "greedy"
        words = ["simcore", "optimize", q(doc["scenario"]["file"]), "--budget", f"{doc['budget']:g}", "--objective", OBJECTIVES.get(doc["objective"], "mean")]
        words += ["--replications", str(doc["replications"]), "--search", search, "--seed", str(doc["seed"]), "--engine", doc["engine"]]
    else:
        words = ["simcore", "run", q(doc["scenario"]["file"])]
        if kind == "batch":
            words += ["--replications", str(doc["replications"])]
        words += ["--seed", str(doc["seed"]), "--engine", doc["engine"]]
    return " ".join(words + ["--out", q(out)])


CSS = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #d8dee6; --accent: #1f5fa8; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.5 "Noto Sans", "Segoe UI", Helvetica, Arial,
  "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif; }
header, main { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; border-bottom: 3px solid var(--accent); }
header h1 { margin: 0; font-size: 28px; line-height: 1.25; overflow-wrap: anywhere; }
header .kind { color: var(--muted); margin: 4px 0 0; }
nav { margin: 10px 0 0; font-size: 13px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
section { padding: 12px 0 20px; border-bottom: 1px solid var(--line); }
h2 { font-size: 21px; margin: 16px 0 10px; }
h3 { font-size: 16px; margin: 16px 0 6px; }
p, li, dd { overflow-wrap: anywhere; }
.leader { background: var(--bg); margin: 16px -24px 0; padding: 8px 24px 20px; border: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 14px; margin: 14px 0; }
.card { background: #fff; border: 1px solid var(--line); border-top: 4px solid var(--accent); border-radius: 6px; padding: 12px 14px; min-width: 0; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card .big { font-size: 26px; font-weight: 700; line-height: 1.2; margin: 4px 0; overflow-wrap: anywhere; }
.card .note { font-size: 13px; color: var(--muted); overflow-wrap: anywhere; }
.words { font-size: 16px; max-width: 75ch; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
th, td { padding: 4px 7px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--bg); border-bottom: 2px solid var(--line); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; } thead th { min-width: 6ch; }
td.text, th.text { text-align: left; }
td.text { white-space: nowrap; } td.long { white-space: normal; min-width: 30ch; }
table.facts th { text-align: left; font-weight: 600; color: var(--muted); white-space: nowrap; }
dl dt { font-weight: 600; margin-top: 6px; }
dl dd { margin: 0 0 0 18px; color: var(--muted); }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-size: 12px; color: var(--muted); }
svg.chart { width: 100%; max-width: 720px; height: auto; display: block; }
svg .grid { stroke: #e6eaef; } svg .shock { stroke: #999; stroke-dasharray: 4 3; }
svg .tick { font-size: 11px; fill: var(--muted); }
.key { border-left: 14px solid; padding-left: 6px; margin-right: 12px; }
pre { background: var(--bg); padding: 10px 12px; border: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
footer { max-width: 1240px; margin: 0 auto; padding: 16px 24px 32px; color: var(--muted); font-size: 12px; }
@media print {
  body { font-size: 11pt; } header, main, footer { max-width: none; padding: 0; }
  nav { display: none; } .leader { margin: 0; break-after: page; }
  section, figure, table { break-inside: avoid; } .scroll { overflow: visible; }
}
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header><h1>{heading}</h1><p class="kind">{kind} - simcore report</p>
<nav>{nav}</nav></header>
<main>
{body}
</main>
<footer>Written by simcore from the files of this folder; open offline, print to PDF from the browser.</footer>
</body>
</html>
"""
