"""Soak test: the production setup under wrk and slow clients, with an index rebuild.

64 connections for 60 s of POST /api/chat (a Lua script rotates a few questions)
against `faqbot production` (nginx in front of gunicorn) on 127.0.0.1, the rate limit
off, while 50 sockets send their headers and 50 their bodies a byte every few seconds
(each reopened as soon as the server drops it). Halfway through, a document is added to
a copy of the corpus and `faqbot index` rebuilds the served FAQBOT_INDEX. It passes when
no request fails (no 5xx, no socket error), the 99th percentile stays under 1 s, every
worker serves the new index afterwards, the workers' memory grew by at most 10%, and no
question reached the logs. `--server gunicorn` runs gunicorn alone (gunicorn.conf.py),
as before `faqbot production`, for comparison. Needs Debian's `wrk` and `nginx`.
Bounded: wrk stops at --duration, everything else has a timeout.

    .venv/bin/python bench/soak.py [--server production|gunicorn] [--slow-clients 50]
                                   [--duration 60] [--connections 64]

Prints the figures and writes them to bench/out/soak-SERVER.json; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
QUESTIONS = [
    "What is FOLFOX?",
    "Is Herceptin used for stomach cancer?",
    "What are the side effects of chemotherapy?",
    "How is small intestine cancer treated when it comes back?",
    "Hello",
    "How do I renew my passport?",
]
NEW_DOCUMENT = "# Parking\n\nPatients park free in the blue garage on Elm Street.\n"
MAX_MEMORY_GROWTH = 0.10
MAX_P99_MS = 1000
SLOW_PAUSE = 5  # seconds between a slow client's bytes
LUA = """
local bodies = {__BODIES__}
local counter = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function request()
  counter = counter + 1
  return wrk.format("POST", "/api/chat", {["Content-Type"] = "application/json"},
                    bodies[counter % #bodies + 1])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[tostring(status)] = (totals[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests": %d, "duration_us": %d, "statuses": {%s}, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
    .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d}}\\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up; see its log")
        try:
            get_json(url)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer within a minute")


def children(pid: int) -> list[int]:
    return [
        int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ]


def gunicorn_master(server: subprocess.Popen) -> int:
    """gunicorn's master: the server itself, or the child `faqbot production` started."""
    for pid in [server.pid, *children(server.pid)]:
        if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise SystemExit("no gunicorn master found")


class SlowClients:
    """`count` clients sending headers, and `count` sending bodies, a byte at a time.

    Each sends a byte every SLOW_PAUSE seconds and is reopened as soon as the server
    drops it, so `2 * count` slow connections are open all the time.
    """

    HEADER = b"POST /api/chat HTTP/1.1\r\nHost: soak\r\n"
    BODY = HEADER + b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.stopping = threading.Event()
        self.reopened = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()

    def _open(self, start: bytes) -> socket.socket | None:
        try:
            client = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            client.sendall(start)
            return client
        except OSError:
            return None

    def _run(self) -> None:
        starts = [self.HEADER] * self.count + [self.BODY] * self.count
        clients = [self._open(start) for start in starts]
        while not self.stopping.wait(SLOW_PAUSE):
            for number, client in enumerate(clients):
                try:
                    client.sendall(b"x" if number >= self.count else b"X-Slow: 1\r\n")
                except (OSError, AttributeError):
                    if client:
                        client.close()
                    clients[number] = self._open(starts[number])
                    self.reopened += 1
        for client in clients:
            if client:
                client.close()


