"""The widget's "Was this helpful?" vote under an answer, in a real browser.

A vote is one POST /api/feedback with the answer's first passage, the vote and the
reply's context, and nothing else; the bot answers 204. Only answers ask for one.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest

from .test_widget import REPLIES, ask, expect, open_widget

pytestmark = pytest.mark.browser

QUESTION = "What is FOLFOX?"
YES = "Yes, this answer helped"
NO = "No, this answer did not help"
THANKS = "Thanks for telling us."
NOT_SENT = "Sorry, your feedback could not be sent."
PHONE = {"width": 390, "height": 844}
# axe's context for the widget's conversation log, inside its shadow root.
CONVERSATION = {"include": [[["faq-bot-widget", ".log"]]]}


def is_feedback_post(request) -> bool:
    return request.url.endswith("/api/feedback") and request.method == "POST"


def watch_feedback(page) -> list:
    """The POST /api/feedback requests the page sends from now on."""
    posts = []
    page.on(
        "request", lambda request: is_feedback_post(request) and posts.append(request)
    )
    return posts


def ask_for_answer(page, message: str = QUESTION):
    """Ask a question that gets an answer; return its bubble and the bot's JSON reply."""
    with page.expect_response(lambda r: r.url.endswith("/api/chat")) as chat:
        bubble = ask(page, message)
    reply = chat.value.json()
    assert reply["kind"] == "answer"
    return bubble, reply


def focused_label(page) -> str:
    """The aria-label of the element focused inside the widget ('' if none)."""
    return page.evaluate(
        "() => { const a = document.activeElement;"
        " const f = a && a.shadowRoot && a.shadowRoot.activeElement;"
        " return (f && f.getAttribute('aria-label')) || ''; }"
    )


def shown_passage_id(bubble) -> str:
    """The passage id the first quoted passage's citation link points at."""
    href = bubble.locator(".citation a").first.get_attribute("href")
    return unquote(urlsplit(href).fragment)


