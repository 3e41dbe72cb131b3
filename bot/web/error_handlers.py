"""API errors as the SPEC's JSON bodies, and bugs logged without the question."""

from __future__ import annotations

import logging
import traceback

import orjson
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from bot import errors
from bot.config import Settings
from bot.web.envelope import REQUEST_ID_KEY

log = logging.getLogger("bot.web")

HTTP_ERRORS = {
    404: (errors.NotFound, "no such endpoint"),
    405: (errors.MethodNotAllowed, "method not allowed here"),
    413: (errors.TooLarge, "request body must be at most {limit} bytes"),
    429: (errors.RateLimited, "too many requests; try again in a moment"),
}


def register_errors(app: Flask, settings: Settings) -> None:
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
