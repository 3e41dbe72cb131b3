"""Per-client rate limits: shared by one host's processes (the table in the instance
folder, real gunicorn workers included), shared through a real Redis, and when either
cannot be used.

The Redis tests start Debian's `redis-server` on 127.0.0.1 (scripts/
install-system-packages.sh installs it); without it they are skipped, saying why.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from limits import parse
from limits.strategies import FixedWindowRateLimiter

import bot.web.ratelimit_table
from bot.config import Settings
from bot.web.app import create_app
from bot.web.ratelimit_table import (
    ALL_SLOTS,
    IN_USE,
    NEIGHBOURHOOD,
    SLOT,
    SWEEP_SECONDS,
    SWEEP_SLOTS,
    TABLE_FILE,
    HostStorage,
    Table,
)

from .conftest import CORPUS, ROOT

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


def test_instances_of_one_host_share_one_limit_without_redis(index_dir):
    """Both count in the table of the instance folder beside their index."""
    first, second = make_client(index_dir), make_client(index_dir)
    assert statuses(first, 2) == [200, 200]
    assert statuses(second, 2) == [200, 429]
    assert statuses(first, 1) == [429]


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


# One host without Redis: every process counts in the table of the instance folder.

LIMIT = parse("30/minute")
TABLE_KEY = "ab" * 32  # the key of the table's hashes, for tests of the storage alone


def index_beside(tmp_path: Path, index_dir: Path) -> Path:
    """The session's index, seen from this test's folder: the instance folder beside
    it, which holds the table, is this test's own."""
    (tmp_path / "index").symlink_to(index_dir, target_is_directory=True)
    return tmp_path / "index"


def slots_in_use(table: Path) -> int:
    """How many windows a table file holds (its slots that are not all zero)."""
    data = table.read_bytes()[SLOT.size :]
    return sum(any(data[at : at + SLOT.size]) for at in range(0, len(data), SLOT.size))


CLIENTS = [f"203.0.113.{number}" for number in range(20)]


def hit_the_table(storage: HostStorage | dict, rounds: int, barrier, granted) -> None:
    """A process's share of the hits, `rounds` for each client: with the storage it
    inherited (as the workers of a preloading gunicorn do), or with its own that opens
    the table again (as workers that load the app themselves do)."""
    if isinstance(storage, dict):
        storage = HostStorage(**storage)
    limiter = FixedWindowRateLimiter(storage)
    barrier.wait()
    hits = [
        limiter.hit(LIMIT, client, "chat") for _ in range(rounds) for client in CLIENTS
    ]
    granted.put(sum(hits))


