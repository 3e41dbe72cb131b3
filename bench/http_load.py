"""HTTP load: /api/chat under gunicorn against a trivial Flask JSON endpoint, with wrk.

Starts `gunicorn "bot.web:create_app()"` twice (gunicorn.conf.py, FAQBOT_RATE_LIMIT=off,
a fresh index of the bundled corpus), once with FAQBOT_INSIGHTS=on and once with
FAQBOT_INSIGHTS=off, each in a temporary folder of its own (index/ and, beside it, the
instance/ folder where Insights' SQLite file is written), then a trivial Flask app under
the same settings, each on 127.0.0.1 only, and runs wrk against them in turn, several
rounds (the machine's speed drifts: each round's ratio compares runs seconds apart): 32
connections, POST bodies cycling through the seed questions. Prints each endpoint's
median requests/s, p50/p99 latency, server CPU per request (gunicorn's processes, from
/proc), total errors, the median of the rounds' ratios, what Insights cost (on / off,
same rounds; the target is at most 10% more), and, once the servers stopped, the reply
rows each SQLite file got.
Needs wrk (Debian: `apt-get install wrk`). Run: `.venv/bin/python bench/http_load.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "eval" / "seed_questions.jsonl"
OUT_OF_SCOPE = ROOT.parent / "shared" / "eval" / "out_of_scope.jsonl"
OUT = ROOT / "bench" / "out" / "http"
START_TIMEOUT_S = 60
FALLBACK_QUESTIONS = ["What is FOLFOX?", "Is Herceptin used for stomach cancer?"]
INSIGHTS_TARGET = 0.10  # insights on may cost at most 10% more than off
INSIGHTS_FILE = Path("instance") / "insights.sqlite3"  # in a bot's folder (config.py)


def trivial_app():
    """A Flask app whose /api/chat parses the JSON body and answers a fixed JSON reply."""
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.post("/api/chat")
    def chat():
        body = request.get_json()
        return jsonify({"kind": "answer", "reply": str(body.get("message", ""))[:20]})

    return app


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk_script(folder: Path, out_of_scope: bool = False) -> Path:
    """A wrk Lua script that POSTs the seed questions in turn (and the out-of-scope
    messages after them: no_answer replies, whose topic terms Insights keep)."""
    if SEEDS.exists():
        lines = SEEDS.read_text("utf-8").splitlines()
        asked = [json.loads(line)["question"] for line in lines if line.strip()]
    else:
        asked = FALLBACK_QUESTIONS
    if out_of_scope and OUT_OF_SCOPE.exists():
        lines = OUT_OF_SCOPE.read_text("utf-8").splitlines()
        asked += [json.loads(line)["message"] for line in lines if line.strip()]
    bodies = ", ".join(json.dumps(json.dumps({"message": q})) for q in asked)
    script = folder / "chat.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"local bodies = {{{bodies}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n % #bodies + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[n])\n"
        "end\n",
        "utf-8",
    )
    return script


def start_gunicorn(app: str, port: int, environment: dict, log: Path, root: Path):
    """gunicorn with the checkout's gunicorn.conf.py, bound to 127.0.0.1:port."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        str(root / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        app,
    ]
    handle = log.open("w")
    return subprocess.Popen(
        command, cwd=root, env=environment, stdout=handle, stderr=handle
    )


def wait_until_up(port: int, server) -> None:
    """Return once the server answers a chat request; SystemExit after the timeout."""
    deadline = time.monotonic() + START_TIMEOUT_S
    body = json.dumps({"message": "hello"}).encode()
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/chat",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer on 127.0.0.1:{port} after {START_TIMEOUT_S}s")


