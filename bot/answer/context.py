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
import os
import secrets
import time
from pathlib import Path

import orjson

from bot.errors import ConfigError

SIGNATURE_BYTES = (
    12  # enough to make forging hopeless, small enough to keep context short
)


SECRET_FILE = "secret_key"
SECRET_WAIT_S = 2.0  # how long to wait for another process writing the key file


def context_key(secret: str | None, instance_dir: Path) -> bytes:
    """The key contexts are signed with: from FAQBOT_SECRET_KEY when it is set, else a
    random one made on first start and kept in the instance folder, readable by the
    owner only, so every worker of a host (and every restart) signs alike and nobody
    can derive it. ConfigError when that folder cannot hold it."""
    if not secret:
        secret = _stored_secret(instance_dir / SECRET_FILE)
    return hashlib.sha256(b"faqbot-context\0" + secret.encode()).digest()


def _stored_secret(path: Path) -> str:
    """The key in `path`, made (owner-only) by the first process that asks."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _read_secret(path)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32))
        return _read_secret(path)
    except OSError as error:
        raise ConfigError(
            f"FAQBOT_SECRET_KEY is not set and {path} cannot hold a key "
            f"({error.strerror or error}): set FAQBOT_SECRET_KEY or make the folder "
            "writable"
        ) from None


def _read_secret(path: Path) -> str:
    """The key another process may still be writing: wait a moment for it."""
    deadline = time.monotonic() + SECRET_WAIT_S
    while not (secret := path.read_text(encoding="ascii").strip()):
        if time.monotonic() > deadline:
            raise OSError(f"{path} is empty")
        time.sleep(0.02)
    return secret


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
