"""What a drawn figure shows, for the figure tests: its texts' boxes in display coordinates, which overlap, its legends."""

from __future__ import annotations

from matplotlib.text import Text


def _hidden_tick_labels(fig) -> set[int]:
    """Tick labels matplotlib keeps but does not draw: those of ticks outside the axis' view."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = (high - low) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - span <= tick.get_loc() <= high + span:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return hidden


def texts(fig) -> list:
    """Every text the figure draws (visible, not empty, in a visible axes, a tick in view) with its box."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = _hidden_tick_labels(fig)
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible()) and id(t) not in hidden
    ]


def overlapping(boxes) -> list[tuple[str, str]]:
    """The pairs of texts whose boxes overlap."""
    return [(a, b) for k, (a, p) in enumerate(boxes) for b, q in boxes[k + 1 :] if p.overlaps(q)]


def legends(fig) -> list:
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
