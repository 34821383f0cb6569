"""Unggah data: upload, preview, map columns, check, save — and the history with withdrawal.

Nothing is written before the user presses Save; the check is a dry run of the same ingest, with the
same options. Uploaded bytes go to a folder of the session (mode 0700) inside the database's private
folder (ilp_metrics/core/private.py), never the system's temporary folder, and are deleted once the file is
saved, found already loaded, or removed from the uploader; the folders of sessions that ended (a file
checked, never saved, the tab closed) are swept on the next run of the page after the idle timeout.

The per-file workflow (`file_workflow`) works on a *staged* file: an entry of st.session_state["staged"]
({"name", "path", "size"}), which the uploader fills and which tests may fill directly.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ilp_metrics.core.config import secret_path_for, setting
from ilp_metrics.core.formatting import fmt_date, fmt_datetime, fmt_int
from ilp_metrics.core.private import sweep_uploads, uploads_dir
from ilp_metrics.core.pseudonym import KeyProblem, installation_secret
from ilp_metrics.ingest import IngestReport, Progress, already_loaded, ingest_file, preview_file
from ilp_metrics.ingest.areas import regency_choices
from ilp_metrics.ingest.errors import FileProblem
from ilp_metrics.ingest.fields import KINDS
from ilp_metrics.ingest.history import upload_history
from ilp_metrics.ingest.layouts import path_text
from ilp_metrics.ingest.load import withdraw
from ilp_metrics.ingest.mapping import (
    Profile,
    ProfileError,
    available_profiles,
    is_shipped_profile_name,
    load_profile,
    profiles_dir_for,
    safe_profile_name,
    save_profile,
)
from ilp_metrics.ingest.recap import FIELD_CHOICES, preview_recap, recap_draft, recap_profile, target_group_for
from ilp_metrics.ingest.validate import LONG_FIELDS
from ilp_metrics.security.scope import Principal
from pages import _auth, _db, _filters, _projector, _session, _uploader_chrome
from pages._session import tr

_filters.ensure_dashboard(__file__)
lang = _session.lang()
MAX_MB = float(setting("max_upload_mb"))
PROJECTOR_HISTORY_ROWS = 20  # the latest uploads on a projector; the whole list in the ordinary view
PROFILE_DIR = profiles_dir_for(_db.db_path())


# ------------------------------------------------------------------ staging the uploaded files


def _staging_dir() -> Path:
    folder = st.session_state.get("upload_dir")
    if not folder or not Path(folder).is_dir():
        folder = tempfile.mkdtemp(prefix="ilp-upload-", dir=uploads_dir(_db.db_path()))  # 0700
        st.session_state["upload_dir"] = folder
    return Path(folder)


def _sweep_staged() -> None:
    """Keep this session's folder fresh and remove those of sessions idle past the timeout."""
    own = st.session_state.get("upload_dir")
    if own and Path(own).is_dir():
        os.utime(own)
    idle_s = float(setting("session_idle_minutes")) * 60
    sweep_uploads(_db.db_path(), idle_s, keep=Path(own) if own else None)


def _staged() -> list[dict[str, Any]]:
    """The staged files, each with a stable widget-key prefix (`key`) that survives removals of others."""
    items: list[dict[str, Any]] = st.session_state.setdefault("staged", [])
    for item in items:
        if "key" not in item:
            n = st.session_state.get("staged_seq", 0)
            st.session_state["staged_seq"] = n + 1
            item["key"] = f"f{n}"
    return items


def _discard_file(item: dict[str, Any]) -> None:
    """Delete the staged copy of an uploaded file (never a file a test or the user staged by path)."""
    if item.get("source") == "uploader" and item.get("path"):
        shutil.rmtree(Path(item["path"]).parent, ignore_errors=True)
        item["path"] = None


def _forget(item: dict[str, Any]) -> None:
    _discard_file(item)
    prefix = f"{item.get('key')}_"
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[k]


