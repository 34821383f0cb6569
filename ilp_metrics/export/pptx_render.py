"""The deck as a PowerPoint file (16:9): native, editable charts, the district and period on every
slide, speaker notes. Needs no browser (python-pptx writes the XML itself)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import cast

from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PptxPresentation
from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide as PptxSlide
from pptx.util import Emu, Inches, Pt

from ilp_metrics.export.deck import BigNumber, ChartData, Deck, Slide

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
FLAG_INK = RGBColor(0xA0, 0x45, 0x00)  # dark orange: the ⚠ explanation, readable on white
INK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x66, 0x66, 0x66)
ACCENT = RGBColor(0x00, 0x72, 0xB2)
FONT = "Arial"


def _rgb(colour: str) -> RGBColor:
    return cast(RGBColor, RGBColor.from_string(colour.lstrip("#")[:6].upper()))  # an unannotated classmethod


def _text(
    slide: PptxSlide,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str,
    size: int,
    *,
    bold: bool = False,
    colour: RGBColor = INK,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
) -> Shape:
    """A text box; positions and sizes in EMU (a Length is an int, and sums of Lengths are plain ints)."""
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        run.font.color.rgb = colour
    return box


def _footer(slide: PptxSlide, deck: Deck, number: int) -> None:
    _text(slide, Inches(0.5), HEIGHT - Inches(0.5), Inches(10), Inches(0.35), deck.footer, 12, colour=GREY)
    _text(
        slide,
        WIDTH - Inches(1.5),
        HEIGHT - Inches(0.5),
        Inches(1.0),
        Inches(0.35),
        f"{number} / {len(deck.slides)}",
        12,
        colour=GREY,
        align=PP_ALIGN.RIGHT,
    )
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(0), Emu(0), WIDTH, Inches(0.12))  # the accent band on top
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()


def _titled(chart: Chart, title: str) -> Chart:
    """A chart's type and title as every chart of the deck has them (14 pt, title 16 pt bold)."""
    chart.font.size, chart.font.name = Pt(14), FONT
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    run = chart.chart_title.text_frame.paragraphs[0].runs[0]
    run.font.size, run.font.bold = Pt(16), True
    return chart


