"""Per-client rate limit of /api/chat (Flask-Limiter): one count per host, or via Redis.

Without FAQBOT_REDIS_URL, every worker process of a host counts in one table, a file in
the instance folder beside the index (`ratelimit_table.py`), so a client gets the
configured limit however gunicorn spreads its requests. With FAQBOT_REDIS_URL every
worker and host counts in one Redis. Either way, answering patients matters more than
counting them: when the table or Redis cannot be used, each process counts in its own
memory (so the limit holds per process), logs a warning, and goes back to the shared
count once it works again (retried after 1, 2, 4, ... s).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

from flask import Flask, request
from flask_limiter import Limiter

from bot.answer.context import context_key
from bot.config import Settings
from bot.web.ratelimit_table import TABLE_FILE, TABLE_SCHEME

LIMITED_ENDPOINTS = frozenset({"chat", "feedback", "admin_login"})
# A Redis that does not answer must cost a request a fraction of a second, not minutes:
# after one failure the limiter counts in memory and retries Redis with a backoff.
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def without_client_addresses(record: logging.LogRecord) -> bool:
    """Flask-Limiter logs each refused request with the client's address ("ratelimit
    30/minute (203.0.113.9) exceeded"): a patient's address is not the log's to keep."""
    return not record.getMessage().startswith("ratelimit ")


def make_limiter(app: Flask, settings: Settings) -> Limiter:
    """A limiter keyed by client, counting in Redis or in the host's table."""
    limiter_log = logging.getLogger("flask-limiter")
    if without_client_addresses not in limiter_log.filters:
        limiter_log.addFilter(without_client_addresses)
    limiting = settings.rate_limit != "off"
    storage_uri, storage_options = (
        shared_storage(settings) if limiting else ("memory://", {})
    )
    limiter = Limiter(
        key_func=client_key,
        app=app,
        storage_uri=storage_uri,
        storage_options=storage_options,
        headers_enabled=True,
        enabled=limiting,
        default_limits=[],
        swallow_errors=True,
        in_memory_fallback_enabled=limiting,
        in_memory_fallback=[settings.rate_limit] if limiting else [],
    )
    # Only the chat, feedback and sign-in are limited; the in-memory fallback would otherwise apply to every
    # route, and a load balancer's health checks must never be refused.
    limiter.request_filter(lambda: request.endpoint not in LIMITED_ENDPOINTS)
    return limiter


def shared_storage(settings: Settings) -> tuple[str, dict]:
    """Where the counts are kept: Redis when FAQBOT_REDIS_URL is set, else the table of
    the instance folder, its hashes keyed by a key derived from the context key."""
    if settings.redis_url:
        return settings.redis_url, dict(REDIS_OPTIONS)
    path = settings.instance_dir.resolve() / TABLE_FILE
    key = context_key(settings.secret_key, settings.instance_dir)
    return f"{TABLE_SCHEME}://", {"path": str(path), "key": key.hex()}


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