def worker_memory(master: int) -> dict[int, dict[str, int]]:
    """RSS and PSS (shared pages split between sharers) of each worker, in KiB."""
    memory = {}
    for pid in children(master):
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        fields = dict(re.findall(r"^(\w+):\s+(\d+) kB", rollup, re.M))
        memory[pid] = {"rss_kib": int(fields["Rss"]), "pss_kib": int(fields["Pss"])}
    return memory


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    done = subprocess.run(
        [*command, "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("SOAK "))
    return json.loads(line[len("SOAK ") :])


def rebuild_midway(corpus: Path, index: Path, delay: float, result: dict) -> None:
    """Add a document to the corpus copy and rebuild the served index, after `delay`."""
    time.sleep(delay)
    (corpus / "parking.md").write_text(NEW_DOCUMENT, "utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "index",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result["rebuild_seconds"] = round(time.monotonic() - started, 2)
    result["rebuild_exit_code"] = done.returncode


def soak(args: argparse.Namespace, work: Path) -> dict:
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = os.environ | {
        "FAQBOT_CORPUS": str(corpus),
        "FAQBOT_INDEX": str(index),
        "FAQBOT_RATE_LIMIT": "off",
    }
    environment.pop("FAQBOT_LOG_QUESTIONS", None)
    if args.server == "production":
        command = [sys.executable, "-m", "bot", "production", "--port", str(port)]
    else:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
        ]
        command += ["--bind", f"127.0.0.1:{port}", "bot.web:create_app()"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    bodies = ", ".join(json.dumps(json.dumps({"message": q})) for q in QUESTIONS)
    script = work / "chat.lua"
    script.write_text(LUA.replace("__BODIES__", bodies), "utf-8")
    log = work / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log_file, stderr=log_file
        )
        try:
            wait_until_up(f"{base}/api/health", server)
            master = gunicorn_master(server)
            documents_before = get_json(f"{base}/api/health")["documents"]
            run_wrk(f"{base}/api/chat", script, 5, args.connections)  # warm-up
            memory_before = worker_memory(master)
            rebuild: dict = {}
            rebuilder = threading.Thread(
                target=rebuild_midway, args=(corpus, index, args.duration / 2, rebuild)
            )
            with SlowClients(port, args.slow_clients) as slow:
                time.sleep(1)  # the slow clients are in before the load starts
                rebuilder.start()
                load = run_wrk(
                    f"{base}/api/chat", script, args.duration, args.connections
                )
                rebuilder.join()
            rebuild["slow_clients_reopened"] = slow.reopened
            memory_after = worker_memory(master)
            seen = {get_json(f"{base}/api/health")["documents"] for _ in range(50)}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    return figures(load, memory_before, memory_after, rebuild, documents_before, seen)


def figures(load, memory_before, memory_after, rebuild, documents_before, seen) -> dict:
    """The soak's figures and the checks on them."""
    statuses = {int(k): v for k, v in load["statuses"].items()}
    before = sum(m["rss_kib"] for m in memory_before.values())
    after = sum(m["rss_kib"] for m in memory_after.values())
    return {
        "requests": load["requests"],
        "requests_per_second": round(load["requests"] / load["duration_us"] * 1e6, 1),
        "latency_ms": {k: v / 1000 for k, v in load["latency_us"].items()},
        "statuses": statuses,
        "status_5xx": sum(v for k, v in statuses.items() if k >= 500),
        "socket_errors": load["errors"],
        "workers_kept": sorted(memory_before) == sorted(memory_after),
        "memory_before_kib": memory_before,
        "memory_after_kib": memory_after,
        "rss_growth": round(after / before - 1, 4),
        "rebuild": rebuild | {"documents": [documents_before, sorted(seen)]},
    }


def failed_checks(result: dict, log_text: str) -> list[str]:
    failures = []
    if not result["requests"]:
        failures.append("no request was answered")
    if result["status_5xx"] or set(result["statuses"]) - {200}:
        failures.append(f"statuses other than 200: {result['statuses']}")
    if any(result["socket_errors"].values()):
        failures.append(f"socket errors: {result['socket_errors']}")
    if result["latency_ms"]["p99"] > MAX_P99_MS:
        failures.append(f"p99 {result['latency_ms']['p99']} ms over {MAX_P99_MS} ms")
    if result["rss_growth"] > MAX_MEMORY_GROWTH:
        failures.append(f"worker memory grew by {result['rss_growth']:.1%}")
    if result["rebuild"].get("rebuild_exit_code") != 0:
        failures.append("the rebuild failed")
    if result["rebuild"]["documents"][1] != [result["rebuild"]["documents"][0] + 1]:
        failures.append(f"not every worker serves the new index: {result['rebuild']}")
    if any(question in log_text for question in QUESTIONS[:4]):
        failures.append("a question reached the log")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, help="override gunicorn.conf.py")
    parser.add_argument(
        "--server",
        choices=("production", "gunicorn"),
        default="production",
        help="`faqbot production`, or gunicorn alone (as before it)",
    )
    parser.add_argument(
        "--slow-clients",
        type=int,
        default=50,
        help="slow-header and (as many) slow-body sockets held during the load",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="faqbot-soak-") as folder:
        work = Path(folder)
        result = soak(args, work)
        log_text = (work / "gunicorn.log").read_text("utf-8")
    result["failures"] = failed_checks(result, log_text)
    OUT.mkdir(parents=True, exist_ok=True)
    result["server"], result["slow_clients"] = args.server, 2 * args.slow_clients
    (OUT / f"soak-{args.server}.json").write_text(
        json.dumps(result, indent=2) + "\n", "utf-8"
    )
    print(json.dumps(result, indent=2))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