def _chart(slide: PptxSlide, data: ChartData, left: int, top: int, width: int, height: int) -> None:
    bar = data.kind == "bar"
    # PowerPoint draws a bar chart's first category at the bottom; ChartData lists them top-down.
    order = list(range(len(data.categories)))[::-1] if bar else list(range(len(data.categories)))
    chart_data: CategoryChartData | XyChartData
    if bar:
        chart_data = CategoryChartData(number_format="0.0")
        chart_data.categories = [data.categories[i] for i in order]
        for s in data.series:
            chart_data.add_series(s.name, [s.values[i] for i in order])
        kind = XL_CHART_TYPE.BAR_CLUSTERED
    else:  # months since start are numbers: an XY chart gets a numeric axis with readable steps
        chart_data = XyChartData()
        for s in data.series:
            series = chart_data.add_series(s.name, number_format="0.0")
            for x, y in zip(data.categories, s.values):
                if y is not None:
                    series.add_data_point(float(x), y)
        kind = XL_CHART_TYPE.XY_SCATTER_LINES
    # add_chart returns the GraphicFrame holding the chart and takes any chart data; its annotations say otherwise.
    frame = cast(
        GraphicFrame,
        slide.shapes.add_chart(kind, Emu(left), Emu(top), Emu(width), Emu(height), chart_data),  # type: ignore[arg-type]
    )
    chart = _titled(frame.chart, data.title)
    chart.has_legend = len(data.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(14)
    value_axis = chart.value_axis
    value_axis.minimum_scale = 0
    if data.value_max:
        value_axis.maximum_scale = float(round(data.value_max / 10) * 10 or 10)
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = data.value_axis + (
        f" — {data.reference_label} = {data.reference:g}" if data.reference is not None else ""
    )
    value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    value_axis.tick_labels.font.size = Pt(14)
    chart.category_axis.tick_labels.font.size = Pt(14 if len(data.categories) <= 10 else 12)
    if data.category_axis:
        chart.category_axis.has_title = True
        chart.category_axis.axis_title.text_frame.text = data.category_axis
    if bar:
        _category_label_skip(chart)
    else:
        xs = [float(c) for c in data.categories]
        chart.category_axis.minimum_scale, chart.category_axis.maximum_scale = min(xs), max(xs)
        chart.category_axis.major_unit = 3
        chart.category_axis.crosses = XL_AXIS_CROSSES.MINIMUM  # the value axis on the left, not at month 0
        chart.category_axis.has_major_gridlines = False
    plot = chart.plots[0]
    if bar:
        plot.gap_width = 40
    for s, series in zip(data.series, plot.series):
        if not bar:
            series.format.line.color.rgb = _rgb(s.colour)
            series.format.line.width = Pt(3.5)
            series.marker.size = 5
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = _rgb(s.colour)
            series.smooth = False
            continue
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb(s.colour)
        for pos, i in enumerate(order):
            point = series.points[pos]
            if s.point_colours:
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = _rgb(s.point_colours[i])
            if s.labels and s.values[i] is not None:
                label = point.data_label
                label.has_text_frame = True
                label.text_frame.text = s.labels[i]
                label.position = XL_LABEL_POSITION.OUTSIDE_END
                label.font.size = Pt(14 if len(data.categories) <= 10 else 12)
                label.font.bold = True


# Where the PWS chart's plot area sits inside its frame (fractions; c:manualLayout, layoutTarget inner), so
# the target line drawn over the chart meets the value axis at the target.
PWS_PLOT = {"x": 0.08, "y": 0.12, "w": 0.9, "h": 0.6}


def _plot_layout(chart: Chart, box: dict[str, float]) -> None:
    """Fix the plot area (the bars' rectangle, without axis labels) at `box` within the chart frame."""
    plot_area = chart._chartSpace.chart.plotArea
    for old in plot_area.findall(qn("c:layout")):
        plot_area.remove(old)
    layout = plot_area.makeelement(qn("c:layout"), {})
    manual = layout.makeelement(qn("c:manualLayout"), {})
    for tag, value in (("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge")):
        manual.append(manual.makeelement(qn(f"c:{tag}"), {"val": value}))
    for key in ("x", "y", "w", "h"):
        manual.append(manual.makeelement(qn(f"c:{key}"), {"val": str(box[key])}))
    layout.append(manual)
    plot_area.insert(0, layout)


def _pws_chart(slide: PptxSlide, data: ChartData, left: int, top: int, width: int, height: int) -> None:
    """The classic PWS chart: one column per unit in the given order (sorted), status colours, the value on
    each column, and the target line across at `reference`, labelled."""
    chart_data = CategoryChartData(number_format="0.0")
    chart_data.categories = list(data.categories)
    series_data = data.series[0]
    chart_data.add_series(series_data.name, [0.0 if v is None else v for v in series_data.values])
    frame = cast(
        GraphicFrame,
        slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED,
            Emu(left),
            Emu(top),
            Emu(width),
            Emu(height),
            chart_data,  # type: ignore[arg-type]
        ),
    )
    chart = _titled(frame.chart, data.title)
    chart.has_legend = False  # the statuses are named beside the chart
    top_value = float(data.value_max or 100.0)
    value_axis = chart.value_axis
    value_axis.minimum_scale, value_axis.maximum_scale = 0, top_value
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = data.value_axis
    value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    value_axis.tick_labels.font.size = Pt(14)
    many = len(data.categories) > 8
    chart.category_axis.tick_labels.font.size = Pt(13 if many else 14)
    if many:  # slanted names, as on the page: every puskesmas named, none overlapping
        chart.category_axis._element.get_or_add_txPr().bodyPr.set("rot", "-2700000")
    _category_label_skip(chart)
    plot = chart.plots[0]
    plot.gap_width = 40
    series = plot.series[0]
    for i, value in enumerate(series_data.values):
        point = series.points[i]
        if series_data.point_colours:
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(series_data.point_colours[i])
        if series_data.labels and value is not None:
            label = point.data_label
            label.has_text_frame = True
            label.text_frame.text = series_data.labels[i]
            label.position = XL_LABEL_POSITION.OUTSIDE_END
            label.font.size = Pt(14 if not many else 13 if len(data.categories) <= 12 else 12)
            label.font.bold = True
    _plot_layout(chart, PWS_PLOT)
    if data.reference is None:
        return
    x = left + int(width * PWS_PLOT["x"])
    w = int(width * PWS_PLOT["w"])
    y = top + int(height * (PWS_PLOT["y"] + PWS_PLOT["h"] * (1 - data.reference / top_value)))
    line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Emu(x), Emu(y), Emu(x + w), Emu(y))
    line.line.color.rgb = INK
    line.line.width = Pt(2.5)
    line.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    _text(
        slide,
        x + w - Inches(4.0),
        y - Inches(0.42),
        Inches(4.0),
        Inches(0.4),
        data.reference_label,
        16,
        bold=True,
        align=PP_ALIGN.RIGHT,
    )


