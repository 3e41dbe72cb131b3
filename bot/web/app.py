"""The HTTP service: app factory, routes, JSON errors, CORS, security headers, logs.

Question text never reaches the log unless the operator set FAQBOT_LOG_QUESTIONS=on.
"""

from __future__ import annotations

import json
import logging
from importlib import resources

import orjson
from flask import Flask, Response, jsonify, request
from flask.json.provider import JSONProvider
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import errors
from bot.answer import informativeness
from bot.answer.conversation import read_conversation
from bot.answer.replies import ReplySettings, respond
from bot.answer.triage.decide import warm_up as warm_up_triage
from bot.config import Settings
from bot.index import IndexHolder, ensure_fresh_index
from bot.insights import open_store
from bot.web.admin import register_admin
from bot.web.bodies import parse_chat_body, parse_feedback_body, read_json_body
from bot.web.document_page import document_page
from bot.web.envelope import CHAT_LOG_KEY, RequestEnvelope, html_page
from bot.web.error_handlers import register_errors
from bot.web.ratelimit import limit_chat, make_limiter
from bot.web.recording import InsightsRecording

log = logging.getLogger("bot.web")


class FastJSON(JSONProvider):
    """Flask's JSON (jsonify, error bodies) written by orjson: compact UTF-8, keys in order.

    A chat reply quotes up to three passages (2-3 KB); orjson writes it in a tenth of
    the time Flask's default provider takes. Reading stays the standard library's.
    """

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj).decode()

    def loads(self, s, **kwargs):
        return json.loads(s, **kwargs)

    def response(self, *args, **kwargs) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        body = orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)  # as Flask's ends
        return self._app.response_class(body, mimetype="application/json")


def create_app(settings: Settings | None = None) -> Flask:
    """The bot's Flask app; builds the index first when it is missing or stale."""
    settings = settings or Settings.from_env()
    ensure_fresh_index(
        settings.corpus_dir,
        settings.index_dir,
        file_seconds=settings.file_seconds,
        file_memory=settings.file_memory,
    )
    holder = IndexHolder(settings.index_dir)
    app = Flask(__name__, static_folder=None)
    app.json = FastJSON(app)
    # One byte over the limit: a chunked body cut off there is known to be too large.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes + 1
    app.wsgi_app = RequestEnvelope(app.wsgi_app)
    if settings.trusted_proxies:  # outside the envelope, which then sees the client's
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    _allow_origins(app, settings.allowed_origins)
    limiter = make_limiter(app, settings)
    app.extensions["faqbot.limiter"] = limiter  # Flask-Limiter keeps a weak reference
    reply_settings = ReplySettings.from_settings(settings)
    warm_up_triage(reply_settings.rulebook)
    informativeness.warm_up()
    recording = InsightsRecording(settings) if settings.insights else None
    app.extensions["faqbot.recording"] = recording  # tests flush it
    _register_api(app, settings, holder, reply_settings, recording)
    _register_pages(app, settings, holder)
    register_admin(
        app,
        settings,
        holder,
        lambda: open_store(settings.insights_url),
        reply_settings.context_key,
    )
    register_errors(app, settings)
    return app


def _allow_origins(app: Flask, origins: tuple[str, ...]) -> None:
    """CORS for the clinic sites embedding the widget; with none, CORS would add no
    header, yet cost every request."""
    if origins:
        CORS(
            app,
            resources={r"/api/*": {"origins": list(origins)}},
            methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After", "X-Request-Id"],  # the widget waits as asked
            max_age=600,
        )


def _register_api(app, settings, holder, reply_settings, recording) -> None:
    limiter = app.extensions["faqbot.limiter"]

    @app.post("/api/chat")
    @limit_chat(limiter, settings)
    def chat():
        message, context = read_chat_request(settings)
        index = holder.get()
        reply = respond(index, message, context, reply_settings)
        logged = {
            "kind": reply.kind,
            "passage_ids": [answer.hit.passage.passage_id for answer in reply.answers],
            "message_chars": len(message),
        }
        if settings.log_questions:
            logged["message"] = message
        request.environ[CHAT_LOG_KEY] = logged
        if recording:
            recording.reply(index, message, reply)
        return jsonify(reply.to_json())

    @app.get("/api/health")
    def health():
        manifest = holder.get().manifest
        return jsonify(
            {
                "status": "ok",
                "documents": manifest["documents"],
                "passages": manifest["passages"],
                "index_built": manifest["built_at"],
            }
        )

    @app.post("/api/feedback")
    @limit_chat(limiter, settings)
    def feedback():
        passage_id, helpful, context = parse_feedback_body(
            read_json_body(settings), settings
        )
        if recording:
            state = read_conversation(context, reply_settings.context_key)
            recording.vote(holder.get(), passage_id, helpful, state)
        return Response(status=204)


def _register_pages(app, settings, holder) -> None:
    widget_js = widget_script(settings)

    @app.get("/widget.js")
    def widget():
        response = Response(widget_js, content_type="text/javascript; charset=utf-8")
        response.headers["Cache-Control"] = "public, max-age=300"
        # Clinic pages on other origins load it with <script src>.
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    @app.get("/")
    def demo_page():
        return html_page(
            resources.files("bot.web").joinpath("static", "demo.html").read_bytes()
        )

    @app.get("/demo.css")
    def demo_css():
        return _static("demo.css", "text/css; charset=utf-8")

    @app.get("/documents/<path:document_id>")  # ids of files in folders hold "/"
    def document(document_id: str):
        passages = holder.get().passages.of_document(document_id)
        if not passages:
            raise errors.NotFound(f"no document {document_id!r}")
        return html_page(document_page(passages))

    @app.get("/document.css")
    def document_css():
        return _static("document.css", "text/css; charset=utf-8")


def read_chat_request(settings: Settings) -> tuple[str, str | None]:
    """The message and context of this chat request; ApiError when it is malformed."""
    return parse_chat_body(read_json_body(settings), settings)


def widget_script(settings: Settings) -> bytes:
    """widget.js with the bot's settings written into its SERVER line, so a clinic sets
    each number once, here, and not also on its pages."""
    script = resources.files("bot.web").joinpath("static", "widget.js").read_bytes()
    line = b'  var SERVER = {"emergency_number": "911"};'
    if line not in script:
        raise RuntimeError("widget.js has lost its SERVER line")
    server = json.dumps({"emergency_number": settings.emergency_number})
    return script.replace(line, f"  var SERVER = {server};".encode(), 1)


def _static(name: str, content_type: str) -> Response:
    body = resources.files("bot.web").joinpath("static", name).read_bytes()
    return Response(body, content_type=content_type)
