"""Per-client rate limit of /api/chat (Flask-Limiter): in memory, or shared via Redis.

In memory, each process counts on its own. With FAQBOT_REDIS_URL every worker and
host counts in one Redis, so a client gets the same limit however the load balancer
spreads its requests. When Redis cannot be reached, answering patients matters more
than counting them: each process falls back to counting in its own memory (so the
limit holds per process, not overall), logs a warning, and returns to Redis once it
answers again.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

from flask import Flask, request
from flask_limiter import Limiter

from .config import Settings

LIMITED_ENDPOINT = "chat"
# A Redis that does not answer must cost a request a fraction of a second, not minutes:
# after one failure the limiter counts in memory and retries Redis with a backoff.
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def without_client_addresses(record: logging.LogRecord) -> bool:
    """Flask-Limiter logs each refused request with the client's address ("ratelimit
    30/minute (203.0.113.9) exceeded"): a patient's address is not the log's to keep."""
    return not record.getMessage().startswith("ratelimit ")


def make_limiter(app: Flask, settings: Settings) -> Limiter:
    """A limiter keyed by client; its storage is Redis when FAQBOT_REDIS_URL is set."""
    limiter_log = logging.getLogger("flask-limiter")
    if without_client_addresses not in limiter_log.filters:
        limiter_log.addFilter(without_client_addresses)
    limiting = settings.rate_limit != "off"
    shared = bool(settings.redis_url) and limiting
    limiter = Limiter(
        key_func=client_key,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        storage_options=REDIS_OPTIONS if settings.redis_url else {},
        headers_enabled=True,
        enabled=limiting,
        default_limits=[],
        swallow_errors=True,
        in_memory_fallback_enabled=shared,
        in_memory_fallback=[settings.rate_limit] if shared else [],
    )
    # Only the chat is limited; the in-memory fallback would otherwise apply to every
    # route, and a load balancer's health checks must never be refused.
    limiter.request_filter(lambda: request.endpoint != LIMITED_ENDPOINT)
    return limiter


def limit_chat(limiter: Limiter, settings: Settings) -> Callable[[Callable], Callable]:
    """The chat route's decorator: its rate limit, or none at all when limiting is off.

    A disabled limiter still looks every request up; leaving it out saves that work.
    """
    if settings.rate_limit == "off":
        return lambda view: view
    return limiter.limit(settings.rate_limit)


def client_key() -> str:
    """Who is asking: the client's address, or its /64 network for IPv6.

    One IPv6 subscriber usually holds a whole /64, so counting single addresses would
    let anyone rotate through fresh ones. The address comes from X-Forwarded-For only
    when FAQBOT_TRUSTED_PROXIES says a proxy in front sets it (ProxyFix in web.py).
    """
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
