"""The real /admin of a running bot, with Insights recorded: what a clinic sees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.config import Settings
from bot.insights import FeedbackEvent, ReplyEvent, open_store
from tests.browser.conftest import serve
from tests.browser.test_admin_page import axe_violations, expect
from tests.conftest import CORPUS

pytestmark = pytest.mark.browser

TOKEN = "clinic-admin-token-for-the-browser"
KINDS_BY_DAY = ("answer",) * 6 + ("no_answer",) * 2 + ("clarify", "smalltalk")


@pytest.fixture(scope="module")
def real_admin(tmp_path_factory, index_dir):
    """A bot with /admin on, and three weeks of Insights in its SQLite database."""
    from bot.web.app import create_app

    folder = tmp_path_factory.mktemp("admin")
    url = f"sqlite:///{folder / 'insights.sqlite3'}"
    store = open_store(url)
    passages = ["000_aadc4980c00b5d17#3", "000_aadc4980c00b5d17#5"]
    events = []
    for back in range(21):
        day = date.today() - timedelta(days=back)
        for n, kind in enumerate(KINDS_BY_DAY[: 4 + back % 7]):
            conversation = f"c{back}-{n}"
            shown = tuple(passages[: 1 + n % 2]) if kind == "answer" else ()
            events.append(
                ReplyEvent(
                    day,
                    conversation,
                    kind,
                    None,
                    tuple(p.split("#")[0] for p in shown),
                    shown,
                    ("parking",) if kind == "no_answer" else (),
                )
            )
            if kind == "answer" and n % 3 == 0:
                events.append(FeedbackEvent(day, conversation, shown[0], n % 2 == 0))
        if back % 5 == 0:
            events.append(ReplyEvent(day, f"u{back}", "urgent", "chest_pain", (), ()))
    store.write(events)
    store.close()
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=index_dir,
        rate_limit="off",
        database_url=url,
        admin_token=TOKEN,
    )
    server = serve(create_app(settings))
    yield server.origin
    server.stop()


def test_the_clinic_signs_in_by_keyboard_and_sees_its_charts(
    open_page, real_admin, screenshots
):
    watched = open_page(real_admin + "/admin")
    page = watched.page
    page.keyboard.press("Tab")
    expect(page.get_by_label("Admin token")).to_be_focused()
    page.keyboard.type(TOKEN)
    page.keyboard.press("Enter")
    page.wait_for_url(real_admin + "/admin")
    images = page.locator("figure img")
    expect(images).to_have_count(5)
    for n in range(5):
        assert images.nth(n).evaluate("img => img.complete && img.naturalWidth") > 0
    assert "chest_pain" in images.nth(2).get_attribute("alt")
    assert "parking" in images.nth(3).get_attribute("alt")
    page.screenshot(path=screenshots / "admin-real.png", full_page=True)
    assert axe_violations(page) == []
    assert watched.csp_violations() == [] and watched.console_errors == []
    assert all(url.startswith((real_admin, "data:")) for url in watched.requests)
    csv = page.request.get(real_admin + "/admin/topics.csv")
    assert csv.text().splitlines()[:2] == ["topic,conversations", "parking,21"]
