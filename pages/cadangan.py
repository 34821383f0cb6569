"""Cadangan (admin only): write a consistent backup of the database with the key kept separately."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from ilp_metrics.core.config import secret_path_for, setting
from ilp_metrics.security.backup import BackupError, backup, list_backups
from pages import _auth, _db, _filters
from pages._session import tr

_filters.ensure_dashboard(__file__)
me = _auth.require("backup")
st.title(tr("backup.title"))
st.caption(tr("backup.intro"))


def backup_dir() -> Path:
    configured = setting("backup_dir")
    return Path(configured) if configured else _db.db_path().parent / "backups"


folder = backup_dir()
st.write(tr("backup.folder", path=str(folder)))
passphrase = st.text_input(tr("backup.passphrase"), type="password", key="w_backup_pass")
if st.button(tr("backup.button"), type="primary", key="w_backup"):
    if passphrase and len(passphrase) < 10:
        st.error(tr("backup.bad_passphrase"))
    else:
        try:
            made = backup(
                _db.cursor(), folder, secret_path_for(_db.db_path()), passphrase=passphrase or None, principal=me
            )
            size = (made / "ilp.duckdb").stat().st_size / 1e6
            st.success(tr("backup.done", path=str(made), size=f"{size:.1f}".replace(".", ",")))
        except BackupError as exc:
            st.error(str(exc))

st.subheader(tr("backup.list"))
found = list_backups(folder, principal=me) if folder.is_dir() else []
if not found:
    st.info(tr("backup.none"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                tr("backup.col.name"): [b.folder.name for b in found],
                tr("backup.col.created"): [b.created.replace("T", " ") for b in found],
                tr("backup.col.size"): [b.size_mb for b in found],
                tr("backup.col.key"): [
                    tr("backup.key_encrypted" if b.encrypted else "backup.key_plain") for b in found
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        key="backup_table",
    )
st.caption(tr("backup.restore_how"))