def stage_uploads(files: Sequence[UploadedFile] | None) -> None:
    """Copy new uploads into the session's folder; forget those the user removed from the uploader."""
    files = list(files or [])
    items = _staged()
    present = {f.file_id for f in files}
    for item in [i for i in items if i.get("source") == "uploader" and i["id"] not in present]:
        _forget(item)
        items.remove(item)
    known = {i.get("id") for i in items}
    for f in files:
        if f.file_id in known:
            continue
        size_mb = f.size / 1024 / 1024
        if size_mb > MAX_MB:
            st.error(tr("upload.too_large", name=f.name, size_mb=f"{size_mb:.1f}", max_mb=f"{MAX_MB:g}"))
            continue
        folder = _staging_dir() / f.file_id
        folder.mkdir(mode=0o700)
        path = folder / (Path(f.name).name or "upload")  # the browser's name, never used as a path
        path.write_bytes(f.getbuffer())
        items.append(
            {"name": Path(f.name).name, "path": str(path), "size": f.size, "id": f.file_id, "source": "uploader"}
        )
    _staged()  # give new items their key


# ------------------------------------------------------------------ helpers


def _secret() -> bytes | None:
    """The installation key, checked against the database's fingerprint (created while none is bound);
    a lost key stops the page with the way to recover, never a new key."""
    try:
        return installation_secret(_db.cursor(), secret_path_for(_db.db_path()))
    except KeyProblem as problem:
        st.error(problem.message(lang), icon=":material/key_off:")
        st.stop()


class _labels:
    """A widget's option labels, translated when the widget is drawn. Streamlit may call format_func
    later, outside the run (AppTest does), where the session's language is not known."""

    def __init__(self, labels: dict[Any, str]) -> None:
        self.labels = labels

    def __call__(self, option: Any) -> str:
        return self.labels.get(option, str(option))


def _unique(names: list[str]) -> list[str]:
    """Column names made unique for a table (`S`, `S (2)`, …): a recap's header repeats its labels."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _field_label(name: str) -> str:
    return tr(f"upload.field.{name}")


def _effective_profile(base: Profile | None, manual: dict[str, str], kind: str | None) -> Profile | None:
    """The chosen profile with the user's corrections to the column mapping ("" = column not used)."""
    if not manual:
        return base
    start = base or Profile(name="manual")
    return replace(start, kind=kind or start.kind, columns={**start.columns, **manual})


def _report_block(report: IngestReport, key: str) -> None:
    st.markdown(f"**{tr('upload.report')}**")
    cols = st.columns(4)
    cols[0].metric(tr("upload.rows_read"), fmt_int(report.rows_read, lang))
    cols[1].metric(tr("upload.rows_accepted"), fmt_int(report.rows_accepted, lang))
    cols[2].metric(tr("upload.rows_refused"), fmt_int(report.rows_refused, lang))
    cols[3].metric(tr("upload.rows_skipped"), fmt_int(report.rows_skipped, lang))
    if report.error:
        st.error(report.error)
    _areas_block(report, key)
    if report.notes:  # checks that refuse nothing: % against count ÷ target, totals, columns not loaded
        st.markdown(f"**{tr('upload.notes')}**")
        st.markdown("\n".join(f"- {text}" for text in report.note_texts()))
    if report.refusals:
        st.markdown(f"**{tr('upload.refusals')}**")
        rows = [
            {tr("upload.row"): r["row"], tr("upload.column"): r["column"], tr("upload.reason"): r["reason"]}
            for r in report.to_dict()["refusals"]
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"{key}_refusals")
        if len({r.row for r in report.refusals}) < report.rows_refused:
            st.caption(
                tr(
                    "upload.refusals_truncated",
                    shown=fmt_int(len(report.refusals), lang),
                    total=fmt_int(report.rows_refused, lang),
                )
            )


def _areas_block(report: IngestReport, key: str) -> None:
    """What a puskesmas list's areas were matched to, and how (the report's `kabupaten` and `kecamatan`)."""
    if not report.regency and not report.areas:
        return
    st.markdown(f"**{tr('upload.areas')}**")
    if report.regency:
        st.caption(report.regency["note"])
    if report.areas:
        rows = [
            {
                tr("upload.row"): a["row"],
                tr("upload.col_puskesmas"): f"{a['puskesmas_name']} ({a['puskesmas_code']})",
                tr("upload.col_kecamatan"): a["kecamatan_name"] or "–",
                tr("upload.col_how"): a["note"],
            }
            for a in report.areas
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"{key}_areas")


