"""Pengguna (admin only): accounts, roles, the puskesmas of a puskesmas account, unlock, passwords."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_datetime
from ilp_metrics.export.safe_cells import safe_frame
from ilp_metrics.security import accounts
from ilp_metrics.security.accounts import AuthError
from ilp_metrics.security.scope import ROLES
from pages import _auth, _cache, _db, _filters, _session
from pages._session import tr

_filters.ensure_dashboard(__file__)
me = _auth.require("manage_users")
lang = _session.lang()
st.title(tr("akun.users_title"))
st.caption(tr("akun.users_intro"))

done = st.session_state.pop("_users_done", None)
if done:
    st.success(done)

users = accounts.list_users(_db.cursor())
registry = _cache.puskesmas_list(str(_db.db_path()), _db.version(), None, me)
pkm_names = dict(zip(registry["puskesmas_code"], registry["puskesmas_name"]))
st.dataframe(
    safe_frame(
        pd.DataFrame(
            {
                tr("akun.col.username"): users["username"],
                tr("akun.col.name"): users["display_name"],
                tr("akun.col.role"): [tr(f"akun.role.{r}") for r in users["role"]],
                tr("akun.col.puskesmas"): [pkm_names.get(c, c or "") for c in users["puskesmas_code"]],
                tr("akun.col.email"): users["email"].fillna(""),
                tr("akun.col.active"): users["active"],
                tr("akun.col.locked"): [fmt_datetime(v, lang) if pd.notna(v) else "" for v in users["locked_until"]],
                tr("akun.col.password"): users["has_password"],
            }
        )
    ),
    hide_index=True,
    width="stretch",
    key="users_table",
)


def _role_label(role: str) -> str:
    return tr(f"akun.role.{role}")


pkm_codes = ["", *list(registry["puskesmas_code"])]

with st.form("add_user", clear_on_submit=True):
    st.subheader(tr("akun.add_title"))
    c1, c2 = st.columns(2)
    username = c1.text_input(tr("akun.username"), key="w_add_user")
    display = c2.text_input(tr("akun.display_name"), key="w_add_name")
    role = c1.selectbox(tr("akun.role"), ROLES, index=1, format_func=_role_label, key="w_add_role")
    pkm = c2.selectbox(tr("akun.puskesmas"), pkm_codes, format_func=lambda c: pkm_names.get(c, "–"), key="w_add_pkm")
    email = c1.text_input(tr("akun.email"), key="w_add_email")
    password = c2.text_input(tr("akun.password"), type="password", key="w_add_pw")
    if st.form_submit_button(tr("akun.add_button"), type="primary"):
        try:
            accounts.add_user(
                _db.cursor(),
                username,
                role,
                password=password or None,
                puskesmas_code=pkm or None,
                email=email or None,
                display_name=display or None,
                actor=me.username,
            )
            st.session_state["_users_done"] = tr("akun.added", username=username.strip().lower())
            st.rerun()
        except AuthError as exc:
            st.error(tr(exc.code, **exc.details))

if not users.empty:
    st.subheader(tr("akun.change_title"))
    pick = st.selectbox(tr("akun.pick_user"), list(users["username"]), key="w_edit_user")
    row = users[users["username"] == pick].iloc[0]
    with st.form("edit_user"):
        c1, c2 = st.columns(2)
        role = c1.selectbox(tr("akun.role"), ROLES, index=ROLES.index(row["role"]), format_func=_role_label)
        current_pkm = row["puskesmas_code"] if isinstance(row["puskesmas_code"], str) else ""
        pkm = c2.selectbox(
            tr("akun.puskesmas"),
            pkm_codes,
            index=pkm_codes.index(current_pkm) if current_pkm in pkm_codes else 0,
            format_func=lambda c: pkm_names.get(c, "–"),
        )
        active = c1.checkbox(tr("akun.active"), value=bool(row["active"]))
        password = c2.text_input(tr("akun.new_password"), type="password")
        save = st.form_submit_button(tr("akun.save_button"), type="primary")
    if save:
        try:
            accounts.update_user(
                _db.cursor(), pick, actor=me.username, role=role, puskesmas_code=pkm or "", active=active
            )
            if password:
                accounts.set_password(_db.cursor(), pick, password, actor=me.username)
            st.session_state["_users_done"] = tr("akun.saved")
            st.rerun()
        except AuthError as exc:
            st.error(tr(exc.code, **exc.details))
    if pd.notna(row["locked_until"]) and st.button(tr("akun.unlock_button"), key="w_unlock"):
        accounts.unlock(_db.cursor(), pick, actor=me.username)
        st.session_state["_users_done"] = tr("akun.saved")
        st.rerun()
