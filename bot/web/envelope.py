"""The WSGI envelope around the app: each response's request id and security headers,
and one structured log line per request (never the question unless
FAQBOT_LOG_QUESTIONS=on).
"""

from __future__ import annotations

import logging
import os
import re
import time

import orjson
from flask import Response

log = logging.getLogger("bot.web")

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# /admin's sign-in and sign-out forms post to the bot itself.
ADMIN_CSP = PAGE_CSP.replace("form-action 'none'", "form-action 'self'")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# What RequestEnvelope and the app share through the WSGI environ.
REQUEST_ID_KEY = "faqbot.request_id"
CHAT_LOG_KEY = "faqbot.chat_log"  # the chat route's fields of the request's log line
# Headers of every response, as (name, value, only_when_absent): a route may set its own
# framing and resource policies.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff", False),
    ("Referrer-Policy", "no-referrer", False),
    ("X-Frame-Options", "DENY", True),
    ("Cross-Origin-Resource-Policy", "same-origin", True),
)
API_HEADERS = (
    ("Cache-Control", "no-store", False),
    ("Content-Security-Policy", API_CSP, True),
)


class RequestEnvelope:
    """WSGI middleware around the app: every response's request id and security
    headers, and one structured log line per request (never the question unless
    FAQBOT_LOG_QUESTIONS=on).

    This runs on every request, so it works on the WSGI environ and header list
    directly: done in Flask's request hooks, through its context proxies and werkzeug's
    header checks, it cost a chat request about a tenth of its time.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else os.urandom(16).hex()
        environ[REQUEST_ID_KEY] = request_id
        path = _path(environ)

        def start(status, headers, exc_info=None):
            wanted = [*SECURITY_HEADERS, ("X-Request-Id", request_id, False)]
            if environ.get("wsgi.url_scheme") == "https":
                wanted.append(("Strict-Transport-Security", "max-age=31536000", False))
            if path.startswith("/api/"):
                wanted += API_HEADERS
            _set_headers(headers, wanted)
            if log.isEnabledFor(logging.INFO):
                record = _request_record(environ, path, status, started)
                log.info(orjson.dumps(record).decode())
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _path(environ: dict) -> str:
    """The request's path as Flask's `request.path` gives it."""
    raw = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    return "/" + raw.decode("utf-8", "replace").lstrip("/")


def _set_headers(headers: list[tuple[str, str]], wanted) -> None:
    """Set each (name, value, only_when_absent) header in a WSGI header list, in order:
    added when absent, else replaced unless only_when_absent."""
    present = {name.lower(): at for at, (name, _) in enumerate(headers)}
    for name, value, only_when_absent in wanted:
        at = present.get(name.lower())
        if at is None:
            headers.append((name, value))
        elif not only_when_absent:
            headers[at] = (name, value)


def _request_record(environ: dict, path: str, status: str, started: float) -> dict:
    """One structured log line: never the question's text unless switched on."""
    record = {
        "request_id": environ[REQUEST_ID_KEY],
        "method": environ.get("REQUEST_METHOD"),
        "path": path,
        "status": int(status.split(" ", 1)[0]),
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    if path == "/api/chat":  # the same fields whether or not the question was answered
        record |= {"kind": None, "passage_ids": [], "message_chars": None}
    record.update(environ.get(CHAT_LOG_KEY, {}))
    return record


def html_page(html: str | bytes, csp: str = PAGE_CSP, status: int = 200) -> Response:
    """An HTML page of the bot's own, under its strict Content-Security-Policy."""
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response
