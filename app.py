"""The dashboard served with its session route: `streamlit run app.py` (or any ASGI server, `uvicorn
app:app`). dashboard.py stays the Streamlit script; this wrapper adds `POST /ilp/session`, which trades
the one-time ticket of a fresh local sign-in for the HttpOnly cookie that lets a reload or a new tab stay
signed in, and `DELETE /ilp/session`, which drops it at sign-out (ilp_metrics/security/sessions.py,
docs/security.md). `streamlit run dashboard.py` still works, without sessions that survive a reload."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from ilp_metrics.core import warm
from ilp_metrics.security.sessions import CLAIM, COOKIE, RELEASE, ROUTE, STORE

MAX_TICKET = 200

# dashboard.py lives beside `pages/`, so before any session has called st.navigation Streamlit runs its first
# script in the legacy mode that lists every file of `pages/` (auth, shared, masuk …) in the sidebar until
# dashboard.py's own navigation replaces it. st.navigation sets this same flag; setting it at server start
# means the first visitor never sees that list.
PagesManager.uses_pages_directory = False
warm.start_warming()  # imports and catalogues while the server starts (ilp_metrics/core/warm.py)


async def session_route(request: Request) -> Response:
    if request.method == RELEASE:
        answer = Response(status_code=204)
        answer.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return answer
    ticket = (await request.body())[:MAX_TICKET].decode("ascii", errors="replace")
    claimed = STORE.claim(ticket, datetime.now(UTC).replace(tzinfo=None, microsecond=0))
    if claimed is None:
        return Response(status_code=403)
    value, lifetime = claimed
    answer = Response(status_code=204)
    answer.set_cookie(
        COOKIE,
        value,
        max_age=lifetime,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    answer.headers["Cache-Control"] = "no-store"
    return answer


app = st.App(
    str(Path(__file__).with_name("dashboard.py")), routes=[Route(ROUTE, session_route, methods=[CLAIM, RELEASE])]
)