def stop(server) -> None:
    """SIGTERM, then SIGKILL if gunicorn has not stopped within 15 s."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_wrk(port: int, script: Path, args) -> dict:
    """wrk's figures for one endpoint."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.seconds}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/api/chat",
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=args.seconds + 60, check=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    """Requests/s, p50 and p99 in ms, and errors (socket errors + non-2xx) from wrk."""
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(percent: str) -> float:
        value, unit = re.search(
            rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)", output, re.M
        ).groups()
        return float(value) * units[unit]

    errors = sum(
        int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def serve(app: str, environment: dict, name: str, root: Path = ROOT):
    """Start the app under gunicorn and wait until it answers: (server, port)."""
    port = free_port()
    server = start_gunicorn(app, port, environment, OUT / f"{name}.log", root)
    try:
        wait_until_up(port, server)
    except BaseException:
        stop(server)
        raise
    return server, port


def server_cpu_seconds(server) -> float:
    """CPU time (user + system) used so far by a gunicorn master and its live workers.

    Requests/s also counts time spent waiting on wrk and on other processes; the CPU
    each request costs the server shows more directly what a change saved.
    """
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:  # the process ended meanwhile
            continue
        fields = rest.rsplit(")", 1)[1].split()  # fields from the 3rd on
        if int(pid) == server.pid or int(fields[1]) == server.pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def loaded_round(server, port: int, script: Path, args) -> dict:
    """One wrk run, with the server's CPU milliseconds per request."""
    cpu_before = server_cpu_seconds(server)
    result = run_wrk(port, script, args)
    cpu = server_cpu_seconds(server) - cpu_before
    result["cpu_ms"] = 1000 * cpu / max(1, result["requests"])
    return result


def round_order(names: list[str], round_number: int) -> list[str]:
    """The endpoints in the order of one round; the first two (insights on and off)
    always one after the other, so that their ratio compares runs seconds apart.

    Each round starts with another endpoint (or the pair): the first one run after a
    pause measured up to 15% slower, a bias no endpoint should carry. Within the pair,
    which goes first alternates too."""
    pair, others = names[:2], names[2:]
    if (round_number // (len(others) + 1)) % 2:
        pair.reverse()
    units = [pair, *([name] for name in others)]
    shift = round_number % len(units)
    return [name for unit in units[shift:] + units[:shift] for name in unit]


def median_row(runs: list[dict]) -> dict:
    """An endpoint's median figures over the rounds; errors summed."""
    row = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    row["requests"] = sum(r["requests"] for r in runs)
    row["errors"] = sum(r["errors"] for r in runs)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="each run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the bot (say `git worktree add /tmp/base main`), "
        "served beside under the same settings: a change against it in the same rounds",
    )
    parser.add_argument(
        "--out-of-scope",
        action="store_true",
        help="also POST the shared out-of-scope messages (mostly no_answer replies)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    sys.path.insert(0, str(ROOT))
    from bot.index import build_index

    OUT.mkdir(parents=True, exist_ok=True)
    # A folder per server: the bot keeps its instance/ folder (context key, Insights'
    # SQLite file) beside its index, so each server writes a database of its own.
    folders = {
        who: Path(tempfile.mkdtemp(prefix=f"{who}-", dir=OUT))
        for who in ("insights-on", "insights-off", "baseline")
    }
    try:
        for who in ("insights-on", "insights-off"):
            build_index(ROOT / "corpus", folders[who] / "index")
        (folders["baseline"] / "index").mkdir()
        environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "FAQBOT_RATE_LIMIT": "off",
            "FAQBOT_CORPUS": str(ROOT / "corpus"),
            "FAQBOT_INDEX": str(folders["insights-on"] / "index"),
            "FAQBOT_INSIGHTS": "on",
        }
        environment.pop("FAQBOT_DATABASE_URL", None)  # SQLite in the instance folder
        insights_off = {
            **environment,
            "FAQBOT_INDEX": str(folders["insights-off"] / "index"),
            "FAQBOT_INSIGHTS": "off",
        }
        script = wrk_script(OUT, args.out_of_scope)
        # name: (app, checkout, environment, log name); insights on and off first: a
        # round runs them one after the other (round_order)
        apps = {
            "bot /api/chat": ("bot.web:create_app()", ROOT, environment, "bot"),
            "bot /api/chat, insights off": (
                "bot.web:create_app()",
                ROOT,
                insights_off,
                "bot-insights-off",
            ),
            "trivial Flask": (
                "bench.http_load:trivial_app()",
                ROOT,
                environment,
                "trivial",
            ),
        }
        if args.baseline:
            apps["baseline /api/chat"] = baseline_app(
                args.baseline, environment, folders["baseline"] / "index"
            )
        servers = {}
        try:
            for name, (app, root, settings, log_name) in apps.items():
                servers[name] = serve(app, settings, log_name, root)
            runs = {name: [] for name in apps}
            for round_number in range(args.rounds):
                for name in round_order(list(servers), round_number):
                    server, port = servers[name]
                    runs[name].append(loaded_round(server, port, script, args))
        finally:
            for server, _ in servers.values():
                stop(server)  # a worker stores its last batch as it exits
        recorded = {
            who: reply_rows(folders[who] / INSIGHTS_FILE)
            for who in ("insights-on", "insights-off")
        }
    finally:
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)
    rows = {name: median_row(results) for name, results in runs.items()}
    print(
        f"wrk: {args.connections} connections, {args.rounds} rounds of "
        f"{args.seconds} s per endpoint, 127.0.0.1; medians over the rounds"
    )
    print(
        "| endpoint | requests/s | p50 ms | p99 ms | server CPU ms/request "
        "| requests | errors |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
            f"| {r['cpu_ms']:.2f} | {r['requests']} | {r['errors']} |"
        )
    for name in [name for name in runs if name != "trivial Flask"]:
        who = apps[name][3]
        ratios = [
            bot["rps"] / trivial["rps"]
            for bot, trivial in zip(runs[name], runs["trivial Flask"], strict=True)
        ]
        rounds = ", ".join(f"{ratio:.0%}" for ratio in ratios)
        print(
            f"{who} / trivial requests/s: {statistics.median(ratios):.0%} "
            f"(rounds: {rounds})"
        )
        cpu = rows["trivial Flask"]["cpu_ms"] / rows[name]["cpu_ms"]
        print(f"trivial / {who} server CPU per request: {cpu:.0%}")
    if args.baseline:
        cpu = rows["bot /api/chat"]["cpu_ms"] / rows["baseline /api/chat"]["cpu_ms"]
        print(f"bot / baseline server CPU per request: {cpu:.1%}")
    print_insights_cost(runs["bot /api/chat"], runs["bot /api/chat, insights off"])
    served = {
        "insights-on": rows["bot /api/chat"]["requests"],
        "insights-off": rows["bot /api/chat, insights off"]["requests"],
    }
    for who, count in recorded.items():
        found = "no database file" if count is None else f"{count} reply rows"
        print(
            f"{who}: {found} in instance/insights.sqlite3 for the {served[who]} "
            "chat requests wrk counted (plus warm-up and requests cut off at the end)"
        )