def _regency_step(key: str, info: dict[str, Any]) -> str | None:
    """The kabupaten of a puskesmas list that does not name it, chosen from the Kemendagri reference."""
    chosen: str | None = st.session_state.get(f"{key}_regency")
    found = info.get("regency")
    if found and found["source"] == "title":
        st.caption(tr("upload.regency_detected", name=found["name"], code=found["code"]))
    if not info.get("needs_regency") and not chosen:
        return None
    if info.get("needs_regency"):
        st.info(tr("upload.regency_help"))
    names = _labels({None: tr("upload.regency_none"), **{c: f"{n} ({c})" for c, n in regency_choices(_db.cursor())}})
    pick: str | None = st.selectbox(tr("upload.regency"), list(names.labels), key=f"{key}_regency", format_func=names)
    return pick


def _columns_step(key: str, info: dict[str, Any]) -> None:
    """Where every column goes, and the choice to ignore columns on purpose (nothing dropped silently)."""
    columns = info.get("columns") or []
    unmatched = [c.header for c in columns if c.blocking]
    if unmatched:
        st.warning(tr("upload.unmatched_columns", columns=", ".join(f"'{h}'" for h in unmatched)))
    if columns:
        with st.expander(tr("upload.columns_report"), expanded=bool(unmatched)):
            rows = [{tr("upload.column"): c.header, tr("upload.column_use"): c.note(lang)} for c in columns]
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"{key}_columns")
    headers = [h for h in info.get("headers") or [] if h]
    if headers:
        st.multiselect(
            tr("upload.ignore_columns"),
            headers,
            key=f"{key}_ignore",
            help=tr("upload.ignore_help"),
            placeholder=tr("upload.ignore_placeholder"),
        )


def _mapping_step(key: str, kind: str, info: dict[str, Any], manual: dict[str, str], effective: Profile | None) -> None:
    """One selectbox per canonical field of the kind, suggesting the detected column; saving as a profile."""
    mapping: dict[str, str] = info["mapping"]
    headers = [h for h in info["headers"] if h]
    options = ["", *headers]  # "" = the file has no column for this field (None would mean "no choice")
    fixed = {f: v[2:] for f, v in mapping.items() if v.startswith("= ")}
    shown = _labels({"": tr("upload.unmapped"), **{h: h for h in headers}})
    st.caption(tr("upload.mapping_help"))
    chosen: dict[str, str] = {}
    cols = st.columns(3)
    for i, field_name in enumerate(f for f in LONG_FIELDS[kind] if f not in fixed):
        current = mapping.get(field_name)
        pick = cols[i % 3].selectbox(
            _field_label(field_name),
            options,
            index=options.index(current) if current in options else 0,
            key=f"{key}_map_{kind}_{field_name}",
            format_func=shown,
        )
        if (pick or "") != (current or ""):
            chosen[field_name] = pick or ""
    if fixed:
        st.caption(tr("upload.fixed_values", values=", ".join(f"{_field_label(f)} = {v}" for f, v in fixed.items())))
    if info.get("wide"):
        st.caption(tr("upload.mapping_wide", columns=", ".join(f"{h} → {c}" for h, c in info["wide"])))
    if chosen:  # apply the correction, then redraw every selectbox from the new mapping
        st.session_state[f"{key}_manual"] = {**manual, **chosen}
        for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{key}_map_")]:
            del st.session_state[k]
        st.rerun()

    profile_name = st.text_input(tr("upload.profile_name"), key=f"{key}_profile_name")
    if st.button(tr("upload.save_profile"), key=f"{key}_save_profile"):
        try:
            name = safe_profile_name(profile_name or "")
        except ProfileError:
            st.error(
                tr("upload.profile_name_missing") if not (profile_name or "").strip() else tr("upload.profile_bad_name")
            )
            return
        if is_shipped_profile_name(name):
            st.error(tr("upload.profile_shipped", name=name))
            return
        columns = {f: h for f, h in mapping.items() if f in LONG_FIELDS[kind] and h in headers}
        columns.update({f: h for f, h in manual.items() if f in LONG_FIELDS[kind]})
        saved = replace(effective or Profile(name=name), name=name, kind=kind, header_row=None, columns=columns)
        save_profile(saved, PROFILE_DIR)
        st.success(tr("upload.profile_saved", name=name))


def _progress_bar() -> tuple[DeltaGenerator, Progress]:
    bar = st.progress(0.0, text=tr("upload.step.read"))

    def step(fraction: float, label: str) -> None:
        try:
            text = tr(f"upload.step.{label}")
        except KeyError:  # a step this page does not name yet
            text = tr("upload.saving")
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    return bar, step


# ------------------------------------------------------------------ month-wide recaps


