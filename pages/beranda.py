"""Landing page: what the database holds, per kabupaten."""

from pathlib import Path

import streamlit as st

from ilp_metrics.config import default_db_path
from ilp_metrics.db import connect, regency_summary
from ilp_metrics.formatting import fmt_int
from ilp_metrics.i18n import t

lang = st.session_state.get("lang", "id")
st.title(t("app.title", lang))
st.caption(t("app.purpose", lang))
db_path = Path(default_db_path())


@st.cache_resource
def _con(path: str):
    return connect(path, read_only=True)


if not db_path.exists():
    st.warning(t("app.no_database", lang, path=str(db_path)))
    st.stop()

summary = regency_summary(_con(str(db_path)).cursor())
for row in summary.itertuples():
    st.subheader(row.regency_name.title())
    cols = st.columns(4)
    cols[0].metric(t("app.puskesmas", lang), fmt_int(row.puskesmas, lang))
    cols[1].metric(t("app.puskesmas_ilp", lang), fmt_int(row.puskesmas_ilp, lang))
    cols[2].metric(t("app.desa", lang), fmt_int(row.desa, lang))
    cols[3].metric(t("app.records", lang), fmt_int(row.layanan, lang))
st.caption(t("app.database_note", lang, path=str(db_path)))