def print_insights_cost(on: list[dict], off: list[dict]) -> None:
    """Insights on against off, round by round: what recording costs, and the target.

    Costs are "how much more on takes": time per request (off's requests/s over on's),
    latency and CPU per request (on's over off's), each the median of the rounds'."""

    def cost(key: str, inverse: bool = False) -> tuple[float, str]:
        ratios = [
            (b[key] / a[key]) if inverse else (a[key] / b[key])
            for a, b in zip(on, off, strict=True)
        ]
        rounds = ", ".join(f"{ratio - 1:+.1%}" for ratio in ratios)
        return statistics.median(ratios) - 1, rounds

    rps = [a["rps"] / b["rps"] for a, b in zip(on, off, strict=True)]
    print(
        f"insights on / off requests/s: {statistics.median(rps):.1%} "
        f"(rounds: {', '.join(f'{ratio:.1%}' for ratio in rps)})"
    )
    costs = {
        "time per request (1 / requests/s)": cost("rps", inverse=True),
        "p50 latency": cost("p50_ms"),
        "p99 latency": cost("p99_ms"),
        "server CPU per request": cost("cpu_ms"),
    }
    for what, (value, rounds) in costs.items():
        print(f"insights cost, {what}: {value:+.1%} (rounds: {rounds})")
    time_cost = costs["time per request (1 / requests/s)"][0]
    verdict = "within" if time_cost <= INSIGHTS_TARGET else "OVER"
    print(
        f"insights target (on costs at most {INSIGHTS_TARGET:.0%} more time per "
        f"request than off, medians): {verdict}"
    )


def reply_rows(database: Path) -> int | None:
    """Rows of insights_replies in a bot's SQLite file; None when there is no file."""
    if not database.exists():
        return None
    connection = sqlite3.connect(database)
    try:
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        if "insights_replies" not in tables:
            return 0
        return connection.execute("SELECT count(*) FROM insights_replies").fetchone()[0]
    finally:
        connection.close()


def baseline_app(
    checkout: Path, environment: dict, index_dir: Path
) -> tuple[str, Path, dict, str]:
    """The bot of another checkout, with its own corpus, and an index (in the empty
    `index_dir`) that its own code builds when it starts: its pipeline may differ."""
    checkout = checkout.resolve()
    web = checkout / "bot" / "web"
    if not (web.with_suffix(".py").exists() or (web / "__init__.py").exists()):
        raise SystemExit(f"{checkout} is not a checkout of the bot")
    return (
        "bot.web:create_app()",
        checkout,
        {
            **environment,
            "PYTHONPATH": str(checkout),
            "FAQBOT_CORPUS": str(checkout / "corpus"),
            "FAQBOT_INDEX": str(index_dir),
        },
        "baseline",
    )


if __name__ == "__main__":
    main()
