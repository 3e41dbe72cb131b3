"""Per-client rate limit of /api/chat (Flask-Limiter): in memory, or shared through Redis."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .config import Settings


def make_limiter(app: Flask, settings: Settings) -> Limiter:
    """A limiter keyed by client address; its storage is Redis when FAQBOT_REDIS_URL is set."""
    return Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        headers_enabled=True,
        enabled=settings.rate_limit != "off",
        default_limits=[],
        # With Redis down, answering patients matters more than counting their requests.
        swallow_errors=True,
    )


def chat_limit(settings: Settings) -> str:
    """The limit string for the chat route (unused when limiting is off)."""
    return settings.rate_limit if settings.rate_limit != "off" else "1000000/second"
