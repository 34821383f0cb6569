"""Unggah data: upload, preview, map columns, check, save — and the history with withdrawal.

Nothing is written before the user presses Save; the check is a dry run of the same ingest.
Uploaded bytes go to a private temporary folder for the session and are never kept.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ilp_metrics.config import secret_path_for, setting
from ilp_metrics.formatting import fmt_date, fmt_datetime, fmt_int
from ilp_metrics.ingest import ingest_file, preview_file
from ilp_metrics.ingest.fields import KINDS
from ilp_metrics.ingest.history import upload_history
from ilp_metrics.ingest.load import withdraw
from ilp_metrics.ingest.mapping import (Profile, ProfileError, load_profile, packaged_profiles, safe_profile_name,
                                        save_profile)
from ilp_metrics.ingest.validate import LONG_FIELDS
from ilp_metrics.pseudonym import load_or_create_secret
from pages import _shared as ui

ui.ensure_dashboard()
lang = ui.lang()
MAX_MB = float(setting("max_upload_mb"))
PROFILE_DIR = ui.db_path().parent / "profiles"

st.title(ui.tr("upload.title"))
st.caption(ui.tr("upload.intro", max_mb=f"{MAX_MB:g}"))


def _staging_dir() -> Path:
    if "upload_dir" not in st.session_state:
        st.session_state["upload_dir"] = tempfile.mkdtemp(prefix="ilp-upload-")
    return Path(st.session_state["upload_dir"])


def _stage_uploads(files) -> None:
    """Write the uploaded files to the session's folder; `staged` lists them (tests may set it)."""
    staged = {s["name"]: s for s in st.session_state.get("staged", [])}
    for f in files or []:
        size_mb = f.size / 1024 / 1024
        if size_mb > MAX_MB:
            st.error(ui.tr("upload.too_large", name=f.name, size_mb=f"{size_mb:.1f}", max_mb=f"{MAX_MB:g}"))
            continue
        if f.name in staged and staged[f.name].get("size") == f.size:
            continue
        path = _staging_dir() / Path(f.name).name
        path.write_bytes(f.getbuffer())
        staged[f.name] = {"name": f.name, "path": str(path), "size": f.size}
    st.session_state["staged"] = list(staged.values())


def _profiles() -> dict[str, Path]:
    found = dict(packaged_profiles())
    if PROFILE_DIR.is_dir():
        found.update({p.stem.replace("_", " "): p for p in sorted(PROFILE_DIR.glob("*.yaml"))})
    return found


def _secret() -> bytes:
    return load_or_create_secret(secret_path_for(ui.db_path()))


def _report_block(report, key: str) -> None:
    st.markdown(f"**{ui.tr('upload.report')}**")
    cols = st.columns(4)
    cols[0].metric(ui.tr("upload.rows_read"), fmt_int(report.rows_read, lang))
    cols[1].metric(ui.tr("upload.rows_accepted"), fmt_int(report.rows_accepted, lang))
    cols[2].metric(ui.tr("upload.rows_refused"), fmt_int(report.rows_refused, lang))
    cols[3].metric(ui.tr("upload.rows_skipped"), fmt_int(report.rows_skipped, lang))
    if report.error:
        st.error(report.error)
    if report.refusals:
        st.markdown(f"**{ui.tr('upload.refusals')}**")
        rows = [{ui.tr("upload.row"): r["row"], ui.tr("upload.column"): r["column"], ui.tr("upload.reason"): r["reason"]}
                for r in report.to_dict()["refusals"]]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"refusals_{key}")


