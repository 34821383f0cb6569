"""Large type for a projector: every font of a Plotly figure raised to a floor, so axis labels, legends,
values on bars and annotations stay readable from the back of a hall (issue 18: 16 px and more).

Applied by the pages to the figures they show (pages/_format.chart) when projector mode is on; the
figure builders stay as they are, and a copy is changed, never the figure a cache may hold.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

MIN_FONT_PX = 16
TITLE_FONT_PX = 22


def _raised(current: Any, floor: int) -> int:
    """The larger of the font's own size (None: Plotly's default of 12) and the floor."""
    return max(int(current or 12), floor)


def enlarge(fig: go.Figure, floor: int = MIN_FONT_PX, title: int = TITLE_FONT_PX) -> go.Figure:
    """A copy of `fig` whose every text is at least `floor` px (titles at least `title` px)."""
    big = go.Figure(fig)
    layout = big.layout
    layout.font.size = _raised(layout.font.size, floor)
    layout.title.font.size = _raised(layout.title.font.size, title)
    layout.legend.font.size = _raised(layout.legend.font.size, floor)
    layout.legend.title.font.size = _raised(layout.legend.title.font.size, floor)
    layout.hoverlabel.font.size = _raised(layout.hoverlabel.font.size, floor)
    for axis_name in [name for name in layout if name.startswith(("xaxis", "yaxis"))]:
        axis = layout[axis_name]
        axis.tickfont.size = _raised(axis.tickfont.size, floor)
        axis.title.font.size = _raised(axis.title.font.size, floor)
    for note in layout.annotations or ():
        note.font.size = _raised(note.font.size, floor)
    for colorbar in [t.colorbar for t in big.data if "colorbar" in t]:  # heatmaps, choropleths
        colorbar.tickfont.size = _raised(colorbar.tickfont.size, floor)
        colorbar.title.font.size = _raised(colorbar.title.font.size, floor)
    for trace in big.data:
        if "textfont" in trace and trace.textfont.size is not None:  # values on bars, labels on points
            trace.textfont.size = _raised(trace.textfont.size, floor)
        elif "textfont" in trace:
            trace.textfont.size = floor
        if "marker" in trace and "showscale" in trace.marker and trace.marker.showscale:  # never add a bar
            bar = trace.marker.colorbar
            bar.tickfont.size = _raised(bar.tickfont.size, floor)
            bar.title.font.size = _raised(bar.title.font.size, floor)
    if layout.margin.t is not None:  # a bigger title needs the room
        layout.margin.t = max(int(layout.margin.t), title + 28)
    return big
