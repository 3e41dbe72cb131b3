"""The /admin pages and charts as text: escaped, script-free, nothing fetched from elsewhere."""

from __future__ import annotations

import base64
import re
from datetime import date

import pytest

from bot.insights.admin_page import admin_page, login_page
from bot.insights.charts import CHARTS, NARROW, chart_alt, chart_svg
from bot.insights.records import KINDS, DayCounts, PassageVotes, Summary, TopicCount

HOSTILE = '<script>alert("x")</script>'
W3C_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def day(n: int, **counts: int) -> DayCounts:
    return DayCounts(date(2026, 5, n), {kind: counts.get(kind, 0) for kind in KINDS})


SUMMARY = Summary(
    days=2,
    first_day=date(2026, 5, 1),
    last_day=date(2026, 5, 2),
    per_day=(day(1, answer=2, no_answer=1, urgent=1), day(2, clarify=1)),
    emergencies=(("chest_pain", 1),),
    topics=(TopicCount("parking", 3),),
    passages=(PassageVotes("p-1", "doc", 3, 1, 1),),
)
EMPTY = Summary(2, date(2026, 5, 1), date(2026, 5, 2), (day(1), day(2)), (), (), ())


def data_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|srcset)="data:image/svg\+xml;base64,([^"]+)"', page)


def test_page_has_no_script_no_inline_style_and_an_image_per_chart():
    page = admin_page(SUMMARY, {"p-1": "FOLFOX — Overview"})
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert len(data_urls(page)) == 2 * len(CHARTS)  # a wide and a narrow drawing
    assert '<html lang="en">' in page
    assert 'href="/admin/passages.csv?days=2"' in page
    assert '<form method="post" action="/admin/logout">' in page


def test_charts_name_no_url_but_svgs_own_namespaces():
    """pygal's credits are comments; its tooltip script is left out (js=[])."""
    for name in CHARTS:
        for width in (NARROW, 720):
            svg = re.sub(r"<!--.*?-->", "", chart_svg(SUMMARY, name, {}, width))
            assert set(re.findall(r"https?://[^\s\"')]+", svg)) <= W3C_NAMESPACES


def test_text_of_labels_is_escaped_in_the_page_and_the_charts():
    page = admin_page(SUMMARY, {"p-1": HOSTILE})
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    for encoded in data_urls(page):
        assert HOSTILE not in base64.b64decode(encoded).decode()


def test_alt_text_says_what_the_chart_shows():
    assert chart_alt(SUMMARY, "per_day") == (
        "Bars of replies per day by kind, 1 May 2026 to 2 May 2026. In all: "
        "answer 2, clarify 1, no_answer 1, smalltalk 0, urgent 1."
    )
    assert chart_alt(SUMMARY, "answered") == (
        "Line of the share of questions answered per day, "
        "1 May 2026 to 2 May 2026; 50% over these days."
    )
    assert chart_alt(SUMMARY, "passages", {"p-1": "FOLFOX — Overview"}) == (
        "Bars of the most shown passages and their votes: "
        "FOLFOX — Overview: shown 3, 1 helpful, 1 not helpful."
    )


def test_empty_window_draws_nothing_and_says_so():
    page = admin_page(EMPTY, {})
    assert "<img" not in page
    assert page.count('<p class="empty">Nothing recorded yet: ') == len(CHARTS)


def test_sign_in_form_posts_a_password_field_named_token():
    page = login_page()
    assert '<form method="post" action="/admin/login">' in page
    assert '<label for="token">Admin token</label>' in page
    assert 'id="token" name="token" type="password"' in page
    assert 'role="alert"' not in page


def test_sign_in_error_is_escaped_announced_and_tied_to_the_field():
    page = login_page(HOSTILE)
    assert HOSTILE not in page
    assert 'role="alert">&lt;script&gt;' in page
    assert 'aria-invalid="true" aria-describedby="token-error"' in page


def test_an_unknown_chart_is_refused():
    with pytest.raises(ValueError, match="chart must be one of per_day, answered"):
        chart_svg(SUMMARY, "pie")