def _file_workflow(item: dict, index: int) -> None:
    """Preview, kind, profile and mapping, check (dry run), then save — for one staged file."""
    name, path = item["name"], Path(item["path"])
    key = f"f{index}"
    st.subheader(ui.tr("upload.file_header", name=name))
    top = st.columns(2)
    kind_choice = top[0].selectbox(ui.tr("upload.kind"), [None, *KINDS], key=f"{key}_kind",
                                   format_func=lambda k: ui.tr("upload.kind_auto") if k is None
                                   else ui.tr(f"upload.kind.{k}"))
    profiles = _profiles()
    profile_choice = top[1].selectbox(ui.tr("upload.profile"), [None, *profiles], key=f"{key}_profile",
                                      format_func=lambda p: ui.tr("upload.profile_none") if p is None else p)
    base_profile = load_profile(profiles[profile_choice]) if profile_choice else None

    manual = st.session_state.get(f"{key}_manual") or {}
    profile = base_profile
    if manual:
        profile = Profile(name=(base_profile.name if base_profile else "manual"), kind=kind_choice or
                          (base_profile.kind if base_profile else None),
                          header_row=base_profile.header_row if base_profile else None,
                          columns={**(base_profile.columns if base_profile else {}), **manual},
                          constants=base_profile.constants if base_profile else {},
                          values=base_profile.values if base_profile else {},
                          wide=base_profile.wide if base_profile else {},
                          emit=base_profile.emit if base_profile else [],
                          dedupe_on=base_profile.dedupe_on if base_profile else [])
    try:
        info = preview_file(ui.cursor(), path, kind=kind_choice, profile=profile)
    except Exception as exc:  # a file refused whole (empty, unreadable, zip bomb…): say why, keep the app up
        message = exc.message(lang) if hasattr(exc, "message") else str(exc)
        st.error(message)
        return
    kind = info["kind"] or kind_choice
    if info["problem"] is not None:
        st.warning(ui.tr("upload.not_detected", reason=info["problem"].message(lang)))
    else:
        sheet = ui.tr("upload.sheet", sheet=info["sheet"]) if info["sheet"] else ""
        st.caption(ui.tr("upload.detected", kind=ui.tr(f"upload.kind.{kind}"), header_row=info["header_row"],
                         rows=fmt_int(info["rows"], lang), sheet=sheet))
    st.markdown(f"**{ui.tr('upload.preview')}**")
    st.dataframe(info["preview"], hide_index=True, width="stretch", key=f"{key}_preview")

    if kind:
        with st.expander(ui.tr("upload.mapping"), expanded=info["problem"] is not None):
            st.caption(ui.tr("upload.mapping_help"))
            headers = [h for h in info["headers"] if h]
            options = [None, *headers]
            chosen: dict[str, str] = {}
            cols = st.columns(3)
            for i, field_name in enumerate(LONG_FIELDS[kind]):
                current = info["mapping"].get(field_name)
                pick = cols[i % 3].selectbox(field_name, options, index=options.index(current) if current in options
                                             else 0, key=f"{key}_map_{kind}_{field_name}",
                                             format_func=lambda h: ui.tr("upload.unmapped") if h is None else h)
                if pick is not None and pick != current:
                    chosen[field_name] = pick
            wide = [f"{h} → {c}" for c, h in info["mapping"].items() if c not in LONG_FIELDS[kind]]
            if wide:
                st.caption(ui.tr("upload.mapping_wide", columns=", ".join(wide)))
            if any(manual.get(f) != h for f, h in chosen.items()):
                st.session_state[f"{key}_manual"] = {**manual, **chosen}
                st.rerun()
            profile_name = st.text_input(ui.tr("upload.profile_name"), key=f"{key}_profile_name")
            if st.button(ui.tr("upload.save_profile"), key=f"{key}_save_profile") and profile_name:
                try:
                    columns = {f: h for f, h in info["mapping"].items() if f in LONG_FIELDS[kind] and h in headers}
                    saved = Profile(name=safe_profile_name(profile_name), kind=kind, header_row=info["header_row"],
                                    columns={**columns, **st.session_state.get(f"{key}_manual", {})})
                    save_profile(saved, PROFILE_DIR)
                    st.success(ui.tr("upload.profile_saved", name=saved.name))
                except ProfileError as exc:
                    st.error(str(exc))

    accept = st.radio(ui.tr("upload.mode"), [False, True], key=f"{key}_mode", horizontal=False,
                      format_func=lambda a: ui.tr("upload.mode_accept") if a else ui.tr("upload.mode_strict"))
    options = dict(kind=kind_choice, profile=profile, accept_valid=accept, secret=_secret(), lang=lang,
                   file_name=name, uploaded_by=st.session_state.get("user", "dasbor"))
    if st.button(ui.tr("upload.check"), key=f"{key}_check", type="secondary"):
        st.session_state[f"{key}_report"] = ingest_file(ui.cursor(), path, dry_run=True, **options)
        st.session_state.pop(f"{key}_saved", None)
    report = st.session_state.get(f"{key}_report")
    if report is not None:
        _report_block(report, key)
        if report.ok and not st.session_state.get(f"{key}_saved"):
            st.success(ui.tr("upload.ready"))
            if st.button(ui.tr("upload.save"), key=f"{key}_save", type="primary"):
                bar = st.progress(0.0, text=ui.tr("upload.saving"))
                final = ingest_file(ui.cursor(), path, progress=lambda f, _: bar.progress(min(f, 1.0),
                                                                                       text=ui.tr("upload.saving")),
                                    **options)
                bar.empty()
                st.cache_data.clear()
                st.session_state[f"{key}_saved"] = final
                st.rerun()
    saved = st.session_state.get(f"{key}_saved")
    if saved is not None:
        if saved.duplicate:
            st.info(ui.tr("upload.duplicate", upload_id=saved.upload_id))
        elif saved.committed:
            st.success(ui.tr("upload.saved", upload_id=saved.upload_id, accepted=fmt_int(saved.rows_accepted, lang),
                             replaced=fmt_int(saved.rows_replaced, lang)))
        else:
            _report_block(saved, f"{key}_final")