def _recap_preview(key: str, path: Path, profile: Profile) -> bool:
    """The long rows a recap profile gives, every column's use and the notes; False if it does not fit."""
    try:
        recap = preview_recap(_db.cursor(), path, profile, _db.catalogue())
    except FileProblem as exc:
        st.error(exc.message(lang))
        return False
    kinds = ", ".join(tr(f"upload.kind.{k}") for k in recap["kinds"])
    st.caption(tr("upload.recap.records", records=fmt_int(recap["records"], lang), kinds=kinds))
    long = recap["long"].rename(
        columns={
            "row_no": tr("upload.row"),
            "area": tr("upload.recap.area"),
            "period": tr("upload.field.period"),
            "service": tr("upload.field.service_code"),
            "count": tr("upload.field.count"),
        }
    )
    st.dataframe(long, hide_index=True, width="stretch", key=f"{key}_recap_long")
    uses = pd.DataFrame(
        {
            tr("upload.column"): [path_text(u.path) for u in recap["columns"]],
            tr("upload.recap.use"): [u.text(lang) for u in recap["columns"]],
        }
    )
    with st.expander(tr("upload.recap.columns")):
        st.dataframe(uses, hide_index=True, width="stretch", key=f"{key}_recap_uses")
    for message, values in recap["notes"]:
        st.warning(tr(message, **values))
    return True


def _recap_builder(key: str, path: Path) -> Profile | None:
    """Choices for a recap profile (header rows, area column, groups, sub-column, period, sasaran), its
    preview, and saving it; returns the profile once its preview fits the file."""
    cat = _db.catalogue()
    st.caption(tr("upload.recap.intro"))
    draft = recap_draft(_db.cursor(), path, cat, st.session_state.get(f"{key}_rc_rows"))
    labels = list(dict.fromkeys(draft["labels"]))
    cols = st.columns(3)
    rows = cols[0].number_input(
        tr("upload.recap.header_rows"), min_value=1, max_value=8, value=draft["guessed_rows"], key=f"{key}_rc_rows"
    )
    area_default = draft["areas"][0] if draft["areas"] else (labels[0] if labels else "", "puskesmas_name")
    area_label = cols[1].selectbox(
        tr("upload.recap.area_column"), labels, index=labels.index(area_default[0]), key=f"{key}_rc_area"
    )
    fields = _labels({f: _field_label(f) for f in FIELD_CHOICES})
    area_field = cols[2].selectbox(
        tr("upload.recap.area_field"),
        list(FIELD_CHOICES),
        index=FIELD_CHOICES.index(area_default[1]),
        key=f"{key}_rc_field",
        format_func=fields,
    )
    group_names = _labels({g: tr(f"upload.recap.groups.{g}") for g in ("month", "measure")})
    groups = st.radio(
        tr("upload.recap.groups"),
        ["month", "measure"],
        index=0 if draft["groups"] == "month" else 1,
        key=f"{key}_rc_groups",
        format_func=group_names,
        horizontal=True,
    )
    takes = draft["takes"][groups]
    if not takes:
        st.warning(tr("upload.recap.no_sub", rows=int(rows)))
        return None
    preferred = next((t for t in ("S › TOTAL", "BULAN INI") if t in takes), takes[0])
    cols = st.columns(3)
    take = cols[0].selectbox(tr("upload.recap.take"), takes, index=takes.index(preferred), key=f"{key}_rc_take")
    service = year = period = None
    if groups == "month":
        services = _labels({s.code: f"{s.code} · {s.name.get(lang)}" for s in cat.services})
        service = cols[1].selectbox(
            tr("upload.recap.service"), list(services.labels), key=f"{key}_rc_service", format_func=services
        )
        year = int(
            cols[2].number_input(
                tr("upload.recap.year"), 2000, 2100, value=draft["year"] or date.today().year, key=f"{key}_rc_year"
            )
        )
    else:
        period = cols[1].text_input(tr("upload.recap.period"), value=draft["period"] or "", key=f"{key}_rc_period")
    pair = st.columns(2)
    sasaran_options = ["", *labels]
    sasaran_default = next((i for i, h in enumerate(sasaran_options) if h.strip().upper() == "SASARAN"), 0)
    shown = _labels({"": tr("upload.unmapped"), **{h: h for h in labels}})
    sasaran = pair[0].selectbox(
        tr("upload.recap.sasaran"), sasaran_options, index=sasaran_default, key=f"{key}_rc_sasaran", format_func=shown
    )
    target_group = None
    if sasaran:
        groups_tg = _labels({g.code: f"{g.code} · {g.name.get(lang)}" for g in cat.target_groups})
        codes = list(groups_tg.labels)
        guess = target_group_for(cat, service)
        target_group = pair[1].selectbox(
            tr("upload.recap.target_group"),
            codes,
            index=codes.index(guess) if guess in codes else 0,
            key=f"{key}_rc_tg_{service}",  # a new default when the service changes
            format_func=groups_tg,
        )
    built = recap_profile(
        "rekap",
        header_rows=int(rows),
        area_field=area_field,
        area_label=area_label,
        groups=groups,
        take=take,
        service=service,
        year=year,
        period=period or None,
        sasaran_column=sasaran or None,
        target_group=target_group,
    )
    if not _recap_preview(key, path, built):
        return None
    profile_name = st.text_input(tr("upload.profile_name"), key=f"{key}_rc_name")
    if st.button(tr("upload.save_profile"), key=f"{key}_rc_save"):
        try:
            name = safe_profile_name(profile_name or "")
        except ProfileError:
            missing = not (profile_name or "").strip()
            st.error(tr("upload.profile_name_missing") if missing else tr("upload.profile_bad_name"))
            return built
        if is_shipped_profile_name(name):
            st.error(tr("upload.profile_shipped", name=name))
            return built
        save_profile(replace(built, name=name), PROFILE_DIR)
        st.success(tr("upload.profile_saved", name=name))
    return built


