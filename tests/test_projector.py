"""Projector mode's pure parts: every chart text raised to 16 px, wide tables split by columns."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ilp_metrics.figures.projector import MIN_FONT_PX, enlarge
from pages._projector import _link_texts, column_groups


def _small_figure() -> go.Figure:
    fig = go.Figure(go.Bar(x=["Desa A", "Desa B"], y=[40, 60], text=["40", "60"], textfont={"size": 10}))
    fig.update_layout(title="PWS", font={"size": 11}, xaxis={"tickfont": {"size": 9}}, margin={"t": 20})
    fig.add_annotation(text="Target", font={"size": 10}, x=0, y=50)
    return fig


def test_enlarge_raises_every_text_to_the_floor():
    big = enlarge(_small_figure())
    sizes = [
        big.layout.font.size,
        big.layout.xaxis.tickfont.size,
        big.layout.yaxis.tickfont.size,
        big.layout.legend.font.size,
        big.layout.annotations[0].font.size,
        big.data[0].textfont.size,
    ]
    assert min(sizes) == MIN_FONT_PX


def test_enlarge_keeps_larger_fonts_and_leaves_the_original_alone():
    fig = _small_figure()
    fig.update_layout(xaxis={"tickfont": {"size": 24}})
    big = enlarge(fig)
    assert (big.layout.xaxis.tickfont.size, fig.layout.font.size) == (24, 11)


def test_wide_table_is_split_into_groups_led_by_its_first_column():
    columns = ["Puskesmas", *[f"SPM{i}" for i in range(1, 13)]]
    groups = column_groups(columns, most=7)
    assert groups == [["Puskesmas", *columns[1:7]], ["Puskesmas", *columns[7:13]]]


def test_narrow_table_stays_whole():
    assert column_groups(["a", "b", "c"], most=9) == [["a", "b", "c"]]


def test_enlarge_adds_no_colour_bar_to_bars_coloured_by_status():
    big = enlarge(_small_figure())
    assert big.data[0].marker.to_plotly_json() == {}


def test_projector_table_shows_an_empty_text_cell_as_empty_and_a_link_as_its_name():
    frame = pd.DataFrame({"Desa": ["/desa?kode=1&nama=Baruga", None], "Catatan": [None, "x"]})
    config = {"Desa": {"type_config": {"type": "link", "display_text": r"nama=(.*)$"}}}
    assert _link_texts(frame, config).to_dict("list") == {"Desa": ["Baruga", ""], "Catatan": ["", "x"]}
