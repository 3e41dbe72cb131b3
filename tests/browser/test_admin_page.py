"""The clinic's Insights pages in a real browser, under the bot's strict CSP.

`admin_site` serves the pages from a small Flask app made here, with hand-built
summaries: 30 days of replies by default, none at all for `?days=7`. It stands in for
the real /admin routes; switching means only changing that one fixture.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask, Response, redirect, request

from bot.insights.admin_page import STYLESHEET_PATH, admin_page, login_page
from bot.insights.charts import KIND_COLOURS, VOTE_COLOURS
from bot.insights.records import KINDS, DayCounts, PassageVotes, Summary, TopicCount
from bot.insights.report import TABLES, summary_csv
from tests.browser.conftest import serve

pytestmark = pytest.mark.browser

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
TOKEN = "correct horse battery staple"
WRONG_TOKEN = "That token is not right. Check it and try again."
LABELS = {
    "folfox-1": "What is FOLFOX? — Overview",
    "small-intestine-4": "Recurrent small intestine cancer — Chemotherapy",
    "parking-1": "Coming to the clinic — Where to park",
}


def summary_of(days: int, replies: bool = True) -> Summary:
    """A summary ending on 30 May 2026; with `replies`, a few of every kind each day."""
    first = date(2026, 5, 31) - timedelta(days=days)
    per_day = []
    for i in range(days):
        counts = dict.fromkeys(KINDS, 0)
        if replies and i % 9:  # every ninth day is quiet: a gap in the charts
            counts.update(answer=3 + 7 * i % 11, clarify=i % 3, no_answer=5 * i % 4)
            counts.update(smalltalk=i % 2, urgent=int(i % 6 == 1))
        per_day.append(DayCounts(first + timedelta(days=i), counts))
    if not replies:
        return Summary(days, first, per_day[-1].day, tuple(per_day), (), (), ())
    emergencies = (("chest_pain", 6), ("breathing", 4), ("fever_after_chemo", 3))
    topics = (TopicCount("parking", 9), TopicCount("wifi", 5), TopicCount("wig", 3))
    passages = tuple(
        PassageVotes(passage, passage.split("-")[0], 20 - 3 * n, 5 - n, n)
        for n, passage in enumerate([*LABELS, "unlabelled-2"])
    )
    return Summary(
        days, first, per_day[-1].day, tuple(per_day), emergencies, topics, passages
    )


def summary_for(days: int) -> Summary:
    return summary_of(days, replies=days != 7)


def insights_app() -> Flask:
    """/admin and its sign-in as the bot serves them, in a few lines."""
    app = Flask(__name__)

    @app.after_request
    def strict_csp(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        return response

    @app.get("/admin")
    def admin():
        if request.cookies.get("faqbot_admin") != TOKEN:
            return redirect("/admin/login")
        return admin_page(summary_for(request.args.get("days", 30, int)), LABELS)

    @app.route("/admin/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return login_page()
        if request.form.get("token") != TOKEN:
            return login_page(WRONG_TOKEN), 401
        response = redirect("/admin", 303)
        response.set_cookie(
            "faqbot_admin", TOKEN, httponly=True, samesite="Strict", path="/admin"
        )
        return response

    @app.post("/admin/logout")
    def logout():
        response = redirect("/admin/login", 303)
        response.delete_cookie("faqbot_admin", path="/admin")
        return response

    @app.get("/admin/admin.css")
    def stylesheet():
        css = STYLESHEET_PATH.read_text("utf-8")
        return Response(css, content_type="text/css; charset=utf-8")

    @app.get("/admin/<table>.csv")
    def csv(table: str):
        if table not in TABLES:
            return "not found", 404
        body = summary_csv(summary_for(request.args.get("days", 30, int)), table)
        return Response(body, content_type="text/csv; charset=utf-8")

    return app


@pytest.fixture(scope="session")
def admin_site():
    """The origin serving /admin (swap in the real bot here)."""
    server = serve(insights_app())
    yield server.origin
    server.stop()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in(open_page, origin: str, path: str = "/admin", **context_options):
    """Sign in through the form; the watched page then shows `path`."""
    watched = open_page(origin + "/admin/login", **context_options)
    watched.page.get_by_label("Admin token").fill(TOKEN)
    watched.page.get_by_role("button", name="Sign in").click()
    watched.page.wait_for_url(origin + "/admin")
    if path != "/admin":
        watched.page.goto(origin + path)
    return watched


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in Axe().run(page).response["violations"]
    ]


# Runs in the page (not subject to its CSP): the colours each chart image painted.
PAINTED_COLOURS = """
(img) => {
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set();
  const hex = (n) => n.toString(16).padStart(2, '0');
  for (let i = 0; i < pixels.length; i += 4) {
    seen.add('#' + hex(pixels[i]) + hex(pixels[i + 1]) + hex(pixels[i + 2]));
  }
  return [...seen];
}
"""


def test_charts_draw_in_their_colours_with_no_csp_violation(
    open_page, admin_site, screenshots
):
    watched = sign_in(open_page, admin_site)
    page = watched.page
    images = page.locator("figure img")
    expect(images).to_have_count(5)
    for n in range(5):
        assert images.nth(n).evaluate("img => img.complete && img.naturalWidth") > 0
    per_day = {c.upper() for c in images.nth(0).evaluate(PAINTED_COLOURS)}
    assert set(KIND_COLOURS.values()) <= per_day, "a kind's colour is missing"
    passages = {c.upper() for c in images.nth(4).evaluate(PAINTED_COLOURS)}
    assert set(VOTE_COLOURS) <= passages
    page.screenshot(path=screenshots / "admin.png", full_page=True)
    assert watched.csp_violations() == [] and watched.console_errors == []
    assert all(url.startswith((admin_site, "data:")) for url in watched.requests)


def test_every_chart_has_words_a_heading_and_its_csv(open_page, admin_site):
    page = sign_in(open_page, admin_site).page
    expect(page.get_by_role("heading", level=2)).to_have_count(5)
    alts = page.locator("figure img").evaluate_all("imgs => imgs.map(i => i.alt)")
    assert alts[2] == (
        "Bars of emergencies by category, in replies: "
        "chest_pain 6; breathing 4; fever_after_chemo 3."
    )
    assert "What is FOLFOX? — Overview: shown 20, 5 helpful, 0 not helpful" in alts[4]
    links = page.get_by_role("link", name=re.compile(r"Download the numbers"))
    expect(links).to_have_count(5)
    for n, table in enumerate(["per_day", "per_day", "emergencies", "topics"]):
        href = links.nth(n).get_attribute("href")
        assert href == f"/admin/{table}.csv?days=30"
    response = page.request.get(admin_site + links.nth(3).get_attribute("href"))
    assert response.text().splitlines()[:2] == ["topic,conversations", "parking,9"]


def test_days_are_chosen_with_plain_links(open_page, admin_site):
    page = sign_in(open_page, admin_site).page
    current = page.locator('nav a[aria-current="page"]')
    expect(current).to_have_text("30 days")
    page.get_by_role("link", name="90 days").click()
    expect(page).to_have_url(admin_site + "/admin?days=90")
    expect(page.locator(".period")).to_contain_text("Last 90 days")


def test_nothing_recorded_yet_is_said_not_drawn(open_page, admin_site, screenshots):
    watched = sign_in(open_page, admin_site, "/admin?days=7")
    page = watched.page
    expect(page.locator("figure")).to_have_count(0)
    expect(page.locator(".empty")).to_have_count(5)
    expect(page.locator(".empty").first).to_have_text(
        "Nothing recorded yet: no questions in these days."
    )
    page.screenshot(path=screenshots / "admin-empty.png", full_page=True)
    assert watched.csp_violations() == [] and watched.console_errors == []
    assert axe_violations(page) == []


def test_admin_page_passes_axe_with_its_numbers_open(open_page, admin_site):
    page = sign_in(open_page, admin_site).page
    for summary in page.locator("summary").all():
        summary.click()
    assert axe_violations(page) == []


def test_phone_gets_one_column_without_sideways_scrolling(
    open_page, admin_site, screenshots
):
    phone = {"width": 390, "height": 844}
    options = {"viewport": phone, "is_mobile": True, "has_touch": True}
    page = sign_in(open_page, admin_site, **options).page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    chart = page.locator("figure img").first
    narrow = page.locator("figure source").first.get_attribute("srcset")
    assert chart.evaluate("img => img.currentSrc") == narrow, "not the phone drawing"
    assert chart.bounding_box()["width"] <= 390
    page.screenshot(path=screenshots / "admin-phone.png", full_page=True)


def test_sign_in_form_passes_axe_with_and_without_its_error(
    open_page, admin_site, screenshots
):
    watched = open_page(admin_site + "/admin/login")
    assert axe_violations(watched.page) == []
    watched.page.get_by_label("Admin token").fill("guess")
    watched.page.get_by_role("button", name="Sign in").click()
    alert = watched.page.get_by_role("alert")
    expect(alert).to_have_text(WRONG_TOKEN)
    expect(watched.page.get_by_label("Admin token")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert axe_violations(watched.page) == []
    assert watched.csp_violations() == []
    watched.page.screenshot(path=screenshots / "admin-sign-in.png")


def test_keyboard_alone_signs_in_and_out(open_page, admin_site, screenshots):
    watched = open_page(admin_site + "/admin")  # not signed in: sent to the form
    page = watched.page
    expect(page).to_have_url(admin_site + "/admin/login")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Admin token")).to_be_focused()
    page.keyboard.type(TOKEN)
    page.keyboard.press("Enter")
    expect(page).to_have_url(admin_site + "/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Sign out":
            break
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_focused()
    outline = sign_out.evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline == "solid", "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    expect(page).to_have_url(admin_site + "/admin/login")
    page.goto(admin_site + "/admin")
    expect(page).to_have_url(admin_site + "/admin/login")