@pytest.mark.filterwarnings("ignore:This process .* fork:DeprecationWarning")
@pytest.mark.parametrize("storage", ["inherited", "own"])
def test_processes_hitting_the_table_at_once_get_exactly_the_limit(tmp_path, storage):
    """4 processes, each 100 hits per client for 20 clients: 30 granted per client."""
    options = {"path": str(tmp_path / TABLE_FILE), "key": TABLE_KEY}
    parents = HostStorage(**options)
    assert FixedWindowRateLimiter(parents).hit(LIMIT, CLIENTS[0], "chat")
    context = multiprocessing.get_context("fork")
    barrier, granted = context.Barrier(4), context.Queue()
    shared = parents if storage == "inherited" else options
    processes = [
        context.Process(target=hit_the_table, args=(shared, 100, barrier, granted))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    hits = [granted.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    # Processes that join a table in use keep its counts (CLIENTS[0]'s first hit).
    assert sum(hits) == LIMIT.amount * len(CLIENTS) - 1
    counted = [parents.get(LIMIT.key_for(client, "chat")) for client in CLIENTS]
    assert counted == [1 + 4 * 100] + [4 * 100] * (len(CLIENTS) - 1)  # none lost


def test_the_table_keeps_a_keyed_hash_never_the_address(index_dir, tmp_path):
    client = make_client(index_beside(tmp_path, index_dir))
    address = "203.0.113.77"
    environ = {"REMOTE_ADDR": address}
    for _ in range(2):
        client.post("/api/chat", json={"message": "hi"}, environ_base=environ)
    table = tmp_path / "instance" / TABLE_FILE
    assert address.encode() not in table.read_bytes()
    assert slots_in_use(table) == 1
    assert oct(table.stat().st_mode & 0o777) == "0o600"


class Clock:
    """Stands in for the time module of bot.web.ratelimit_table."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


def test_ended_windows_are_erased_by_later_hits(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(bot.web.ratelimit_table, "time", clock)
    storage = HostStorage(path=str(tmp_path / TABLE_FILE), key=TABLE_KEY)
    storage.incr("LIMITER/203.0.113.8/chat/30/1/minute", 60)
    clock.now += 61
    sweeps = -(-ALL_SLOTS // SWEEP_SLOTS)  # each hit, a second apart, sweeps a part
    for number in range(sweeps):
        clock.now += SWEEP_SECONDS + 0.1
        storage.incr(f"LIMITER/198.51.100.{number}/chat/30/1/minute", 60)
    assert slots_in_use(tmp_path / TABLE_FILE) == sweeps


def test_a_full_neighbourhood_forgets_the_window_that_ends_first(tmp_path):
    table = Table.of(tmp_path / TABLE_FILE)
    table.join()
    same_home = [bytes(8) + bytes([number]) * 8 for number in range(NEIGHBOURHOOD + 1)]
    for seconds, digest in enumerate(same_home[:NEIGHBOURHOOD], start=100):
        assert table.incr(digest, seconds, 1) == 1
    assert table.incr(same_home[-1], 60, 1) == 1
    assert table.window(same_home[0])[0] == 0  # ended first: forgotten
    assert all(table.window(digest)[0] == 1 for digest in same_home[1:])


def test_a_table_left_damaged_is_started_afresh(index_dir, tmp_path, caplog):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / TABLE_FILE).write_bytes(b"\xff" * 1000)
    index = index_beside(tmp_path, index_dir)
    first, second = make_client(index), make_client(index)
    assert statuses(first, 2) + statuses(second, 2) == [200, 200, 200, 429]
    assert "cannot be used" not in caplog.text


def test_an_unusable_instance_folder_leaves_each_process_counting_alone(
    index_dir, tmp_path, caplog
):
    """Answering patients beats counting: no request fails, each process still limits."""
    (tmp_path / "instance").write_text("a file where the folder should be")
    client = make_client(index_beside(tmp_path, index_dir), secret_key="set")
    assert statuses(client, 4) == [200, 200, 200, 429]
    assert client.get("/api/health").status_code == 200
    assert f"{tmp_path}/instance/{TABLE_FILE} cannot be used" in caplog.text
    assert "falling back to in-memory storage" in caplog.text


def test_a_table_damaged_while_serving_leaves_each_process_counting_alone(
    index_dir, tmp_path, caplog
):
    client = make_client(index_beside(tmp_path, index_dir))
    assert statuses(client, 1) == [200]
    os.truncate(tmp_path / "instance" / TABLE_FILE, 100)
    assert statuses(client, 4) == [200, 200, 200, 429]
    assert "falling back to in-memory storage" in caplog.text


# Another process using the table (given as an argument), until killed.
HOLD_THE_TABLE = f"""
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(descriptor, fcntl.LOCK_SH, 1, {IN_USE})
print("holding", flush=True)
time.sleep(120)
"""


def test_a_damaged_table_that_another_process_uses_is_left_alone(
    index_dir, tmp_path, caplog
):
    """Only a table no other process uses may be started afresh: counting alone."""
    table = tmp_path / "instance" / TABLE_FILE
    table.parent.mkdir()
    table.write_bytes(b"\xff" * 1000)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_TABLE, str(table)], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == b"holding\n"
        client = make_client(index_beside(tmp_path, index_dir))
        assert statuses(client, 4) == [200, 200, 200, 429]
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert table.read_bytes() == b"\xff" * 1000
    assert "is not a rate limit table" in caplog.text


# One host, several gunicorn workers, no Redis: one limit.


def start_gunicorn(tmp_path: Path, index_dir: Path, workers: int, rate_limit: str):
    """gunicorn with our configuration, serving a copy of the index (so the table, in
    the instance folder beside it, is this test's own); the process and its port."""
    index_copy = tmp_path / "index"
    shutil.copytree(index_dir, index_copy)
    port = free_port()
    environment = os.environ | {
        "FAQBOT_CORPUS": str(CORPUS),
        "FAQBOT_INDEX": str(index_copy),
        "FAQBOT_RATE_LIMIT": rate_limit,
    }
    environment.pop("FAQBOT_REDIS_URL", None)
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    with (tmp_path / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(
            [*command, "bot.web:create_app()"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return server, port


def wait_until_healthy(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.1)


def post_chat(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps({"message": "What is FOLFOX?"})
        headers = {"Content-Type": "application/json"}
        connection.request("POST", "/api/chat", body, headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_gunicorn_workers_of_one_host_share_one_limit_without_redis(
    index_dir, tmp_path
):
    """150 requests at once, 12 at a time, spread by the kernel over 3 workers."""
    server, port = start_gunicorn(
        tmp_path, index_dir, workers=3, rate_limit="30/minute"
    )
    try:
        wait_until_healthy(server, port)
        with ThreadPoolExecutor(max_workers=12) as pool:
            answered = list(pool.map(lambda _: post_chat(port), range(150)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert Counter(answered) == {200: 30, 429: 120}
    assert "cannot be used" not in (tmp_path / "gunicorn.log").read_text()
