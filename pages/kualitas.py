"""Kualitas data: is a low figure a service gap or a report that never arrived? Completeness grid,
quality score, the findings with filters, and from each finding the upload and rows concerned."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics import quality
from ilp_metrics.core.formatting import fmt_date, fmt_datetime, fmt_int, fmt_num, fmt_pct
from ilp_metrics.figures.quality import completeness_heatmap, score_heatmap
from pages import _auth, _db, _filters, _format, _links, _projector, _session
from pages import _quality as qa
from pages._session import tr

f = _filters.require_data(__file__)
lang, cat = _session.lang(), _db.catalogue()
rules = cat.quality
area = _filters.area_name()
path, ver = str(_db.db_path()), _db.version()
month_text = _filters.month_label(f["month"], f["year"])
st.title(tr("quality.title", area=area))
st.caption(tr("quality.caption", month=month_text))

who = _auth.current()
found = qa.findings(path, ver, f["year"], f["month"], f["regency"], lang, who)  # scoped by ilp_metrics.quality
grid = qa.grid(path, ver, f["year"], f["month"], f["regency"], who)
scores = qa.scores(path, ver, f["year"], f["month"], f["regency"], lang, who)

# ------------------------------------------------------------------ headline numbers
cols = st.columns(4)
cols[0].metric(tr("quality.metric.high"), fmt_int(int((found["severity"] == "high").sum()), lang))
cols[1].metric(tr("quality.metric.medium"), fmt_int(int((found["severity"] == "medium").sum()), lang))
share = 100.0 * grid["reported"].mean() if len(grid) else None
cols[2].metric(tr("quality.metric.completeness"), fmt_pct(share, lang), help=tr("quality.metric.completeness_help"))
cols[3].metric(
    tr("quality.metric.score"),
    fmt_num(scores["score"].mean() if len(scores) else None, lang, 0),
    help=tr("quality.metric.score_help"),
)

# ------------------------------------------------------------------ grids
# Only the open tab draws its heatmap (on_change="rerun": switching tabs reruns the page with that tab open).
tab_grid, tab_score = st.tabs([tr("quality.grid"), tr("quality.score")], on_change="rerun", key="quality_tab")
with tab_grid:
    if len(grid) and tab_grid.open is not False:
        _format.chart(
            completeness_heatmap(grid, title=tr("quality.chart.completeness", area=area, year=f["year"]), lang=lang),
            width="stretch",
            key="quality_grid",
        )
with tab_score:
    if len(scores) and tab_score.open is not False:
        _format.chart(
            score_heatmap(scores, title=tr("quality.chart.score", area=area, year=f["year"]), lang=lang),
            width="stretch",
            key="quality_score",
        )
    st.caption(rules.score_method.get(lang))

# ------------------------------------------------------------------ findings
st.subheader(tr("quality.findings"))
check_names = {c.code: c.name.get(lang) for c in rules.checks}
sev_names = {s.code: s.name.get(lang) for s in rules.severities}
c1, c2, c3 = st.columns([2, 1, 2])
present_checks = [c.code for c in rules.checks if c.code in set(found["check"])]
pick_checks = c1.multiselect(
    tr("quality.filter.check"),
    present_checks,
    format_func=_format.labels_of(check_names),
    placeholder=tr("quality.filter.all"),
    key=f"w_quality_check_{lang}",
)
pick_sev = c2.multiselect(
    tr("quality.filter.severity"),
    list(sev_names),
    default=["high", "medium"],
    format_func=_format.labels_of(sev_names),
    placeholder=tr("quality.filter.all"),
    key=f"w_quality_severity_{lang}",
)
pusk_names = found.dropna(subset=["puskesmas"]).drop_duplicates("puskesmas").set_index("puskesmas")["puskesmas_name"]
pusk_names = pusk_names.fillna(pd.Series(pusk_names.index, index=pusk_names.index))
pick_pusk = c3.multiselect(
    tr("quality.filter.puskesmas"),
    sorted(pusk_names.index, key=lambda c: pusk_names[c]),
    format_func=lambda c: pusk_names[c],
    placeholder=tr("quality.filter.all"),
    key=f"w_quality_puskesmas_{lang}",
)
shown = found
if pick_checks:
    shown = shown[shown["check"].isin(pick_checks)]
if pick_sev:
    shown = shown[shown["severity"].isin(pick_sev)]
if pick_pusk:
    shown = shown[shown["puskesmas"].isin(pick_pusk)]
shown = shown.reset_index(drop=True)
if shown.empty:
    st.info(tr("quality.none"))
else:
    st.caption(tr("quality.shown", shown=fmt_int(len(shown), lang), total=fmt_int(len(found), lang)))
    table = pd.DataFrame(
        {
            tr("quality.col.severity"): shown["severity"].map(sev_names),
            tr("quality.col.check"): shown["check"].map(check_names),
            tr("quality.col.puskesmas"): shown["puskesmas_name"].fillna("–"),
            # A desa name opens its desa page (pages/_links); findings without a desa leave the cell empty ("", not
            # None, which the table would print as the word "None").
            tr("quality.col.desa"): [
                _links.desa_url(c, n if isinstance(n, str) else c) if isinstance(c, str) and c else ""
                for c, n in zip(shown["desa"], shown["desa_name"])
            ],
            tr("quality.col.period"): shown["period"].fillna(str(f["year"])),
            tr("quality.col.message"): shown["message"],
            tr("quality.col.uploads"): shown["upload_ids"].fillna("–"),
            tr("quality.col.rows"): shown["rows"].fillna("–"),
        }
    )
    colours = [rules.severity(s).colour for s in shown["severity"]]
    _projector.table(
        _format.styled(table, {tr("quality.col.severity"): colours}),
        hide_index=True,
        width="stretch",
        height=min(_format.table_height(len(table)), 560),
        key="quality_findings",
        column_config={
            tr("quality.col.message"): st.column_config.TextColumn(width="large"),
            **_links.desa_column(tr("quality.col.desa")),
        },
    )

    # -------------------------------------------------------------- one finding: uploads and rows concerned
    st.subheader(tr("quality.detail"))
    labels = {i: f"{sev_names[r.severity]} · {r.message}" for i, r in enumerate(shown.itertuples())}
    pick = st.selectbox(
        tr("quality.detail.pick"),
        list(labels),
        format_func=_format.labels_of(labels),
        key=f"w_quality_detail_{lang}",
    )  # per language: the labels are messages
    finding = shown.iloc[pick]
    check = rules.check(finding["check"])
    st.markdown(f"**{check.name.get(lang)}** — {quality.explanation(check.code, lang, cat)}")
    ids = quality.upload_ids_of(finding["upload_ids"])
    if ids:
        ups = quality.uploads_for(_db.cursor(), ids, principal=_auth.current())
        st.markdown(f"**{tr('quality.detail.uploads')}**")
        _projector.table(
            pd.DataFrame(
                {
                    tr("quality.upload.id"): ups["upload_id"].astype(str),
                    tr("quality.upload.file"): ups["file_name"],
                    tr("quality.upload.kind"): [tr(f"upload.kind.{k}") for k in ups["kind"]],
                    tr("quality.upload.when"): [fmt_datetime(x, lang) for x in ups["uploaded_at"]],
                    tr("quality.upload.by"): ups["uploaded_by"],
                    tr("quality.upload.period"): [
                        f"{fmt_date(a, lang)} – {fmt_date(b, lang)}"
                        for a, b in zip(ups["period_start"], ups["period_end"])
                    ],
                    tr("quality.upload.rows"): [fmt_int(x, lang) for x in ups["rows_accepted"]],
                    tr("quality.upload.status"): [tr(f"upload.status.{x}") for x in ups["status"]],
                }
            ),
            hide_index=True,
            width="stretch",
            key="quality_uploads",
        )
        if isinstance(finding["rows"], str):
            st.caption(tr("quality.detail.rows", rows=finding["rows"]))
        st.page_link("pages/unggah.py", label=tr("quality.detail.history"), icon=":material/upload_file:")
    else:
        st.caption(tr("quality.detail.no_upload"))

# ------------------------------------------------------------------ the rules (made when the box is opened)


def _rules() -> None:
    counts = found.groupby("check").size()
    _projector.table(
        pd.DataFrame(
            {
                tr("quality.col.check"): [c.name.get(lang) for c in rules.checks],
                tr("quality.rules.code"): [c.code for c in rules.checks],
                tr("quality.col.severity"): [sev_names[c.severity] for c in rules.checks],
                tr("quality.rules.count"): [int(counts.get(c.code, 0)) for c in rules.checks],
                tr("quality.detail.explanation"): [quality.explanation(c.code, lang, cat) for c in rules.checks],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    _projector.table(
        pd.DataFrame(
            {
                tr("quality.rules.threshold"): [tr(f"quality.threshold.{k}") for k, _ in rules.thresholds],
                tr("quality.rules.value"): [fmt_num(v, lang, 2) for _, v in rules.thresholds],
            }
        ),
        hide_index=True,
    )
    st.markdown(f"**{tr('quality.rules.pairs')}**: " + "; ".join(p.name.get(lang) for p in rules.pairs))
    st.caption(rules.flag_rule.get(lang))


rules_box = st.expander(tr("quality.rules"), on_change="rerun", key="quality_rules")
if rules_box.open is not False:  # its opening reruns the page
    with rules_box:
        _rules()