def _category_label_skip(chart: Chart, every: int = 1) -> None:
    """PowerPoint skips category labels when it thinks they crowd: every puskesmas name must show (bars);
    a long month axis shows every `every`-th month so the labels stay on one line (lines)."""
    axis = chart.category_axis._element
    skip = axis.makeelement(qn("c:tickLblSkip"), {"val": str(every)})
    anchor = axis.find(qn("c:noMultiLvlLbl"))
    if anchor is not None:
        anchor.addprevious(skip)
    else:
        axis.append(skip)


def _status_legend(slide: PptxSlide, legend: Sequence[tuple[str, str]], left: int, top: int, width: int) -> None:
    """Coloured squares with the status names (colour is never the only signal)."""
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Inches(0.4 * len(legend)))
    frame = box.text_frame
    frame.word_wrap = True
    for k, (name, colour) in enumerate(legend):
        para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        mark = para.add_run()
        mark.text = "■ "
        mark.font.size, mark.font.color.rgb = Pt(20), _rgb(colour)
        run = para.add_run()
        run.text = name
        run.font.size, run.font.name, run.font.color.rgb = Pt(16), FONT, INK


def _numbers(slide: PptxSlide, numbers: Sequence[BigNumber], left: int, top: int, width: int, height: int) -> None:
    if not numbers:
        return
    step = height // len(numbers)
    for k, n in enumerate(numbers):
        y = top + step * k
        size = 54 if len(n.value) <= 8 else 40 if len(n.value) <= 11 else 30
        _text(
            slide, left, y, width, Inches(1.0), n.value, size, bold=True, colour=_rgb(n.colour) if n.colour else ACCENT
        )
        _text(slide, left, y + Inches(0.95), width, Inches(0.8), n.label, 18, colour=GREY)


def _slide(prs: PptxPresentation, deck: Deck, s: Slide, number: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    if s.key == "cover":
        _text(slide, Inches(0.8), Inches(1.8), Inches(11.7), Inches(1.3), s.title, 48, bold=True, colour=ACCENT)
        _text(slide, Inches(0.8), Inches(3.2), Inches(11.7), Inches(1.0), s.message, 32, bold=True)
        _text(slide, Inches(0.8), Inches(4.5), Inches(11.7), Inches(1.6), "\n".join(s.bullets), 18, colour=GREY)
    else:
        _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.9), s.title, 36, bold=True)
        _text(slide, Inches(0.5), Inches(1.15), Inches(12.3), Inches(0.8), s.message, 22, colour=INK)
        body_top, body_h = Inches(2.05), Inches(4.8)
        if s.chart is not None:
            num_w = Inches(3.6) if s.numbers else 0
            legend_h = Inches(0.4 * len(s.chart.status_legend))
            _numbers(slide, s.numbers, Inches(0.5), body_top + Inches(0.1), num_w, body_h - legend_h)
            if s.chart.status_legend:
                _status_legend(
                    slide, s.chart.status_legend, Inches(0.5), body_top + body_h - legend_h, num_w or Inches(3.6)
                )
            draw = _pws_chart if s.chart.kind == "pws" else _chart
            draw(slide, s.chart, Inches(0.5) + num_w, body_top, WIDTH - Inches(1.0) - num_w, body_h)
        elif s.numbers:
            width = (WIDTH - Inches(1.0)) // len(s.numbers)
            for k, n in enumerate(s.numbers):
                _numbers(slide, [n], Inches(0.5) + width * k, body_top + Inches(0.5), width, Inches(2))
        if s.bullets:
            _text(slide, Inches(0.5), body_top, Inches(12.3), body_h, "\n".join("• " + b for b in s.bullets), 20)
    _footer(slide, deck, number)
    if s.flag_note:  # small, beside the page number: the ⚠ in the chart is explained, the reasons are in the notes
        _text(
            slide,
            Inches(5.5),
            HEIGHT - Inches(0.5),
            Inches(6.2),
            Inches(0.35),
            s.flag_note,
            12,
            colour=FLAG_INK,
            align=PP_ALIGN.RIGHT,
        )
    slide.notes_slide.notes_text_frame.text = s.notes


def render_pptx(deck: Deck) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(WIDTH), Emu(HEIGHT)
    prs.core_properties.title = f"{deck.slides[0].title} — {deck.footer}" if deck.slides else deck.footer
    prs.core_properties.language = "id-ID" if deck.lang == "id" else "en-US"
    for number, s in enumerate(deck.slides, start=1):
        _slide(prs, deck, s, number)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
