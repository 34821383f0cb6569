"""Presentasi: the deck on screen for a launch event — one slide at a time, full width, very large type,
next/previous buttons (and arrow keys), a public switch, and the same deck as PPTX/PDF/XLSX."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from ilp_metrics.export import NoData
from ilp_metrics.export.deck import BigNumber
from ilp_metrics.figures.slides import slide_figure
from pages import _auth, _db, _filters, _format, _session
from pages import _export_ui as ex
from pages._session import tr

f = _filters.require_data(__file__)
lang = _session.lang()

guest = not _auth.current().can("dashboard")  # a tamu account sees the public deck only
public = guest or bool(st.session_state.get("w_pres_public", False))
full = bool(st.session_state.get("w_pres_full", True))
if full:  # no sidebar, no header: only the slide
    st.markdown(
        "<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],"
        "header[data-testid='stHeader']{display:none !important;}"
        ".block-container{padding-top:1.2rem !important;padding-bottom:1rem !important;"
        "max-width:100% !important;}</style>",
        unsafe_allow_html=True,
    )

try:
    deck = ex.deck(
        str(_db.db_path()), _db.version(), f["regency"], int(f["year"]), int(f["month"]), lang, public, _auth.current()
    )
except NoData:
    st.info(tr("presentasi.no_slides"))
    st.stop()
if not deck.slides:
    st.info(tr("presentasi.no_slides"))
    st.stop()

total = len(deck.slides)
index = min(max(int(st.session_state.get("pres_slide", 0)), 0), total - 1)


def _go(step: int) -> None:
    st.session_state["pres_slide"] = min(max(index + step, 0), total - 1)


slide = deck.slides[index]
e = html.escape
st.markdown(
    "<style>.ilp-slide h1{font-size:3rem;line-height:1.1;margin:0 0 .3rem 0;padding:0;color:#222}"
    ".ilp-slide .msg{font-size:1.7rem;line-height:1.3;color:#222;margin-bottom:.6rem}"
    ".ilp-num .v{font-size:3.6rem;font-weight:700;line-height:1.05}"
    ".ilp-num .l{font-size:1.35rem;color:#555;margin-bottom:1.4rem}"
    ".ilp-slide ul{font-size:1.6rem;line-height:1.45}"
    ".ilp-slide .cover{font-size:4.2rem;color:#0072B2;font-weight:700;line-height:1.15;margin-top:14vh}"
    ".ilp-slide .cover-sub{font-size:2.4rem;font-weight:600;margin:.6rem 0 1.6rem 0}"
    ".ilp-legend{font-size:1.3rem;line-height:1.6}"
    ".ilp-foot{font-size:1.05rem;color:#666;text-align:center;padding-top:.5rem}</style>",
    unsafe_allow_html=True,
)


def _numbers_html(numbers: Sequence[BigNumber]) -> str:
    return "".join(
        f"<div class='ilp-num'><div class='v' style='color:{n.colour or '#0072B2'}'>{e(n.value)}</div>"
        f"<div class='l'>{e(n.label)}</div></div>"
        for n in numbers
    )


head = [f"<div class='ilp-slide' data-slide='{e(slide.key)}'>"]
if slide.key == "cover":
    head.append(f"<div class='cover'>{e(slide.title)}</div><div class='cover-sub'>{e(slide.message)}</div>")
else:
    head.append(f"<h1>{e(slide.title)}</h1><div class='msg'>{e(slide.message)}</div>")
if slide.bullets:
    head.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in slide.bullets) + "</ul>")
head.append("</div>")
st.markdown("".join(head), unsafe_allow_html=True)

if slide.chart is not None:
    legend = ""
    if slide.chart.status_legend:
        legend = (
            "<div class='ilp-legend'>"
            + "<br>".join(f"<span style='color:{c}'>■</span> {e(name)}" for name, c in slide.chart.status_legend)
            + "</div>"
        )
    if slide.numbers or legend:
        side, main = st.columns([1, 2.4])
        side.markdown(_numbers_html(slide.numbers) + legend, unsafe_allow_html=True)
    else:
        main = st.container()
    main.plotly_chart(
        slide_figure(slide.chart, lang, height=450),
        width="stretch",
        theme=None,
        key=f"pres_chart_{slide.key}",
        config=_format.chart_config(f"{slide.key}-{deck.area}"),
    )
elif slide.numbers:
    cols = st.columns(len(slide.numbers))
    for col, n in zip(cols, slide.numbers):
        col.markdown(_numbers_html([n]), unsafe_allow_html=True)

# The slide hides the sidebar: with more than one kabupaten/kota to show, the district is picked here, in the
# footer's place (no reload: the deck of the other district is drawn in place of this one).
names = _filters.regency_names(_auth.current()) if full else {}
picker = len(names) > 1
nav = st.columns([1.1, 2.6, 1.3, 1.3, 1.1], vertical_alignment="center")
if picker:

    def _regency_changed() -> None:
        # The sidebar's picker is drawn before this page: it takes the new district from the filters when its
        # own kept choice is dropped (setting it would collide with the default it is drawn with).
        st.session_state["f_regency"] = st.session_state["w_pres_regency"]
        st.session_state.pop("w_regency", None)

    st.session_state["w_pres_regency"] = f["regency"]
    nav[1].selectbox(
        tr("filter.regency"),
        list(names),
        format_func=names.__getitem__,
        key="w_pres_regency",
        on_change=_regency_changed,
        label_visibility="collapsed",
    )
nav[0].button(
    tr("presentasi.previous"),
    on_click=_go,
    args=(-1,),
    disabled=index == 0,
    key="w_pres_prev",
    shortcut="Left",
    width="stretch",
)
if not picker:  # with the picker in its place, the footer goes to the line below the buttons
    nav[1].markdown(f"<div class='ilp-foot'>{e(deck.footer)} · {index + 1} / {total}</div>", unsafe_allow_html=True)
nav[2].toggle(
    tr("presentasi.public"), key="w_pres_public", help=tr("presentasi.public_help"), value=guest, disabled=guest
)
nav[3].toggle(tr("presentasi.fullscreen"), value=True, key="w_pres_full", help=tr("presentasi.fullscreen_help"))
nav[4].button(
    tr("presentasi.next"),
    on_click=_go,
    args=(1,),
    disabled=index == total - 1,
    key="w_pres_next",
    shortcut="Right",
    width="stretch",
    type="primary",
)
if slide.flag_note:  # a figure on this slide carries ⚠ (data-quality findings): the reasons are in the notes
    st.caption(slide.flag_note)
position = tr("presentasi.position", n=index + 1, total=total)
st.caption(f"{deck.footer} · {position}" if picker else position)

with st.expander(tr("presentasi.notes")):
    st.text(slide.notes)
if _auth.current().can("export"):
    with st.expander(tr("presentasi.downloads")):
        ex.download_buttons(public)
        st.caption(tr("presentasi.downloads_caption"))
