"""Browser fixtures: the real bot and a clinic's host page on two origins, and Chromium.

The bot (`create_app` on the bundled corpus) and a host page that embeds its widget run
in threads on 127.0.0.1 with different ports, so the widget is tested cross-origin, as a
clinic uses it. The host page has a strict Content-Security-Policy and hostile CSS.
Chromium is Debian's (/usr/bin/chromium, installed by scripts/install-system-packages.sh), driven by
Playwright for Python; Playwright's own browser download is never used.
"""

from __future__ import annotations

import html
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bot.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent / "screenshots"
HOST_PAGE = Template((HERE / "host_page.html").read_text("utf-8"))
HOST_CSS = (HERE / "host.css").read_bytes()
DESKTOP = {"width": 1280, "height": 800}
EMERGENCY_NUMBER = "112"
CARE_LINE = "020 7946 0000"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives the widget in a real Chromium (deselect: -m 'not browser')",
    )


@dataclass
class Server:
    """A WSGI app served on 127.0.0.1 in a thread."""

    origin: str
    stop: Callable[[], None]


def serve(wsgi_app) -> Server:
    """Serve a WSGI app on a free port of 127.0.0.1 until `stop()`."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return Server(f"http://127.0.0.1:{server.server_port}", stop)


def closed_port_origin() -> str:
    """An origin on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def start_bot(index_dir: Path, rate_limit: str, allowed_origin: str) -> Server:
    from bot.web.app import create_app

    settings = Settings(
        corpus_dir=HERE.parent / "corpus",
        index_dir=index_dir,
        allowed_origins=(allowed_origin,),
        rate_limit=rate_limit,
        # Not the defaults: the widget must show the server's numbers, not its own.
        emergency_number=EMERGENCY_NUMBER,
        care_line=CARE_LINE,
    )
    return serve(create_app(settings))


class HostSite:
    """A clinic's own site on another origin: pages embedding the widget, strict CSP.

    Query parameters of a page choose the embed: `api_base` (data-api-base, also allowed
    by connect-src) and `twice` (the script tag pasted twice).
    """

    def __init__(self):
        self.bot_origin = ""  # set once the bot runs

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/host.css":
            response = Response(HOST_CSS, content_type="text/css; charset=utf-8")
        elif request.path in ("/", "/other"):
            response = self.page(request)
        else:
            response = Response("not found", status=404, content_type="text/plain")
        return response(environ, start_response)

    def page(self, request: Request) -> Response:
        api_base = request.args.get("api_base", "")
        attributes = (
            'data-title="Lakeside assistant" data-accent="#7a1f5c" data-position="left"'
        )
        if api_base:
            attributes += f' data-api-base="{html.escape(api_base)}"'
        tag = f'<script src="{self.bot_origin}/widget.js" defer {attributes}></script>'
        scripts = tag * (2 if request.args.get("twice") else 1)
        title = "Other page" if request.path == "/other" else "Welcome"
        body = HOST_PAGE.substitute(title=title, scripts=scripts)
        response = Response(body, content_type="text/html; charset=utf-8")
        # A CSP source must name the bot's origin exactly, port included.
        connect = f"{self.bot_origin} {api_base}" if api_base else self.bot_origin
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self' {self.bot_origin}; "
            f"connect-src {connect}; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
        return response


@dataclass
class Sites:
    """Where everything runs: the bot, a rate-limited bot, the clinic's host site."""

    bot: str
    limited_bot: str
    host: str
    down: str = field(default_factory=closed_port_origin)


@pytest.fixture(scope="session")
def sites(index_dir) -> Iterator[Sites]:
    host_app = HostSite()
    host = serve(host_app)
    bot = start_bot(index_dir, "off", host.origin)
    limited = start_bot(index_dir, "2/minute", host.origin)
    host_app.bot_origin = bot.origin
    yield Sites(bot=bot.origin, limited_bot=limited.origin, host=host.origin)
    for server in (host, bot, limited):
        server.stop()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright; a skip (on CI, a failure) when missing."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (run `make install-test` as root)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            problem = "playwright is not installed (run `make install-test`)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run on CI: {problem}")
        pytest.skip(problem)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class Watched:
    """A page and what it logged: console and uncaught errors, requests."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")


# Runs before any page script: records every CSP violation of the page.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  const blocked = event.blockedURI || 'inline';
  window.__cspViolations.push(event.violatedDirective + ' ' + blocked);
}, true);
"""


@pytest.fixture
def open_page(chromium):
    """Open a URL in a fresh browser context (own storage and cookies), watched."""
    contexts = []

    def open_(url: str, **context_options) -> Watched:
        options = {"viewport": DESKTOP, **context_options}
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)
        page.add_init_script(CSP_PROBE)
        page.on(
            "console",
            lambda message: (
                message.type == "error" and watched.console_errors.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: watched.console_errors.append(str(error)))
        page.on("request", lambda request: watched.requests.append(request.url))
        page.goto(url)
        return watched

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """tests/screenshots/ (gitignored): pictures of the widget for a person."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
