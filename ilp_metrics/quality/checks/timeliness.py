"""Timeliness: monthly files judged against the deadline day of the month after their last month."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame


def check_timeliness(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Monthly data (layanan, capaian, kesiapan) are due on the deadline day of the month after the
    last month the file contains. A file covering several months is judged by its last month."""
    late = _frame(
        con,
        f"""
        WITH {_SCOPE},
        due AS (
            SELECT upload_id, file_name, kind, uploaded_at, period_start, period_end,
                   CAST(date_trunc('month', period_end) + INTERVAL 1 MONTH AS DATE) + ($day - 1) AS deadline
            FROM uploads
            WHERE status = 'active' AND kind IN ('layanan', 'capaian', 'kesiapan')
              AND period_end >= $start AND period_end < $end
        ),
        late AS (SELECT * FROM due WHERE CAST(uploaded_at AS DATE) > deadline),
        units AS (  -- which puskesmas each late upload holds
            SELECT upload_id, puskesmas_code FROM layanan WHERE upload_id IN (SELECT upload_id FROM late)
            UNION SELECT upload_id, puskesmas_code FROM capaian WHERE upload_id IN (SELECT upload_id FROM late)
            UNION SELECT upload_id, puskesmas_code FROM kesiapan WHERE upload_id IN (SELECT upload_id FROM late)
        ),
        per_upload AS (
            SELECT u.upload_id, min(s.regency_code) AS regency,
                   CASE WHEN count(DISTINCT u.puskesmas_code) = 1 THEN min(u.puskesmas_code) END AS puskesmas,
                   bool_and(CAST(date_trunc('month', l.period_end) AS DATE) <= s.last_month) AS in_window
            FROM units u JOIN scope s USING (puskesmas_code) JOIN late l USING (upload_id) GROUP BY ALL
        )
        SELECT p.regency, p.puskesmas, CAST(date_trunc('month', l.period_end) AS DATE) AS period,
               l.upload_id, l.file_name, l.kind, l.deadline,
               date_diff('day', l.deadline, CAST(l.uploaded_at AS DATE)) AS days
        FROM late l JOIN per_upload p USING (upload_id) WHERE p.in_window
        ORDER BY l.upload_id
    """,
        scope.params(day=int(scope.t("deadline_day"))),
    )
    if late.empty:
        return _empty()
    high_after = scope.t("late_high_after_days")
    return pd.DataFrame(
        {
            "check": "TIME_LATE_UPLOAD",
            "severity": np.where(late["days"] > high_after, "high", "medium"),
            "regency": late["regency"],
            "puskesmas": late["puskesmas"],
            "desa": None,
            "period": late["period"],
            "indicator": None,
            "value": late["days"].astype(float),
            "expected": 0.0,
            "upload_ids": late["upload_id"].astype(str),
            "rows": None,
            "f_file": late["file_name"],
            "f_days": late["days"],
            "f_deadline": late["deadline"],
            "f_table": late["kind"],
        }
    )
