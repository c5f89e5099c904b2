"""Chinese names render in figures with the font the project's own dependencies install (simcore.plots)."""

from __future__ import annotations

import dataclasses
import io
import warnings
from pathlib import Path

import numpy as np

from simcore import plots


def render(text: str, family=None) -> np.ndarray:
    fig = plots.plt.figure(figsize=(3, 1), dpi=80)
    fig.text(0.05, 0.4, text, fontsize=14, **({"family": family} if family else {}))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="raw")
    plots.plt.close(fig)
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8)


def test_chinese_labels_draw_without_a_missing_glyph_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 33455 ... missing from font(s) DejaVu Sans" would raise here
        for family in (None, plots.MONOSPACE):
            render("新能源汽车链 芯片出口管制 长安汽车 Chongqing", family)


def test_different_characters_draw_different_glyphs():
    """Missing glyphs draw as the same empty box: two different Chinese words must give different pictures."""
    assert not np.array_equal(render("芯片"), render("电池"))


def test_chinese_firm_names_on_the_chain_map_draw_without_a_missing_glyph_warning():
    """simcore.plots.plot_map (map.png) with Chinese firm names and title: labels, legend and axes in one font."""
    from simcore.chainmap import load_model

    ev = load_model(Path(__file__).resolve().parents[2] / "models" / "ev_chain.toml")
    names = ["长安汽车", "宁德时代", "比亚迪", "芯片厂", "正极材料厂"]
    chinese = dataclasses.replace(ev, firms=tuple(f.model_copy(update={"name": f"{names[k % len(names)]} {k}"}) for k, f in enumerate(ev.firms)))
    criticality = np.random.default_rng(0).random(len(ev.firms)) * 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s) DejaVu Sans" would raise here
        fig = plots.plot_map(chinese, criticality, "新能源汽车链：企业停产")
        fig.savefig(io.BytesIO(), format="png")
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in t.get_text()) for t in fig.axes[0].texts) >= 10
    plots.plt.close(fig)
