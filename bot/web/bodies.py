"""The bodies of POST /api/chat and /api/feedback: read within their limit, strict JSON
in, validated values out, or an ApiError."""

from __future__ import annotations

import codecs
import json

from flask import request
from werkzeug.exceptions import ClientDisconnected, HTTPException

from bot import errors
from bot.config import Settings

MAX_ID_CHARS = 200
ENDED_EARLY = "request body ended before its Content-Length"
UNREADABLE = "request body could not be read"


def parse_chat_body(raw: bytes, settings: Settings) -> tuple[str, str | None]:
    """The message (trimmed) and context of a chat request body; ApiError when malformed."""
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise errors.InvalidRequest("request body must be a JSON object")
    message = body.get("message")
    limit = settings.max_message_chars
    if not isinstance(message, str) or not 1 <= len(message.strip()) <= limit:
        raise errors.InvalidRequest(f"message must be 1 to {limit} characters")
    if not _is_unicode(message):
        raise errors.InvalidRequest("message must be Unicode text (no lone surrogates)")
    return message.strip(), _context(body, settings)


def parse_feedback_body(raw: bytes, settings: Settings) -> tuple[str, bool, str | None]:
    """The passage id, vote and context of a feedback request body; ApiError when
    malformed."""
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise errors.InvalidRequest("request body must be a JSON object")
    passage_id = body.get("passage_id")
    if not isinstance(passage_id, str) or not 1 <= len(passage_id) <= MAX_ID_CHARS:
        raise errors.InvalidRequest(
            f"passage_id must be a string of 1 to {MAX_ID_CHARS} characters"
        )
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise errors.InvalidRequest("helpful must be true or false")
    return passage_id, helpful, _context(body, settings)


def _context(body: dict, settings: Settings) -> str | None:
    context = body.get("context")
    if context is not None and (
        not isinstance(context, str) or len(context) > settings.max_context_chars
    ):
        limit = settings.max_context_chars
        raise errors.InvalidRequest(
            f"context must be a string of at most {limit} characters"
        )
    return context


def parse_json(raw: bytes) -> object:
    """Strict JSON (RFC 8259) from UTF-8 bytes; InvalidJson or InvalidRequest when not.

    NaN and Infinity are not JSON. A repeated key makes a body ambiguous (a proxy may
    read the first, we the last), so it is refused. Numbers are never used, so they are
    read as floats, which no number of digits can make fail.
    """
    try:
        # As "utf-8-sig" decodes, one leading BOM dropped, without its codec's Python.
        return STRICT_JSON.decode(raw.removeprefix(codecs.BOM_UTF8).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise errors.InvalidJson("request body is not valid JSON") from None
    except RecursionError:
        raise errors.InvalidJson("request body is nested too deeply to read") from None


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _object_without_repeats(pairs: list[tuple[str, object]]) -> dict:
    body = dict(pairs)
    if len(body) != len(pairs):
        raise errors.InvalidRequest("request body must not repeat a key")
    return body


# Built once (json.loads with hooks would build one per call); a text starting with a
# second BOM is refused here as by json.loads.
STRICT_JSON = json.JSONDecoder(
    parse_constant=_refuse_constant,
    parse_int=float,
    object_pairs_hook=_object_without_repeats,
)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_json_body(settings: Settings) -> bytes:
    """The raw body of a JSON request; ApiError when it is not JSON or too large."""
    if request.mimetype != "application/json":
        raise errors.UnsupportedMediaType(
            "request body must be JSON (Content-Type: application/json)"
        )
    return _read_body(settings.max_body_bytes)


def _read_body(max_bytes: int) -> bytes:
    """The raw body, at most max_bytes, read by werkzeug (Flask's MAX_CONTENT_LENGTH
    refuses a larger declared one with a 413); a transfer that cannot be read is a 400."""
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