# ------------------------------------------------------------------ one file


class _IngestOptions(TypedDict):
    """The options the check and the save share (typed, so each ingest_file call is checked whole)."""

    kind: str | None
    profile: Profile | None
    accept_valid: bool
    lang: str
    file_name: str
    uploaded_by: str
    regency_code: str | None
    principal: Principal


def _skipped_text(info: dict[str, Any]) -> str:
    """` · 1 baris jumlah dilewati (baris 16)` when the file has total rows (the ingest leaves them out)."""
    numbers = info.get("total_row_numbers") or []
    if not numbers:
        return ""
    return tr("upload.detected_skipped", n=fmt_int(len(numbers), lang), rows=", ".join(str(n) for n in numbers[:5]))


def file_workflow(item: dict[str, Any]) -> None:
    """Preview, kind, profile and mapping, check (dry run), then save — for one staged file."""
    name, key = item["name"], item["key"]
    st.subheader(tr("upload.file_header", name=name))
    done = item.get("done")
    if done:  # saved or already loaded: the outcome stays on screen, the copy of the file is gone
        if done["duplicate"]:
            st.info(tr("upload.duplicate", upload_id=done["upload_id"]))
        else:
            st.success(
                tr(
                    "upload.saved",
                    upload_id=done["upload_id"],
                    accepted=fmt_int(done["accepted"], lang),
                    replaced=fmt_int(done["replaced"], lang),
                )
            )
        return
    path = Path(item["path"])

    top = st.columns(2)
    kinds = _labels({None: tr("upload.kind_auto"), **{k: tr(f"upload.kind.{k}") for k in KINDS}})
    kind_choice = top[0].selectbox(tr("upload.kind"), list(kinds.labels), key=f"{key}_kind", format_func=kinds)
    profiles = available_profiles(PROFILE_DIR)
    names = _labels({None: tr("upload.profile_none"), **{p: p for p in profiles}})
    profile_choice = top[1].selectbox(tr("upload.profile"), list(names.labels), key=f"{key}_profile", format_func=names)
    try:
        base = load_profile(profiles[profile_choice]) if profile_choice else None
    except ProfileError as exc:
        st.error(str(exc))
        base = None
    manual: dict[str, str] = st.session_state.get(f"{key}_manual") or {}
    profile = _effective_profile(base, manual, kind_choice)
    ignored: list[str] = list(st.session_state.get(f"{key}_ignore") or [])  # drawn below the preview
    if ignored:
        start = profile or Profile(name="manual", kind=kind_choice)
        profile = replace(start, ignore_columns=list(dict.fromkeys([*start.ignore_columns, *ignored])))

    regency_choice: str | None = st.session_state.get(f"{key}_regency")
    try:
        info = preview_file(
            _db.cursor(), path, kind=kind_choice, profile=profile, regency_code=regency_choice, lang=lang
        )
    except Exception as exc:  # a file refused whole (empty, unreadable, zip bomb…): say why, keep the app up
        st.error(exc.message(lang) if hasattr(exc, "message") else tr("upload.unreadable", reason=str(exc)))
        return
    kind = info["kind"] or kind_choice
    regency_choice = _regency_step(key, info)
    recap_profile_used = profile is not None and profile.layout is not None
    if recap_profile_used or (info["problem"] is not None and info["problem"].code == "recap_layout"):
        # a month-wide recap: the long rows it gives stand in for the kind and the column mapping
        st.markdown(f"**{tr('upload.recap.title')}**")
        if profile is not None and profile.layout is not None:
            if not _recap_preview(key, path, profile):
                return
        else:
            if info["problem"] is not None and not info["needs_regency"]:
                st.info(info["problem"].message(lang))
            with st.expander(tr("upload.recap.build"), expanded=True):
                profile = _recap_builder(key, path)
            if profile is None:
                return
        kind = None
        info = {**info, "problem": None}
    if info["problem"] is not None and not info["needs_regency"]:
        st.warning(tr("upload.not_detected", reason=info["problem"].message(lang)))
    elif kind:
        sheet = tr("upload.sheet", sheet=info["sheet"]) if info["sheet"] else ""
        st.caption(
            tr(
                "upload.detected",
                kind=tr(f"upload.kind.{kind}"),
                header_row=info["header_row"],
                rows=fmt_int(info["rows"], lang),
                sheet=sheet,
            )
            + _skipped_text(info)
        )
    st.markdown(f"**{tr('upload.preview')}**")
    preview = info["preview"].rename(columns={"baris": tr("upload.row")})
    preview.columns = _unique(list(preview.columns))
    st.dataframe(preview, hide_index=True, width="stretch", key=f"{key}_preview")
    _columns_step(key, info)

    if kind in LONG_FIELDS:  # an annual table (kind tahunan) maps its columns by their header paths
        with st.expander(tr("upload.mapping"), expanded=info["problem"] is not None or bool(manual)):
            _mapping_step(key, kind, info, manual, profile)

    modes = _labels({False: tr("upload.mode_strict"), True: tr("upload.mode_accept")})
    accept = st.radio(tr("upload.mode"), list(modes.labels), key=f"{key}_mode", format_func=modes)
    layout = profile.layout if profile is not None else None
    signature = (
        kind_choice,
        profile_choice,
        tuple(sorted(manual.items())),
        accept,
        regency_choice,
        repr(layout),
        tuple(ignored),
    )
    options: _IngestOptions = {
        "kind": kind_choice,
        "profile": profile,
        "accept_valid": accept,
        "lang": lang,
        "file_name": name,
        "uploaded_by": _auth.current().username,  # the account, as the demo build and the CLI credit theirs
        "regency_code": regency_choice,
        "principal": _auth.current(),
    }

    if st.button(tr("upload.check"), key=f"{key}_check", type="secondary"):
        duplicate = already_loaded(_db.cursor(), path)
        report = None if duplicate else ingest_file(_db.cursor(), path, dry_run=True, secret=_secret(), **options)
        st.session_state[f"{key}_checked"] = {"signature": signature, "duplicate": duplicate, "report": report}
        st.session_state.pop(f"{key}_final", None)
    checked = st.session_state.get(f"{key}_checked")
    if checked is not None and checked["signature"] != signature:  # a check of other choices: not valid
        st.session_state.pop(f"{key}_checked")
        checked = None
        st.info(tr("upload.stale"))
    if checked is None:
        return
    if checked["duplicate"]:
        st.info(tr("upload.already_loaded", upload_id=checked["duplicate"]))
        return
    report = checked["report"]
    assert report is not None  # no report only for a duplicate, which returned above
    final: IngestReport | None = st.session_state.get(f"{key}_final")
    if final is not None:  # the save itself refused the file (it changed, or a rule did): its report
        _report_block(final, f"{key}_final")
        return
    _report_block(report, key)
    if not report.ok:
        return
    st.success(tr("upload.ready"))
    if st.button(tr("upload.save"), key=f"{key}_save", type="primary"):
        bar, step = _progress_bar()
        final = ingest_file(_db.cursor(), path, secret=_secret(), progress=step, **options)
        bar.empty()
        if final.committed or final.duplicate:
            st.cache_data.clear()  # every page recomputes (data_version changed too)
            item["done"] = {
                "duplicate": final.duplicate,
                "upload_id": final.upload_id,
                "accepted": final.rows_accepted,
                "replaced": final.rows_replaced,
            }
            _discard_file(item)
        else:
            st.session_state[f"{key}_final"] = final
        st.rerun()


