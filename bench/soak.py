"""Soak test: gunicorn with gunicorn.conf.py under wrk, with an index rebuild midway.

64 connections for 60 s of POST /api/chat (a Lua script rotates a few questions)
against gunicorn on 127.0.0.1, the rate limit off. Halfway through, a document is added
to a copy of the corpus and `faqbot index` rebuilds the served FAQBOT_INDEX. It passes
when no request fails (no 5xx, no socket error), every worker serves the new index
afterwards, the workers' memory grew by at most 10%, and no question reached the logs.
Needs Debian's `wrk`. Bounded: wrk stops at --duration, everything else has a timeout.

    .venv/bin/python bench/soak.py [--duration 60] [--connections 64]

Prints the figures and writes them to bench/out/soak.json; exits 1 when a check fails.
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


def worker_memory(master: int) -> dict[int, dict[str, int]]:
    """RSS and PSS (shared pages split between sharers) of each worker, in KiB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    memory = {}
    for pid in map(int, children):
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
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
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
            documents_before = get_json(f"{base}/api/health")["documents"]
            run_wrk(f"{base}/api/chat", script, 5, args.connections)  # warm-up
            memory_before = worker_memory(server.pid)
            rebuild: dict = {}
            rebuilder = threading.Thread(
                target=rebuild_midway, args=(corpus, index, args.duration / 2, rebuild)
            )
            rebuilder.start()
            load = run_wrk(f"{base}/api/chat", script, args.duration, args.connections)
            rebuilder.join()
            memory_after = worker_memory(server.pid)
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
    if result["status_5xx"] or set(result["statuses"]) - {200}:
        failures.append(f"statuses other than 200: {result['statuses']}")
    if any(result["socket_errors"].values()):
        failures.append(f"socket errors: {result['socket_errors']}")
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
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="faqbot-soak-") as folder:
        work = Path(folder)
        result = soak(args, work)
        log_text = (work / "gunicorn.log").read_text("utf-8")
    result["failures"] = failed_checks(result, log_text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "soak.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
