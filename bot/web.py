"""The HTTP service: app factory, routes, JSON errors, CORS, security headers, request logs.

Question text never reaches the log unless the operator set FAQBOT_LOG_QUESTIONS=on.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from importlib import resources

from flask import Flask, Response, g, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import errors
from .config import Settings
from .index import IndexHolder, ensure_fresh_index
from .ratelimit import chat_limit, make_limiter
from .replies import ReplySettings, respond

log = logging.getLogger(__name__)

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HTTP_ERRORS = {
    404: (errors.NotFound, "no such endpoint"),
    405: (errors.MethodNotAllowed, "method not allowed here"),
    413: (errors.TooLarge, "request body must be at most {limit} bytes"),
    429: (errors.RateLimited, "too many requests; try again in a moment"),
}


def create_app(settings: Settings | None = None) -> Flask:
    """The bot's Flask app; builds the index first when it is missing or stale."""
    settings = settings or Settings.from_env()
    ensure_fresh_index(settings.corpus_dir, settings.index_dir)
    holder = IndexHolder(settings.index_dir)
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    CORS(
        app,
        resources={r"/api/*": {"origins": list(settings.allowed_origins)}},
        expose_headers=["Retry-After"],  # the widget waits as long as the server asks
    )
    limiter = make_limiter(app, settings)
    app.extensions["faqbot.limiter"] = limiter  # Flask-Limiter holds only a weak reference
    reply_settings = ReplySettings.from_settings(settings, holder.get())
    _register_routes(app, settings, holder, reply_settings, limiter)
    _register_errors(app, settings)
    _register_logging_and_headers(app, settings)
    return app


def _register_routes(app, settings, holder, reply_settings, limiter) -> None:
    @app.post("/api/chat")
    @limiter.limit(lambda: chat_limit(settings))
    def chat():
        message, context = read_chat_request(settings)
        reply = respond(holder.get(), message, context, reply_settings)
        g.reply_kind, g.message_chars = reply.kind, len(message)
        g.passage_ids = [answer.hit.passage.passage_id for answer in reply.answers]
        if settings.log_questions:
            g.message_text = message
        return jsonify(reply.to_json())

    @app.get("/api/health")
    def health():
        index = holder.get()
        return jsonify(
            {
                "status": "ok",
                "documents": index.manifest["documents"],
                "passages": index.manifest["passages"],
                "index_built": index.manifest["built_at"],
            }
        )

    @app.get("/widget.js")
    def widget():
        response = _static("widget.js", "text/javascript; charset=utf-8")
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    @app.get("/")
    def demo_page():
        response = _static("demo.html", "text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] = PAGE_CSP
        return response

    @app.get("/demo.css")
    def demo_css():
        return _static("demo.css", "text/css; charset=utf-8")


def read_chat_request(settings: Settings) -> tuple[str, str | None]:
    """The message and context of a chat request, validated; ApiError when malformed."""
    if request.mimetype != "application/json":
        raise errors.UnsupportedMediaType("request body must be JSON (Content-Type: application/json)")
    raw = request.get_data(cache=False)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise errors.InvalidJson("request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise errors.InvalidRequest("request body must be a JSON object")
    message = body.get("message")
    limit = settings.max_message_chars
    if not isinstance(message, str) or not 1 <= len(message.strip()) <= limit:
        raise errors.InvalidRequest(f"message must be 1 to {limit} characters")
    context = body.get("context")
    if context is not None and (
        not isinstance(context, str) or len(context) > settings.max_context_chars
    ):
        raise errors.InvalidRequest(
            f"context must be a string of at most {settings.max_context_chars} characters"
        )
    return message.strip(), context


def _register_errors(app: Flask, settings: Settings) -> None:
    @app.errorhandler(errors.ApiError)
    def api_error(error: errors.ApiError):
        return _error_response(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        kind, message = HTTP_ERRORS.get(status, (errors.InvalidRequest, error.description))
        if status not in HTTP_ERRORS and status >= 500:
            kind, message = errors.Internal, "internal error"
        message = message.format(limit=settings.max_body_bytes)
        response = _error_response(kind.status, kind.code, message)
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error (request %s)", g.get("request_id"))
        return _error_response(500, "internal", "internal error; it has been logged")


def _error_response(status: int, code: str, message: str) -> Response:
    response = jsonify(errors.error_body(code, message))
    response.status_code = status
    return response


def _register_logging_and_headers(app: Flask, settings: Settings) -> None:
    @app.before_request
    def start_request():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Content-Security-Policy", "default-src 'none'")
        log.info(json.dumps(_request_record(response), ensure_ascii=False))
        return response


def _request_record(response: Response) -> dict:
    """One structured log line: never the question's text unless switched on."""
    record = {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "latency_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
    }
    if request.path == "/api/chat":
        record["kind"] = g.get("reply_kind")
        record["passage_ids"] = g.get("passage_ids", [])
        record["message_chars"] = g.get("message_chars")
    if g.get("message_text") is not None:
        record["message"] = g.message_text
    return record


def _static(name: str, content_type: str) -> Response:
    body = resources.files("bot").joinpath("static", name).read_bytes()
    return Response(body, content_type=content_type)
