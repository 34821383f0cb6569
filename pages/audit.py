"""Jejak audit (admin only): the append-only trail, newest first, and whether its hash chain is intact."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_datetime, fmt_int
from ilp_metrics.export.safe_cells import safe_frame
from ilp_metrics.security import audit
from pages import _auth, _db, _filters, _session
from pages._session import tr

_filters.ensure_dashboard(__file__)
me = _auth.require("audit")
lang = _session.lang()
st.title(tr("audit.title"))
st.caption(tr("audit.intro"))

cur = _db.cursor()
broken = audit.verify(cur, principal=me)
total = audit.count(cur, principal=me)
if broken is None:
    st.success(tr("audit.intact", n=fmt_int(total, lang)))
else:
    st.error(tr("audit.broken", audit_id=broken))

options = [None, *audit.ACTIONS]
action = st.selectbox(tr("audit.filter"), options, format_func=lambda a: a or tr("audit.all"), key="w_audit_action")
log = audit.entries(cur, limit=2000, action=action, principal=me)
if log.empty:
    st.info(tr("audit.empty"))
else:
    st.dataframe(
        safe_frame(
            pd.DataFrame(
                {
                    tr("audit.col.id"): log["audit_id"],
                    tr("audit.col.at"): [fmt_datetime(v, lang) for v in log["logged_at"]],
                    tr("audit.col.actor"): log["actor"],
                    tr("audit.col.role"): log["role"].fillna(""),
                    tr("audit.col.action"): log["action"],
                    tr("audit.col.target"): log["target"].fillna(""),
                    tr("audit.col.details"): log["details"].fillna(""),
                }
            )
        ),
        hide_index=True,
        width="stretch",
        key="audit_table",
    )
