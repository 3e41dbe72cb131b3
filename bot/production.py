"""`faqbot production`: nginx in front of gunicorn, started and stopped as one service.

Gunicorn's sync workers serve one connection each, from the request's first byte to
the reply's last, so a few clients that send slowly tie up every worker and nobody is
answered. nginx (Debian's package, `bot/data/nginx.conf`) holds thousands of
connections at once, reads each request whole and then passes it to gunicorn over a
Unix socket, so a worker only ever sees complete requests. Both run in the foreground
under this process: SIGTERM or Ctrl+C stops nginx (requests in flight finish), then
gunicorn (gracefully), and if either exits on its own the other is stopped too.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings

NGINX_TEMPLATE = Path(__file__).parent / "data" / "nginx.conf"
STOP_SECONDS = 40  # gunicorn's graceful_timeout (30 s) and a margin
POLL_SECONDS = 0.2


class ProductionError(Exception):
    """Why the production setup could not start, in words for the operator."""


@dataclass(frozen=True)
class Plan:
    """What `faqbot production` starts: where it listens and how many workers."""

    host: str
    port: int
    workers: int | None  # None: gunicorn_config's choice (one per core, plus one)


def nginx_binary() -> str:
    """The nginx to run; ProductionError saying how to install it when there is none."""
    found = shutil.which("nginx") or next(
        (
            p
            for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
            if os.access(p, os.X_OK)
        ),
        None,
    )
    if not found:
        raise ProductionError(
            "nginx is not installed: `sudo apt-get install nginx` "
            "(or `bash scripts/install-system-packages.sh`)"
        )
    return found


def nginx_config(
    plan: Plan, run_dir: Path, socket_path: Path, settings: Settings
) -> str:
    """The nginx configuration for this run, from the template."""
    listen = (
        f"[{plan.host}]:{plan.port}" if ":" in plan.host else f"{plan.host}:{plan.port}"
    )
    # As root, nginx's workers drop to an unprivileged account; otherwise they stay the
    # user who started it (nginx ignores the directive then).
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    fields = {
        "user": user,
        "run": str(run_dir),
        "socket": str(socket_path),
        "listen": listen,
        "body_limit": str(2 * settings.max_body_bytes),
        "bot_body_limit": str(settings.max_body_bytes),
    }
    text = NGINX_TEMPLATE.read_text("utf-8")
    for name, value in fields.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def gunicorn_command(plan: Plan, socket_path: Path) -> list[str]:
    """gunicorn with the bot's settings, bound to the Unix socket nginx passes to."""
    command = [sys.executable, "-m", "gunicorn", "-c", "python:bot.gunicorn_config"]
    command += ["--bind", f"unix:{socket_path}"]
    if plan.workers:
        command += ["--workers", str(plan.workers)]
    return [*command, "bot.web:create_app()"]


def gunicorn_environment(settings: Settings) -> dict[str, str]:
    """The environment for gunicorn: nginx is one more proxy in front of the bot.

    nginx appends the address it sees to X-Forwarded-For, so the bot trusts one hop
    more than FAQBOT_TRUSTED_PROXIES says are in front of nginx; the rate limit then
    counts the real client, and a client's own X-Forwarded-For is never believed.
    """
    return os.environ | {"FAQBOT_TRUSTED_PROXIES": str(settings.trusted_proxies + 1)}


def run(plan: Plan, settings: Settings, say=print) -> int:
    """Start gunicorn, then nginx; supervise both until a signal or an exit. The exit
    status: 0 after a requested stop, 1 when a process ended on its own."""
    nginx = nginx_binary()
    _check_port_free(plan)
    run_dir = Path(tempfile.mkdtemp(prefix="faqbot-production-"))
    if os.geteuid() == 0:
        run_dir.chmod(0o711)  # nginx's unprivileged workers reach the socket through it
    socket_path = run_dir / "gunicorn.sock"
    config = run_dir / "nginx.conf"
    config.write_text(nginx_config(plan, run_dir, socket_path, settings), "utf-8")
    stop = _StopRequest()
    processes: dict[str, subprocess.Popen] = {}
    try:
        processes["gunicorn"] = subprocess.Popen(
            gunicorn_command(plan, socket_path), env=gunicorn_environment(settings)
        )
        _wait_for_socket(socket_path, processes["gunicorn"], stop)
        if stop.requested:
            return 0
        processes["nginx"] = subprocess.Popen(
            [nginx, "-p", str(run_dir), "-c", str(config), "-e", "stderr"]
        )
        _wait_for_nginx(run_dir / "nginx.pid", processes["nginx"], stop)
        if not stop.requested:
            say(
                f"Clinic FAQ bot (production): http://{_shown(plan.host)}:{plan.port}/ "
                f"(nginx in front of gunicorn; {os.getpid()} stops both on SIGTERM)",
            )
        return _supervise(processes, stop, say)
    finally:
        _stop_all(processes)
        stop.restore()
        shutil.rmtree(run_dir, ignore_errors=True)


class _StopRequest:
    """SIGTERM, SIGINT and SIGHUP noted (not raised), so start-up and supervision can
    finish their step and then stop everything in order."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self):
        self.requested = False
        self._previous = {s: signal.signal(s, self._note) for s in self.SIGNALS}

    def _note(self, signum, frame) -> None:
        self.requested = True

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def _wait_for_socket(
    path: Path, gunicorn: subprocess.Popen, stop: _StopRequest
) -> None:
    """Until gunicorn accepts on its socket (it may build the index first)."""
    while not stop.requested:
        if gunicorn.poll() is not None:
            raise ProductionError(
                f"gunicorn stopped during start-up (exit status {gunicorn.returncode}); "
                "its log above says why"
            )
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.connect(str(path))
            return
        except OSError:
            time.sleep(POLL_SECONDS)


def _check_port_free(plan: Plan) -> None:
    """ProductionError when another program listens on the address (before starting)."""
    family = socket.AF_INET6 if ":" in plan.host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does
        try:
            probe.bind((plan.host.strip("[]"), plan.port))
        except OSError as error:
            raise ProductionError(
                f"cannot listen on {_shown(plan.host)}:{plan.port}: "
                f"{error.strerror or error} (is port {plan.port} in use?)"
            ) from None


def _wait_for_nginx(
    pid_file: Path, nginx: subprocess.Popen, stop: _StopRequest
) -> None:
    """Until nginx listens (it writes its pid file once its sockets are open)."""
    while not stop.requested and not pid_file.exists():
        if nginx.poll() is not None:
            raise ProductionError(
                f"nginx could not start (exit status {nginx.returncode}); "
                "its message above says why"
            )
        time.sleep(POLL_SECONDS)


def _supervise(processes: dict[str, subprocess.Popen], stop: _StopRequest, say) -> int:
    while not stop.requested:
        for name, process in processes.items():
            if process.poll() is not None:
                say(f"{name} exited (status {process.returncode}); stopping the rest")
                return 1
        time.sleep(POLL_SECONDS)
    return 0


def _stop_all(processes: dict[str, subprocess.Popen]) -> None:
    """nginx first (it finishes what it is passing on), then gunicorn (its workers finish
    their requests); whatever outlives STOP_SECONDS is killed."""
    graceful = {"nginx": signal.SIGQUIT, "gunicorn": signal.SIGTERM}
    for name in ("nginx", "gunicorn"):
        process = processes.get(name)
        if process is None or process.poll() is not None:
            continue
        process.send_signal(graceful[name])
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
