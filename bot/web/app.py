"""The HTTP service: app factory, routes, JSON errors, CORS, security headers, logs.

Question text never reaches the log unless the operator set FAQBOT_LOG_QUESTIONS=on.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import traceback
from importlib import resources

import orjson
from flask import Flask, Response, jsonify, request
from flask.json.provider import JSONProvider
from flask_cors import CORS
from werkzeug.exceptions import ClientDisconnected, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import errors
from bot.answer import Conversation, query
from bot.answer.context import decode_context
from bot.answer.replies import ReplySettings, respond
from bot.answer.triage.decide import warm_up as warm_up_triage
from bot.config import Settings
from bot.index import IndexHolder, ensure_fresh_index
from bot.insights import open_store
from bot.web.admin import register_admin
from bot.web.bodies import parse_chat_body, parse_feedback_body
from bot.web.document_page import document_page
from bot.web.ratelimit import limit_chat, make_limiter
from bot.web.recording import InsightsRecording

log = logging.getLogger(__name__)

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HTTP_ERRORS = {
    404: (errors.NotFound, "no such endpoint"),
    405: (errors.MethodNotAllowed, "method not allowed here"),
    413: (errors.TooLarge, "request body must be at most {limit} bytes"),
    429: (errors.RateLimited, "too many requests; try again in a moment"),
}
ENDED_EARLY = "request body ended before its Content-Length"
UNREADABLE = "request body could not be read"
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
    # With no origin allowed, CORS adds no header, yet it would cost every request.
    if settings.allowed_origins:
        CORS(
            app,
            resources={r"/api/*": {"origins": list(settings.allowed_origins)}},
            methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After", "X-Request-Id"],  # the widget waits as asked
            max_age=600,
        )
    limiter = make_limiter(app, settings)
    app.extensions["faqbot.limiter"] = limiter  # Flask-Limiter keeps a weak reference
    reply_settings = ReplySettings.from_settings(settings)
    warm_up_triage(reply_settings.rulebook)
    query.warm_up()
    recording = InsightsRecording(settings) if settings.insights else None
    app.extensions["faqbot.recording"] = recording  # tests flush it
    _register_routes(app, settings, holder, reply_settings, limiter)
    _register_feedback(app, settings, holder, reply_settings, limiter, recording)
    register_admin(
        app,
        settings,
        holder,
        lambda: open_store(settings.insights_url),
        reply_settings.context_key,
    )
    _register_errors(app, settings)
    return app


def _register_routes(app, settings, holder, reply_settings, limiter) -> None:
    recording = app.extensions.get("faqbot.recording")

    @app.post("/api/chat")
    @limit_chat(limiter, settings)
    def chat():
        message, context = read_chat_request(settings)
        reply = respond(holder.get(), message, context, reply_settings)
        logged = {
            "kind": reply.kind,
            "passage_ids": [answer.hit.passage.passage_id for answer in reply.answers],
            "message_chars": len(message),
        }
        if settings.log_questions:
            logged["message"] = message
        request.environ[CHAT_LOG_KEY] = logged
        if recording:
            recording.reply(holder.get(), message, reply)
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
        return _page(
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
        return _page(document_page(passages))

    @app.get("/document.css")
    def document_css():
        return _static("document.css", "text/css; charset=utf-8")


def _register_feedback(app, settings, holder, reply_settings, limiter, recording):
    @app.post("/api/feedback")
    @limit_chat(limiter, settings)
    def feedback():
        passage_id, helpful, context = parse_feedback_body(
            _json_body(settings), settings
        )
        if recording:
            state = Conversation.from_wire(
                decode_context(context, reply_settings.context_key)
            )
            recording.vote(holder.get(), passage_id, helpful, state)
        return Response(status=204)


def read_chat_request(settings: Settings) -> tuple[str, str | None]:
    """The message and context of this chat request; ApiError when it is malformed."""
    return parse_chat_body(_json_body(settings), settings)


def _json_body(settings: Settings) -> bytes:
    """The raw body of a JSON request; ApiError when it is not JSON or too large."""
    if request.mimetype != "application/json":
        raise errors.UnsupportedMediaType(
            "request body must be JSON (Content-Type: application/json)"
        )
    return _read_body(settings.max_body_bytes)


def _read_body(max_bytes: int) -> bytes:
    """The raw body, at most max_bytes; a transfer the server cannot read is a 400."""
    environ = request.environ
    declared = environ.get("CONTENT_LENGTH", "")
    if (
        declared.isascii()
        and declared.isdigit()
        and int(declared) <= max_bytes
        and "HTTP_TRANSFER_ENCODING" not in environ
    ):
        # What nearly every request sends, read as werkzeug would, without its stream
        # wrapper (which cost a chat request about 30 us, a twentieth of its time).
        return _read_exactly(environ["wsgi.input"], int(declared))
    try:
        raw = request.get_data(cache=False)
    except ClientDisconnected:
        raise errors.InvalidJson(ENDED_EARLY) from None
    except HTTPException:
        raise  # 413: the body is over the limit
    except Exception:  # such as gunicorn's parser on broken chunked framing
        raise errors.InvalidJson(UNREADABLE) from None
    if len(raw) > max_bytes:
        raise errors.TooLarge(f"request body must be at most {max_bytes} bytes")
    return raw


def _read_exactly(stream, size: int) -> bytes:
    """`size` bytes of a body stream, however many reads that takes; InvalidJson when
    it ends early or fails."""
    chunks, missing = [], size
    while missing:
        try:
            chunk = stream.read(missing)
        except (OSError, ValueError):  # the client went away (werkzeug's reading)
            raise errors.InvalidJson(ENDED_EARLY) from None
        except Exception:
            raise errors.InvalidJson(UNREADABLE) from None
        if not chunk:
            raise errors.InvalidJson(ENDED_EARLY)
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _register_errors(app: Flask, settings: Settings) -> None:
    @app.errorhandler(errors.ApiError)
    def api_error(error: errors.ApiError):
        return _error_response(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        kind, message = HTTP_ERRORS.get(
            status, (errors.InvalidRequest, error.description)
        )
        if status not in HTTP_ERRORS and status >= 500:
            kind, message = errors.Internal, "internal error"
        message = message.format(limit=settings.max_body_bytes)
        response = _error_response(kind.status, kind.code, message)
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        _log_unexpected(error, settings.log_questions)
        return _error_response(500, "internal", "internal error; it has been logged")


def _log_unexpected(error: Exception, log_questions: bool) -> None:
    """Log a bug: the full traceback only when question text may be logged.

    An exception's message may quote the question, so by default the log gets the
    exception types and the code locations they passed through, not their messages.
    """
    if log_questions:
        log.exception("unhandled error (request %s)", _request_id())
        return
    chain = []
    while error is not None and len(chain) < 10:  # a chain may loop back on itself
        frames = traceback.extract_tb(error.__traceback__)
        chain.append(
            {
                "error": type(error).__qualname__,
                "at": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames],
            }
        )
        error = error.__cause__ or error.__context__
    record = {"event": "unhandled_error", "request_id": _request_id()}
    log.error(orjson.dumps(record | {"chain": chain}).decode())


def _request_id() -> str | None:
    return request.environ.get(REQUEST_ID_KEY)


def _error_response(status: int, code: str, message: str) -> Response:
    response = jsonify(errors.error_body(code, message))
    response.status_code = status
    return response


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


def widget_script(settings: Settings) -> bytes:
    """widget.js with the bot's settings written into its SERVER line, so a clinic sets
    each number once, here, and not also on its pages."""
    script = resources.files("bot.web").joinpath("static", "widget.js").read_bytes()
    line = b'  var SERVER = {"emergency_number": "911"};'
    if line not in script:
        raise RuntimeError("widget.js has lost its SERVER line")
    server = json.dumps({"emergency_number": settings.emergency_number})
    return script.replace(line, f"  var SERVER = {server};".encode(), 1)


def _page(html: str | bytes) -> Response:
    """An HTML page of the bot's own, under its strict Content-Security-Policy."""
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def _static(name: str, content_type: str) -> Response:
    body = resources.files("bot.web").joinpath("static", name).read_bytes()
    return Response(body, content_type=content_type)
