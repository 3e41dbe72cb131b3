"""Per-client rate limits: in memory, shared through a real Redis, and when Redis is down.

The Redis tests start Debian's `redis-server` on 127.0.0.1 (scripts/
install-system-packages.sh installs it); without it they are skipped, saying why.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from bot.config import Settings
from bot.web import create_app

from .conftest import CORPUS

REDIS_SERVER = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (run scripts/install-system-packages.sh)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on 127.0.0.1, without persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        command = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no", "--protected-mode", "yes"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)
            finally:
                client.close()
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def flush(self) -> None:
        client = redis.Redis.from_url(self.url)
        client.flushall()
        client.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip(
            "redis-server is not installed (run scripts/install-system-packages.sh)"
        )
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    redis_server.flush()
    return redis_server.url


def make_client(index_dir, **changes):
    settings = Settings(corpus_dir=CORPUS, index_dir=index_dir, rate_limit="3/minute")
    return create_app(settings.with_changes(**changes)).test_client()


def statuses(client, count: int, **headers) -> list[int]:
    return [
        client.post("/api/chat", json={"message": "hi"}, headers=headers).status_code
        for _ in range(count)
    ]


def test_each_client_gets_its_own_allowance(index_dir):
    client = make_client(index_dir)
    first = {"REMOTE_ADDR": "198.51.100.1"}
    second = {"REMOTE_ADDR": "198.51.100.2"}
    assert [
        client.post("/api/chat", json={"message": "hi"}, environ_base=first).status_code
        for _ in range(4)
    ] == [200, 200, 200, 429]
    other = client.post("/api/chat", json={"message": "hi"}, environ_base=second)
    assert other.status_code == 200


def test_the_limit_can_be_switched_off(index_dir):
    assert set(statuses(make_client(index_dir, rate_limit="off"), 40)) == {200}


def test_a_limited_client_still_reaches_health_and_the_widget(index_dir):
    client = make_client(index_dir)
    assert statuses(client, 4)[-1] == 429
    assert client.get("/api/health").status_code == 200
    assert client.get("/widget.js").status_code == 200


def test_a_rate_limited_reply_says_when_to_come_back(index_dir):
    client = make_client(index_dir, rate_limit="1/hour")
    client.post("/api/chat", json={"message": "hi"})
    response = client.post("/api/chat", json={"message": "hi"})
    assert response.status_code == 429
    assert response.get_json() == {
        "error": {
            "code": "rate_limited",
            "message": "too many requests; try again in a moment",
        }
    }
    assert 0 < int(response.headers["Retry-After"]) <= 3600


@pytest.mark.parametrize(
    ("addresses", "shared"),
    [
        (("2001:db8::1", "2001:db8::2"), True),  # one /64: one subscriber
        (("2001:db8::1", "2001:db8:0:1::1"), False),
        (("::ffff:198.51.100.7", "198.51.100.7"), True),
        (("198.51.100.7", "198.51.100.8"), False),
    ],
)
def test_ipv6_clients_are_counted_by_their_64_network(index_dir, addresses, shared):
    client = make_client(index_dir, rate_limit="2/minute")
    for address in addresses[:1] * 2:
        client.post(
            "/api/chat", json={"message": "hi"}, environ_base={"REMOTE_ADDR": address}
        )
    last = client.post(
        "/api/chat", json={"message": "hi"}, environ_base={"REMOTE_ADDR": addresses[1]}
    )
    assert (last.status_code == 429) is shared


# Behind a proxy: X-Forwarded-For names the client only when the proxy is trusted.


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(index_dir):
    client = make_client(index_dir, trusted_proxies=1)
    assert statuses(client, 4, **{"X-Forwarded-For": "203.0.113.1"}) == [200] * 3 + [
        429
    ]
    assert statuses(client, 1, **{"X-Forwarded-For": "203.0.113.2"}) == [200]


def statuses_forwarded_for(client, headers: list[str]) -> list[int]:
    """One chat request per X-Forwarded-For value, and the status of each."""
    return [
        client.post(
            "/api/chat", json={"message": "hi"}, headers={"X-Forwarded-For": header}
        ).status_code
        for header in headers
    ]


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(index_dir):
    client = make_client(index_dir)
    forged = [f"203.0.113.{number}" for number in range(4)]
    assert statuses_forwarded_for(client, forged) == [200, 200, 200, 429]


def test_only_the_address_the_trusted_proxy_added_counts(index_dir):
    """A client may send its own X-Forwarded-For; the proxy appends the real address."""
    client = make_client(index_dir, trusted_proxies=1)
    forged = [f"10.0.0.{number}, 203.0.113.9" for number in range(4)]
    assert statuses_forwarded_for(client, forged) == [200, 200, 200, 429]


# Shared through Redis: several instances, one limit.


@needs_redis
def test_two_instances_sharing_redis_enforce_one_limit(index_dir, redis_url):
    first = make_client(index_dir, redis_url=redis_url)
    second = make_client(index_dir, redis_url=redis_url)
    assert statuses(first, 2) == [200, 200]
    assert statuses(second, 2) == [200, 429]
    assert statuses(first, 1) == [429]


def test_instances_without_redis_count_separately(index_dir):
    first, second = make_client(index_dir), make_client(index_dir)
    assert statuses(first, 3) == [200] * 3
    assert statuses(second, 3) == [200] * 3


@needs_redis
def test_the_shared_count_lives_in_redis(index_dir, redis_url):
    statuses(make_client(index_dir, redis_url=redis_url), 2)
    keys = redis.Redis.from_url(redis_url).keys("*")
    assert keys and all(b"127.0.0.1" in key for key in keys)


def test_an_unreachable_redis_falls_back_to_counting_in_memory(index_dir, caplog):
    """Answering patients beats counting: no request fails, each process still limits."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    client = make_client(index_dir, redis_url=dead)
    started = time.monotonic()
    assert statuses(client, 4) == [200, 200, 200, 429]
    assert time.monotonic() - started < 5
    assert client.get("/api/health").status_code == 200
    assert "falling back to in-memory storage" in caplog.text


@needs_redis
def test_redis_going_down_mid_traffic_fails_no_request(index_dir):
    server = RedisServer().start()
    try:
        client = make_client(index_dir, redis_url=server.url, rate_limit="100/minute")
        assert statuses(client, 3) == [200] * 3
        server.stop()
        assert statuses(client, 5) == [200] * 5
        server.start()  # back on the same port; the limiter finds it again
        time.sleep(1.1)  # its first retry comes after a one-second backoff
        assert statuses(client, 3) == [200] * 3
        counted = redis.Redis.from_url(server.url).keys("*")
        assert counted, "the limiter went back to counting in Redis"
    finally:
        server.stop()


def test_a_refused_request_leaves_no_client_address_in_the_log(index_dir, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    client = make_client(index_dir, rate_limit="1/hour")
    address = "203.0.113.77"
    for _ in range(2):
        response = client.post(
            "/api/chat", json={"message": "hi"}, environ_base={"REMOTE_ADDR": address}
        )
    assert response.status_code == 429
    assert address not in caplog.text
