"""`faqbot production`: nginx in front of gunicorn, as a clinic runs it (real processes)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.production import Plan, nginx_binary, nginx_config

from .conftest import CORPUS, ROOT

pytestmark = pytest.mark.skipif(
    not os.path.exists("/usr/sbin/nginx"),
    reason="nginx is not installed (scripts/install-system-packages.sh installs it)",
)
QUESTION = b'{"message": "What is FOLFOX?"}'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(port: int, body: bytes, headers: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            "/api/chat",
            body=body,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def start(tmp_path: Path, port: int, **environment: str) -> subprocess.Popen:
    """`faqbot production` with one worker on a copy-free tmp index, up and answering."""
    env = os.environ | {
        "FAQBOT_CORPUS": str(CORPUS),
        "FAQBOT_INDEX": str(tmp_path / "index"),
        "FAQBOT_RATE_LIMIT": "off",
        **environment,
    }
    env.pop("FAQBOT_TRUSTED_PROXIES", None)
    command = [sys.executable, "-m", "bot", "production", "--port", str(port)]
    with (tmp_path / "out").open("w") as out, (tmp_path / "err").open("w") as err:
        server = subprocess.Popen(
            [*command, "--workers", "1"], cwd=ROOT, env=env, stdout=out, stderr=err
        )
    deadline = time.monotonic() + 60
    while "Clinic FAQ bot (production)" not in (tmp_path / "out").read_text():
        assert server.poll() is None, (tmp_path / "err").read_text()
        assert time.monotonic() < deadline, "faqbot production did not start"
        time.sleep(0.1)
    return server


def stop(server: subprocess.Popen) -> int:
    server.send_signal(signal.SIGTERM)
    return server.wait(timeout=60)


def descendants(pid: int) -> dict[int, str]:
    """The processes a process started, and theirs: pid -> command line."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        found[int(child)] = command.decode(errors="replace")
        found |= descendants(int(child))
    return found


def alive(pids) -> list[int]:
    living = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.append(pid)
    return living


def test_the_nginx_configuration_is_valid(tmp_path):
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index")
    config = tmp_path / "nginx.conf"
    text = nginx_config(Plan("127.0.0.1", 8000, 1), tmp_path, tmp_path / "s", settings)
    assert "{{" not in text
    config.write_text(text)
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(config), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_it_answers_behind_nginx_and_slow_clients_hold_no_worker(tmp_path):
    port = free_port()
    server = start(tmp_path, port)
    processes = descendants(server.pid)
    slow = []
    try:
        assert post(port, QUESTION)[0] == 200
        # With one worker, a client sending its headers or its body slowly would hold it
        # if it reached gunicorn: nginx keeps them until the request is whole.
        for number in range(10):
            client = socket.create_connection(("127.0.0.1", port))
            if number % 2:
                client.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\n")
            else:
                client.sendall(
                    b"POST /api/chat HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
                )
            slow.append(client)
        started = time.monotonic()
        statuses = [post(port, QUESTION)[0] for _ in range(5)]
        assert statuses == [200] * 5
        assert time.monotonic() - started < 5
        status, body = post(port, b'{"message": "' + b"a" * 40_000 + b'"}')
        assert status == 413 and body["error"]["code"] == "too_large"
    finally:
        for client in slow:
            client.close()
        assert stop(server) == 0
    assert alive(processes) == []
    assert "Traceback" not in (tmp_path / "err").read_text()


def test_the_rate_limit_counts_the_client_not_a_forged_header(tmp_path):
    port = free_port()
    server = start(tmp_path, port, FAQBOT_RATE_LIMIT="3/minute")
    try:
        statuses = [
            post(port, QUESTION, {"X-Forwarded-For": f"198.51.100.{n}"})[0]
            for n in range(6)
        ]
    finally:
        stop(server)
    assert statuses == [200] * 3 + [429] * 3


def test_sigterm_stops_everything_it_started(tmp_path):
    port = free_port()
    server = start(tmp_path, port)
    started = descendants(server.pid)
    commands = " ".join(started.values())
    assert "nginx: worker" in commands and commands.count("gunicorn") >= 2
    assert stop(server) == 0
    assert alive(started) == []
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_a_port_in_use_is_said_clearly_and_nothing_is_left_running(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = os.environ | {
            "FAQBOT_CORPUS": str(CORPUS),
            "FAQBOT_INDEX": str(tmp_path / "index"),
        }
        done = subprocess.run(
            [sys.executable, "-m", "bot", "production", "--port", str(port)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert f"port {port} in use" in done.stderr
    assert "Traceback" not in done.stderr
    leftover = subprocess.run(
        ["pgrep", "-f", f"faqbot-production-.*{port}"], capture_output=True
    )
    assert leftover.returncode == 1