# ------------------------------------------------------------------ history and withdrawal


def _period(start: date | None, end: date | None) -> str:
    if pd.isna(start):
        return "–"
    same = pd.isna(end) or end == start
    return fmt_date(start, lang, short=True) + ("" if same else " – " + fmt_date(end, lang, short=True))


def history_section() -> None:
    st.header(tr("upload.history"))
    history = upload_history(_db.cursor())
    if history.empty:
        st.info(tr("upload.history_empty"))
    else:
        shown = pd.DataFrame(
            {
                tr("upload.col_id"): history["upload_id"],
                tr("upload.col_file"): history["file_name"],
                tr("upload.col_kind"): [tr(f"upload.kind.{k}") for k in history["kind"]],
                tr("upload.col_by"): history["uploaded_by"],
                tr("upload.col_at"): [fmt_datetime(v.to_pydatetime(), lang) for v in history["uploaded_at"]],
                tr("upload.rows_accepted"): [fmt_int(v, lang) for v in history["rows_accepted"]],
                tr("upload.rows_refused"): [fmt_int(v, lang) for v in history["rows_refused"]],
                tr("upload.col_replaced"): [fmt_int(v, lang) for v in history["rows_replaced"]],
                tr("upload.col_period"): [
                    _period(a, b) for a, b in zip(history["period_start"], history["period_end"])
                ],
                tr("upload.col_status"): [tr(f"upload.status.{s}") for s in history["status"]],
            }
        )
        if _projector.is_on():
            # A wrapping 20 px table that fits 1280 px: the latest uploads, without the replaced-rows count
            # (the column least read in a meeting); the whole list stays in the ordinary view.
            brief = shown.drop(columns=[tr("upload.col_replaced")]).head(PROJECTOR_HISTORY_ROWS)
            _projector.table(brief, hide_index=True)
            if len(shown) > len(brief):
                st.caption(
                    tr("upload.history_latest", shown=fmt_int(len(brief), lang), total=fmt_int(len(shown), lang))
                )
        else:
            st.dataframe(shown, hide_index=True, width="stretch", key="history")
        active = history[history["status"] == "active"]
        if not active.empty and _auth.current().can("withdraw"):
            with st.expander(tr("upload.withdraw")):
                labels = _labels(
                    {u: f"#{u} · {f}" for u, f in zip(active["upload_id"].astype(int), active["file_name"])}
                )
                pick = st.selectbox(
                    tr("upload.withdraw_pick"), list(labels.labels), key="w_withdraw_pick", format_func=labels
                )
                sure = st.checkbox(tr("upload.withdraw_confirm"), key="w_withdraw_sure")
                if st.button(tr("upload.withdraw_button"), disabled=not sure, key="w_withdraw"):
                    # one transaction under db.WRITE_LOCK; the library checks the permission and the scope
                    removed = withdraw(_db.cursor(), int(pick), principal=_auth.current())
                    st.cache_data.clear()
                    st.session_state["withdrawn"] = (int(pick), removed)
                    st.session_state.pop("w_withdraw_sure", None)
                    st.rerun()
    done = st.session_state.pop("withdrawn", None)
    if done:
        st.success(tr("upload.withdrawn", upload_id=done[0], rows=fmt_int(done[1], lang)))


# ------------------------------------------------------------------ page

st.title(tr("upload.title"))
st.caption(tr("upload.intro", max_mb=f"{MAX_MB:g}"))
files = st.file_uploader(
    tr("upload.drop"),
    type=["csv", "txt", "xlsx", "xlsm", "xls"],
    accept_multiple_files=True,
    key="w_uploader",
    max_upload_size=max(1, math.ceil(MAX_MB)),
)
st.caption(tr("upload.limit", max_mb=f"{MAX_MB:g}"))
_uploader_chrome.localise(MAX_MB)  # the uploader's own English button and size line, in the session's language
_sweep_staged()
stage_uploads(files)
for staged in _staged():
    with st.container(border=True):
        file_workflow(staged)

history_section()
