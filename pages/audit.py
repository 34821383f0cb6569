"""Jejak audit (admin only): the append-only trail, newest first, and whether its hash chain is intact."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_datetime, fmt_int
from ilp_metrics.security import audit
from pages import _auth
from pages import _shared as ui

ui.ensure_dashboard()
_auth.require("audit")
lang = ui.lang()
st.title(ui.tr("audit.title"))
st.caption(ui.tr("audit.intro"))

cur = ui.cursor()
broken = audit.verify(cur)
total = cur.execute("SELECT count(*) FROM audit_log").fetchone()[0]
if broken is None:
    st.success(ui.tr("audit.intact", n=fmt_int(total, lang)))
else:
    st.error(ui.tr("audit.broken", audit_id=broken))

options = [None, *audit.ACTIONS]
action = st.selectbox(
    ui.tr("audit.filter"), options, format_func=lambda a: a or ui.tr("audit.all"), key="w_audit_action"
)
log = audit.entries(cur, limit=2000, action=action)
if log.empty:
    st.info(ui.tr("audit.empty"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                ui.tr("audit.col.id"): log["audit_id"],
                ui.tr("audit.col.at"): [fmt_datetime(v, lang) for v in log["logged_at"]],
                ui.tr("audit.col.actor"): log["actor"],
                ui.tr("audit.col.role"): log["role"].fillna(""),
                ui.tr("audit.col.action"): log["action"],
                ui.tr("audit.col.target"): log["target"].fillna(""),
                ui.tr("audit.col.details"): log["details"].fillna(""),
            }
        ),
        hide_index=True,
        width="stretch",
        key="audit_table",
    )