def test_an_answer_asks_whether_it_helped_with_two_named_buttons(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    bubble, _ = ask_for_answer(page)
    group = bubble.get_by_role("group", name="Was this helpful?")
    expect(group).to_be_visible()
    yes = group.get_by_role("button", name=YES, exact=True)
    no = group.get_by_role("button", name=NO, exact=True)
    expect(yes).to_have_text("Yes")
    expect(no).to_have_text("No")
    for button in (yes, no):
        expect(button).to_have_attribute("type", "button")
        expect(button).to_be_enabled()
    # Under the quoted passages, above the follow-up suggestions.
    order = bubble.evaluate(
        "n => [...n.children].map(c => c.classList[0]).filter(c => c !== 'lead')"
    )
    assert order.index("feedback") > max(
        i for i, name in enumerate(order) if name == "passage"
    )


@pytest.mark.parametrize(
    ("name", "tabs", "key", "helpful"),
    [(NO, 2, "Enter", False), (YES, 1, "Space", True)],
)
def test_a_vote_by_keyboard_sends_one_post_with_the_passage_and_context(
    open_page, sites, screenshots, name, tabs, key, helpful
):
    watched = open_page(sites.host + "/")
    page = watched.page
    # Cookies belong to a host, not a port: this one would reach the bot if allowed.
    page.context.add_cookies([{"name": "session", "value": "secret", "url": sites.bot}])
    posts = watch_feedback(page)
    open_widget(page)
    bubble, reply = ask_for_answer(page)
    # Natural tab order: from the last citation link, Yes, then No.
    bubble.locator(".citation a").last.focus()
    for _ in range(tabs):
        page.keyboard.press("Tab")
    assert focused_label(page) == name
    button = bubble.get_by_role("button", name=name, exact=True)
    outline = button.evaluate("n => getComputedStyle(n).outlineStyle")
    assert outline == "solid", "the focused vote button shows no focus ring"
    if not helpful:
        page.screenshot(path=screenshots / "widget-feedback.png")

    with page.expect_response(lambda r: is_feedback_post(r.request)) as answered:
        page.keyboard.press(key)
    assert answered.value.status == 204

    note = bubble.locator(".feedback-note")
    expect(note).to_have_text(THANKS)
    # The note is added inside the polite live log, so it is read out.
    live_log = page.locator('.log[role="log"][aria-live="polite"]')
    expect(live_log.locator(".feedback-note")).to_have_text(THANKS)
    expect(bubble.locator(".feedback")).to_have_count(0)
    expect(bubble.get_by_role("button", name=name)).to_have_count(0)
    expect(page.locator("#faqbot-input")).to_be_focused()
    if not helpful:
        page.screenshot(path=screenshots / "widget-feedback-thanks.png")

    page.wait_for_timeout(500)  # room for a second request, which must not come
    assert len(posts) == 1
    post = posts[0]
    assert post.url == sites.bot + "/api/feedback"
    assert post.headers["content-type"] == "application/json"
    assert "cookie" not in post.all_headers()
    body = json.loads(post.post_data)
    assert body == {
        "passage_id": reply["answers"][0]["passage_id"],
        "helpful": helpful,
        "context": reply["context"],
    }
    assert body["passage_id"] == shown_passage_id(bubble)
    assert QUESTION not in post.post_data
    assert watched.console_errors == [] and watched.csp_violations() == []
    foreign = [
        u
        for u in watched.requests
        if not u.startswith((sites.host, sites.bot, "data:"))
    ]
    assert foreign == []


def test_a_vote_is_kept_so_the_buttons_do_not_come_back(open_page, sites):
    page = open_page(sites.host + "/").page
    posts = watch_feedback(page)
    open_widget(page)
    bubble, _ = ask_for_answer(page)
    bubble.get_by_role("button", name=YES, exact=True).click()
    expect(bubble.locator(".feedback-note")).to_have_text(THANKS)
    page.reload()
    restored = page.locator(REPLIES).first
    expect(restored.locator(".feedback-note")).to_have_text(THANKS)
    expect(restored.locator(".vote")).to_have_count(0)
    # A later answer asks again, for itself.
    later, _ = ask_for_answer(
        page, "What chemotherapy is used for recurrent small intestine cancer?"
    )
    expect(later.locator(".vote")).to_have_count(2)
    assert len(posts) == 1


@pytest.mark.parametrize(
    "failure",
    [
        {
            "status": 429,
            "headers": {"Retry-After": "60"},
            "content_type": "application/json",
            "body": json.dumps(
                {
                    "error": {
                        "code": "rate_limited",
                        "message": "too many requests; try again in a moment",
                    }
                }
            ),
        },
        None,  # the bot cannot be reached
    ],
    ids=["rate_limited", "unreachable"],
)
def test_a_vote_that_fails_is_said_quietly_and_not_retried(open_page, sites, failure):
    page = open_page(sites.bot + "/").page
    calls = []

    def refuse(route):
        calls.append(route.request)
        if failure is None:
            route.abort("connectionrefused")
        else:
            route.fulfill(**failure)

    page.route("**/api/feedback", refuse)
    open_widget(page)
    bubble, _ = ask_for_answer(page)
    bubble.get_by_role("button", name=NO, exact=True).dblclick()
    expect(bubble.locator(".feedback-note")).to_have_text(NOT_SENT)
    expect(bubble.locator(".vote")).to_have_count(0)
    # Quietly: no error bubble, no alert.
    expect(page.locator(".msg.notice, [role=alert]")).to_have_count(0)
    page.wait_for_timeout(1000)  # room for a retry, which must not come
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Where do I park?", "no_answer"),
        ("I have chest pain and can't breathe", "urgent"),
        ("chemotherapy", "clarify"),
        ("hello", "smalltalk"),
    ],
)
def test_only_answers_ask_for_feedback(open_page, sites, message, kind):
    page = open_page(sites.host + "/").page
    open_widget(page)
    bubble = ask(page, message)
    expect(bubble).to_have_class(re.compile(rf"\bkind-{kind}\b"))
    expect(bubble.locator(".feedback, .vote")).to_have_count(0)
    expect(bubble.get_by_role("group", name="Was this helpful?")).to_have_count(0)


def axe_findings(page, context=None, impacts=None) -> list[str]:
    """axe's violations on the page (or in `context`), of the given impacts, as text."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, context=context).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations
        if impacts is None or v["impact"] in impacts
    ]


def test_accessibility_audit_with_the_feedback_group_shown(open_page, sites):
    page = open_page(sites.bot + "/").page
    open_widget(page)
    bubble, _ = ask_for_answer(page)
    expect(bubble.locator(".feedback")).to_be_visible()
    # The conversation, where the vote lives: nothing at all. The whole page: nothing
    # serious (its header and the panel's header are moderate landmark findings).
    assert axe_findings(page, CONVERSATION) == []
    assert axe_findings(page, impacts=("serious", "critical")) == []
    bubble.get_by_role("button", name=YES, exact=True).click()
    expect(bubble.locator(".feedback-note")).to_have_text(THANKS)
    assert axe_findings(page, CONVERSATION) == []


def test_vote_buttons_are_big_enough_to_tap_on_a_phone(open_page, sites, screenshots):
    page = open_page(
        sites.bot + "/", viewport=PHONE, is_mobile=True, has_touch=True
    ).page
    page.locator(".launcher").tap()
    bubble, _ = ask_for_answer(page)
    votes = bubble.locator(".vote")
    expect(votes).to_have_count(2)
    votes.first.scroll_into_view_if_needed()
    for i in range(2):
        box = votes.nth(i).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    page.screenshot(path=screenshots / "widget-feedback-phone.png")
