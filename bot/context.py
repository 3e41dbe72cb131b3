"""The opaque follow-up context: what a next question needs from this one, signed.

The server keeps no conversation state; the client sends back the last reply's context.
It is compact JSON, base64url-encoded and signed with keyed BLAKE2b (the standard
library's MAC, a faster and simpler stand-in for HMAC: with OpenSSL's HMAC-SHA256, making
a context in a busy gunicorn worker took almost three times as long), so a context that
was altered, truncated or made up decodes to None and the message starts a new
conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson

SIGNATURE_BYTES = (
    12  # enough to make forging hopeless, small enough to keep context short
)


def encode_context(state: dict, key: bytes) -> str:
    """A URL-safe string carrying `state` (a small JSON object), signed with `key`."""
    payload = orjson.dumps(state)  # compact JSON, UTF-8
    signature = _sign(payload, key)
    return _b64(signature + payload)


def decode_context(token: str | None, key: bytes) -> dict | None:
    """The state in a context string, or None when it is empty, malformed or not ours."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    signature, payload = raw[:SIGNATURE_BYTES], raw[SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _sign(payload, key)):
        return None
    try:
        state = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    return state if isinstance(state, dict) else None


def _sign(payload: bytes, key: bytes) -> bytes:
    """The payload's signature: keyed BLAKE2b, SIGNATURE_BYTES long (key: 64 bytes at most)."""
    return hashlib.blake2b(payload, key=key, digest_size=SIGNATURE_BYTES).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