files = st.file_uploader(ui.tr("upload.drop"), type=["csv", "txt", "xlsx", "xlsm", "xls"],
                         accept_multiple_files=True, key="w_uploader")
_stage_uploads(files)
for i, item in enumerate(st.session_state.get("staged", [])):
    with st.container(border=True):
        _file_workflow(item, i)

# ------------------------------------------------------------------ history and withdrawal
st.header(ui.tr("upload.history"))
history = upload_history(ui.cursor())
if history.empty:
    st.info(ui.tr("upload.history_empty"))
else:
    def _period(start, end) -> str:
        if pd.isna(start):
            return "–"
        return fmt_date(start, lang, short=True) + ("" if pd.isna(end) or end == start
                                                    else " – " + fmt_date(end, lang, short=True))

    shown = pd.DataFrame({
        ui.tr("upload.col_id"): history["upload_id"],
        ui.tr("upload.col_file"): history["file_name"],
        ui.tr("upload.col_kind"): [ui.tr(f"upload.kind.{k}") for k in history["kind"]],
        ui.tr("upload.col_by"): history["uploaded_by"],
        ui.tr("upload.col_at"): [fmt_datetime(v.to_pydatetime(), lang) for v in history["uploaded_at"]],
        ui.tr("upload.rows_accepted"): [fmt_int(v, lang) for v in history["rows_accepted"]],
        ui.tr("upload.rows_refused"): [fmt_int(v, lang) for v in history["rows_refused"]],
        ui.tr("upload.col_replaced"): [fmt_int(v, lang) for v in history["rows_replaced"]],
        ui.tr("upload.col_period"): [_period(a, b) for a, b in zip(history["period_start"], history["period_end"])],
        ui.tr("upload.col_status"): [ui.tr(f"upload.status.{s}") for s in history["status"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="history")
    active = history[history["status"] == "active"]
    if not active.empty:
        with st.expander(ui.tr("upload.withdraw")):
            labels = dict(zip(active["upload_id"], active["file_name"]))
            pick = st.selectbox(ui.tr("upload.withdraw_pick"), list(labels), key="w_withdraw_pick",
                                format_func=lambda u: f"#{u} · {labels[u]}")
            sure = st.checkbox(ui.tr("upload.withdraw_confirm"), key="w_withdraw_sure")
            if st.button(ui.tr("upload.withdraw_button"), disabled=not sure, key="w_withdraw"):
                removed = withdraw(ui.cursor(), int(pick))
                st.cache_data.clear()
                st.session_state["withdrawn"] = (int(pick), removed)
                st.rerun()
done = st.session_state.pop("withdrawn", None)
if done:
    st.success(ui.tr("upload.withdrawn", upload_id=done[0], rows=fmt_int(done[1], lang)))
