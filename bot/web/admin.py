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
from bot.web.envelope import ADMIN_CSP, html_page

COOKIE = "faqbot_admin"
ADMIN_HOURS = 8
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
    admin = AdminPages(settings.admin_token, holder, open_store, secret)
    limiter = app.extensions["faqbot.limiter"]
    app.add_url_rule("/admin", "admin", admin.page)
    app.add_url_rule("/admin/login", "admin_login_form", admin.to_page)
    app.add_url_rule(
        "/admin/login",
        "admin_login",
        limiter.limit(LOGIN_LIMIT)(admin.sign_in),
        methods=["POST"],
    )
    app.add_url_rule("/admin/logout", "admin_logout", admin.sign_out, methods=["POST"])
    app.add_url_rule("/admin/<table>.csv", "admin_csv", admin.csv)
    app.add_url_rule("/admin/admin.css", "admin_css", admin.stylesheet)


class AdminPages:
    """The views of /admin, signed in by a cookie that only the token could have got."""

    def __init__(self, token, holder, open_store, secret: bytes):
        self.token = token
        self.holder = holder
        self.open_store = open_store
        key = _cookie_key(secret, token)
        self.signer = URLSafeTimedSerializer(key, salt="faqbot-admin")
        self.css = STYLESHEET_PATH.read_bytes()

    def page(self) -> Response:
        """The charts, or the sign-in form."""
        if not self._signed_in():
            return _admin_page(login_page())
        figures = self._summary()
        return _admin_page(admin_page(figures, _passage_labels(self.holder, figures)))

    def to_page(self) -> Response:
        """GET /admin/login: the form lives at /admin."""
        return redirect("/admin", code=303)

    def sign_in(self) -> Response:
        """The token from the form, compared in constant time; a right one gets the
        cookie."""
        offered = request.form.get("token", "")
        if not hmac.compare_digest(offered.encode(), self.token.encode()):
            return _admin_page(login_page(WRONG_TOKEN), status=401)
        response = redirect("/admin", code=303)
        response.set_cookie(
            COOKIE,
            self.signer.dumps("admin"),
            max_age=ADMIN_HOURS * 3600,
            path="/admin",
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
        return response

    def sign_out(self) -> Response:
        """Forget the cookie."""
        response = redirect("/admin", code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    def csv(self, table: str) -> Response:
        """One chart's numbers as a CSV download."""
        if table not in TABLES:
            raise errors.NotFound(f"no table {table!r}")
        if not self._signed_in():
            return redirect("/admin", code=303)
        figures = self._summary()
        labels = _passage_labels(self.holder, figures)
        response = Response(
            summary_csv(figures, table, labels), content_type="text/csv; charset=utf-8"
        )
        response.headers["Content-Disposition"] = (
            f'attachment; filename="insights-{table}.csv"'
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def stylesheet(self) -> Response:
        """admin.css."""
        return Response(self.css, content_type="text/css; charset=utf-8")

    def _signed_in(self) -> bool:
        try:
            self.signer.loads(
                request.cookies.get(COOKIE, ""), max_age=ADMIN_HOURS * 3600
            )
        except BadSignature:
            return False
        return True

    def _summary(self) -> Summary:
        asked = request.args.get("days", "30")
        days = int(asked) if asked.isdigit() and int(asked) in DAY_CHOICES else 30
        store = self.open_store()
        try:
            return store.summary(days)
        finally:
            store.close()


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
    """A page of /admin: never cached, its forms allowed to post to the bot."""
    response = html_page(html, ADMIN_CSP, status)
    response.headers["Cache-Control"] = "no-store"
    return response
