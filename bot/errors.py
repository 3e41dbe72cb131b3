"""API errors, each with its HTTP status and SPEC code."""

from __future__ import annotations


class ApiError(Exception):
    """An error the API reports to the client as JSON."""

    status = 500
    code = "internal"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidJson(ApiError):
    status, code = 400, "invalid_json"


class InvalidRequest(ApiError):
    status, code = 400, "invalid_request"


class NotFound(ApiError):
    status, code = 404, "not_found"


class MethodNotAllowed(ApiError):
    status, code = 405, "method_not_allowed"


class TooLarge(ApiError):
    status, code = 413, "too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"


class Internal(ApiError):
    status, code = 500, "internal"


def error_body(code: str, message: str) -> dict:
    """The JSON body of every error response."""
    return {"error": {"code": code, "message": message}}


class ConfigError(Exception):
    """A setting has a bad value; start-up stops with this message."""


class BrokenIndex(Exception):
    """The index on disk is missing, corrupt or cannot be built."""
