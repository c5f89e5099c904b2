"""Chinese names render in figures with the font the project's own dependencies install (simcore.plots)."""

from __future__ import annotations

import io
import warnings

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
