"""The clinic's page, /admin: Insights as pictures, behind FAQBOT_ADMIN_TOKEN.

Without the token set, every /admin address is a 404. Signing in posts the token to
/admin/login; a right one (compared in constant time) gets a signed, HttpOnly,
SameSite=Strict cookie, valid for ADMIN_HOURS and only while the token is unchanged.
The page carries the bot's strict CSP, with forms allowed to post to the bot itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import Flask, Response, redirect, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot import errors
from bot.config import Settings
from bot.index import IndexHolder
from bot.insights import Store, Summary
from bot.insights.admin_page import DAY_CHOICES, STYLESHEET_PATH, admin_page, login_page
from bot.insights.report import TABLES, summary_csv

COOKIE = "faqbot_admin"
ADMIN_HOURS = 8
ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
LOGIN_LIMIT = "10/minute"
WRONG_TOKEN = "That token is not right. Check it and try again."


def register_admin(
    app: Flask,
    settings: Settings,
    holder: IndexHolder,
    open_store: Callable[[], Store],
    secret: bytes,
) -> None:
    """Add /admin and its sign-in, or nothing when FAQBOT_ADMIN_TOKEN is unset."""
    if not settings.admin_token:
        return
    token = settings.admin_token
    signer = URLSafeTimedSerializer(_cookie_key(secret, token), salt="faqbot-admin")

    def summary():
        store = open_store()
        try:
            return store.summary(days())
        finally:
            store.close()

    def signed_in() -> bool:
        try:
            signer.loads(request.cookies.get(COOKIE, ""), max_age=ADMIN_HOURS * 3600)
        except BadSignature:
            return False
        return True

    def days() -> int:
        asked = request.args.get("days", "30")
        return int(asked) if asked.isdigit() and int(asked) in DAY_CHOICES else 30

    @app.get("/admin")
    def admin():
        if not signed_in():
            return _admin_page(login_page())
        figures = summary()
        return _admin_page(admin_page(figures, _passage_labels(holder, figures)))

    @app.get("/admin/login")
    def admin_login_form():
        return redirect("/admin", code=303)

    @app.post("/admin/login")
    @app.extensions["faqbot.limiter"].limit(LOGIN_LIMIT)
    def admin_login():
        offered = request.form.get("token", "")
        if not hmac.compare_digest(offered.encode(), token.encode()):
            return _admin_page(login_page(WRONG_TOKEN), status=401)
        response = redirect("/admin", code=303)
        response.set_cookie(
            COOKIE,
            signer.dumps("admin"),
            max_age=ADMIN_HOURS * 3600,
            path="/admin",
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
        return response

    @app.post("/admin/logout")
    def admin_logout():
        response = redirect("/admin", code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    @app.get("/admin/<table>.csv")
    def admin_csv(table: str):
        if table not in TABLES:
            raise errors.NotFound(f"no table {table!r}")
        if not signed_in():
            return redirect("/admin", code=303)
        figures = summary()
        response = Response(
            summary_csv(figures, table, _passage_labels(holder, figures)),
            content_type="text/csv; charset=utf-8",
        )
        response.headers["Content-Disposition"] = (
            f'attachment; filename="insights-{table}.csv"'
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    stylesheet = STYLESHEET_PATH.read_bytes()

    @app.get("/admin/admin.css")
    def admin_css():
        return Response(stylesheet, content_type="text/css; charset=utf-8")


def _cookie_key(secret: bytes, token: str) -> bytes:
    """The cookie's signing key: the bot's secret with the token, so that a new token
    signs everyone out."""
    return hmac.new(secret, b"faqbot-admin\0" + token.encode(), hashlib.sha256).digest()


def _passage_labels(holder: IndexHolder, summary: Summary) -> dict[str, str]:
    """'Section — document title' for the passages the summary names, the section first
    so that two passages of one document tell apart when cut short (only their
    documents are read, not the whole index)."""
    passages = holder.get().passages
    wanted = {votes.passage_id for votes in summary.passages}
    return {
        passage.passage_id: " — ".join(filter(None, (passage.section, passage.title)))
        for document_id in {votes.document_id for votes in summary.passages}
        for passage in passages.of_document(document_id)
        if passage.passage_id in wanted
    }


def _admin_page(html: str, status: int = 200) -> Response:
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = ADMIN_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response
