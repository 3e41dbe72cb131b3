"""The embeddable widget in a real browser, on a clinic's page of another origin.

Playwright's CSS locators pierce open shadow roots, so `.launcher` finds the widget's
launcher inside its Shadow DOM.
"""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.browser

UNREACHABLE = "Can't reach the clinic's assistant right now. Please try again later."
FOOTNOTE = (
    "Answers are quoted from the clinic's documents. Not medical advice. "
    "In an emergency call 112."
)
SMALL_INTESTINE = "Treatments for recurrent small intestine cancer"
REPLIES = ".log > .msg.bot:not(.greeting), .log > .msg.notice"


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def open_widget(page):
    page.locator(".launcher").click()
    expect(page.locator("#faqbot-input")).to_be_focused()


def ask(page, message: str):
    """Type a message, press Enter, return the reply it got (bubble or notice)."""
    replies = page.locator(REPLIES)
    before = replies.count()
    page.locator("#faqbot-input").fill(message)
    page.locator("#faqbot-input").press("Enter")
    reply = replies.nth(before)
    expect(reply).to_be_visible()
    return reply


def shadow_focus(page) -> str:
    """The class of the element focused inside the widget ('' if none)."""
    return page.evaluate(
        "() => { const a = document.activeElement;"
        " return a && a.shadowRoot && a.shadowRoot.activeElement"
        " ? a.shadowRoot.activeElement.className : ''; }"
    )


def test_answer_is_quoted_with_its_citation_and_highlights(
    open_page, sites, screenshots
):
    page = open_page(sites.host + "/").page
    expect(page.locator(".launcher")).to_be_visible()
    open_widget(page)
    reply = ask(page, "What is FOLFOX?")
    expect(reply).to_contain_text("oxaliplatin")
    expect(reply.locator(".citation").first).to_contain_text(SMALL_INTESTINE)
    expect(reply.locator("mark").first).to_be_visible()
    assert reply.locator(".passage").count() <= 3
    expect(page.locator(".footnote")).to_have_text(FOOTNOTE)
    page.screenshot(path=screenshots / "desktop-host.png")


def test_follow_up_is_answered_from_the_same_document(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    first = ask(page, "What chemotherapy is used for recurrent small intestine cancer?")
    expect(first.locator(".citation").first).to_contain_text(SMALL_INTESTINE)
    follow_up = ask(page, "What about targeted therapy?")
    expect(follow_up).to_contain_text("NTRK")


def test_a_suggestion_sends_itself(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    ask(page, "What is FOLFOX?")
    chip = page.locator(".chip").first
    suggestion = chip.inner_text()
    replies_before = page.locator(REPLIES).count()
    chip.click()
    expect(page.locator(".msg.user").last).to_have_text(suggestion)
    expect(page.locator(REPLIES).nth(replies_before)).to_be_visible()
    expect(page.locator("#faqbot-input")).to_be_focused()


def test_clarify_choices_are_buttons_that_answer(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    reply = ask(page, "chemotherapy")
    expect(reply.locator(".choices-label")).to_have_text("Choose one")
    reply.locator(".chip", has_text=SMALL_INTESTINE).click()
    answer = page.locator(REPLIES).last
    expect(answer.locator(".citation").first).to_contain_text(SMALL_INTESTINE)


def test_an_emergency_comes_first_with_the_servers_number_to_tap(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    expect(page.locator(".footnote a")).to_have_attribute("href", "tel:112")
    reply = ask(page, "I have chest pain and can't breathe")
    expect(reply).to_have_attribute("role", "alert")
    expect(reply.locator(".level")).to_have_text("Emergency")
    expect(reply.locator(".lead")).to_contain_text("Call 112 now")
    call = reply.locator(".calls a")
    expect(call).to_have_text("112")
    expect(call).to_have_attribute("href", "tel:112")
    border = reply.evaluate("node => getComputedStyle(node).borderTopColor")
    assert border == "rgb(179, 38, 30)"


def test_care_team_now_gives_the_clinics_24_hour_line(open_page, sites, screenshots):
    page = open_page(sites.host + "/").page
    open_widget(page)
    reply = ask(page, "my temp is 38.9 and i had chemo last week")
    expect(reply).to_have_attribute("role", "alert")
    expect(reply.locator(".level")).to_have_text("Call your care team now")
    expect(reply.locator(".calls a")).to_have_attribute("href", "tel:02079460000")
    expect(reply.locator(".calls")).to_contain_text("020 7946 0000")
    page.screenshot(path=screenshots / "care-team-now.png")


def test_suicidal_thoughts_get_the_crisis_line_too(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    reply = ask(page, "i cant do this anymore, everyone would be better off without me")
    links = reply.locator(".calls a")
    expect(links).to_have_count(2)
    expect(links.nth(1)).to_have_attribute("href", "tel:988")


def test_keyboard_alone_opens_asks_and_closes(open_page, sites):
    page = open_page(sites.host + "/").page
    for _ in range(20):
        page.keyboard.press("Tab")
        if "launcher" in shadow_focus(page):
            break
    assert "launcher" in shadow_focus(page), "Tab never reached the launcher"
    launcher = page.locator(".launcher")
    outline = launcher.evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline == "solid", "the focused launcher shows no focus ring"
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#faqbot-input")).to_be_focused()
    page.keyboard.type("What is FOLFOX?")
    page.keyboard.press("Enter")
    expect(page.locator(REPLIES).first).to_contain_text("oxaliplatin")
    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert "launcher" in shadow_focus(page)


def test_screen_readers_get_a_log_labels_and_state(open_page, sites):
    page = open_page(sites.host + "/").page
    launcher = page.locator(".launcher")
    expect(launcher).to_have_attribute("aria-controls", "faqbot-panel")
    open_widget(page)
    log = page.locator(".log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Your question")).to_be_visible()
    for name in ("Send", "New conversation", "Close chat"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    expect(page.get_by_role("dialog", name="Lakeside assistant")).to_be_visible()


def test_conversation_survives_reload_and_navigation(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    ask(page, "What chemotherapy is used for recurrent small intestine cancer?")
    page.reload()
    expect(page.locator(".panel")).to_be_visible()
    expect(page.locator(".msg.user")).to_have_count(1)
    page.goto(sites.host + "/other")
    expect(page.locator(".msg.user")).to_have_count(1)
    # The context came along too: the follow-up is still understood.
    expect(ask(page, "What about targeted therapy?")).to_contain_text("NTRK")
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    page.reload()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator(".msg.greeting")).to_have_count(1)


def test_unreachable_bot_is_said_plainly(open_page, sites):
    page = open_page(f"{sites.host}/?api_base={sites.down}").page
    open_widget(page)
    notice = ask(page, "What is FOLFOX?")
    expect(notice).to_have_text(UNREACHABLE)
    expect(page.locator("#faqbot-input")).to_have_value("What is FOLFOX?")


def test_server_error_message_is_shown_as_it_comes(open_page, sites):
    page = open_page(sites.host + "/").page
    open_widget(page)
    page.evaluate("FaqBot.send('x'.repeat(1001))")
    expect(page.locator(".msg.notice")).to_have_text(
        "message must be 1 to 1000 characters"
    )


def test_rate_limit_disables_sending_for_retry_after(open_page, sites):
    page = open_page(f"{sites.host}/?api_base={sites.limited_bot}").page
    open_widget(page)
    ask(page, "What is FOLFOX?")
    ask(page, "hello")
    notice = ask(page, "What is CAPOX?")
    expect(notice).to_have_text("too many requests; try again in a moment")
    expect(page.locator(".send")).to_be_disabled()
    status = page.locator(".status")
    expect(status).to_contain_text("You can ask again in")
    seconds = int(re.search(r"again in (\d+) s", status.inner_text()).group(1))
    # The bot says Retry-After: 60 for a per-minute limit; the widget's own guess is 20.
    assert 40 < seconds <= 60, (
        "the widget did not read Retry-After (is it exposed by CORS?)"
    )


def test_no_console_errors_and_no_csp_violations(open_page, sites):
    watched = open_page(sites.host + "/")
    page = watched.page
    open_widget(page)
    ask(page, "What is FOLFOX?")
    page.locator(".chip").first.click()
    expect(page.locator(REPLIES)).to_have_count(2)
    page.get_by_role("button", name="New conversation").click()
    assert watched.console_errors == []
    assert watched.csp_violations() == []
    # The probe does see a violation when there is one.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"
    )
    page.wait_for_function("window.__cspViolations.length > 0")


def test_demo_page_works_under_its_own_csp(open_page, sites, screenshots):
    watched = open_page(sites.bot + "/")
    page = watched.page
    expect(page.get_by_role("heading", name="Patient resources")).to_be_visible()
    open_widget(page)
    expect(ask(page, "What is FOLFOX?")).to_contain_text("oxaliplatin")
    page.screenshot(path=screenshots / "desktop-demo.png")
    assert watched.console_errors == []
    assert watched.csp_violations() == []


def test_widget_requests_only_the_bot_and_sends_no_cookies(open_page, sites):
    watched = open_page(sites.host + "/")
    page = watched.page
    # Cookies belong to a host, not a port: this one would reach the bot if allowed.
    page.context.add_cookies([{"name": "session", "value": "secret", "url": sites.bot}])
    chat_requests = []
    page.on(
        "request", lambda r: r.url.endswith("/api/chat") and chat_requests.append(r)
    )
    open_widget(page)
    ask(page, "What chemotherapy is used for recurrent small intestine cancer?")
    ask(page, "What about targeted therapy?")
    assert [r.url for r in chat_requests] == [sites.bot + "/api/chat"] * 2
    bodies = [json.loads(r.post_data) for r in chat_requests]
    assert list(bodies[0]) == ["message"]
    assert list(bodies[1]) == ["message", "context"] and bodies[1]["context"]
    assert all("cookie" not in r.all_headers() for r in chat_requests)
    foreign = [
        u
        for u in watched.requests
        if not u.startswith((sites.host, sites.bot, "data:"))
    ]
    assert foreign == []


def test_host_css_neither_breaks_the_widget_nor_is_broken_by_it(open_page, sites):
    page = open_page(sites.host + "/").page
    launcher = page.locator(".launcher")
    expect(launcher).to_be_visible()
    style = launcher.evaluate(
        "n => { const s = getComputedStyle(n);"
        " return [s.fontSize, s.color, s.position]; }"
    )
    assert style == ["15px", "rgb(255, 255, 255)", "fixed"]
    open_widget(page)
    input_style = page.locator("#faqbot-input").evaluate(
        "n => { const s = getComputedStyle(n); return [s.fontSize, s.borderTopStyle]; }"
    )
    assert input_style == ["16px", "solid"]
    # The widget's own rules (mark, .msg, .bot, .passage) don't reach the host page.
    host_mark = page.locator("#host-mark").evaluate(
        "n => getComputedStyle(n).backgroundColor"
    )
    assert host_mark == "rgb(0, 128, 0)"


def test_loading_twice_makes_one_widget(open_page, sites):
    page = open_page(f"{sites.host}/?twice=1").page
    expect(page.locator(".launcher")).to_have_count(1)
    assert page.evaluate("document.querySelectorAll('faq-bot-widget').length") == 1


def test_reply_text_never_becomes_markup_and_links_are_safe(open_page, sites):
    reply = {
        "kind": "answer",
        "reply": '<img src=x onerror="window.pwned=1">Here is what our documents say:',
        "answers": [
            {
                "passage_id": "a#1",
                "text": "Sip water \U0001f600 before FOLFOX <b>starts</b>.",
                "highlights": [[19, 25]],  # code points, as Python counts them
                "score": 3.0,
                "citation": {
                    "document_id": "a",
                    "title": "Getting ready",
                    "section": "Before treatment",
                    "url": "https://example.org/ready",
                },
            },
            {
                "passage_id": "b#1",
                "text": "Second passage.",
                "highlights": [[99, 120], [7, 3]],
                "score": 2.0,
                "citation": {
                    "document_id": "b",
                    "title": "Tricky",
                    "section": "",
                    "url": "javascript:window.pwned=1",
                },
            },
        ],
        "suggestions": [],
        "context": "",
    }
    page = open_page(sites.bot + "/").page
    page.route(
        "**/api/chat",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(reply)
        ),
    )
    open_widget(page)
    bubble = ask(page, "anything")
    expect(bubble.locator(".lead")).to_have_text(reply["reply"])
    expect(bubble.locator("img, b")).to_have_count(0)
    expect(bubble.locator("mark")).to_have_text("FOLFOX")
    link = bubble.get_by_role("link", name="Getting ready")
    expect(link).to_have_attribute("href", "https://example.org/ready")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")
    expect(bubble.locator(".citation").first).to_contain_text("Before treatment")
    expect(bubble.locator(".citation").nth(1)).to_have_text("Source: Tricky")
    # A url that is not http(s) is never a link: the bot's page of the document is.
    tricky = bubble.get_by_role("link", name="Tricky")
    expect(tricky).to_have_attribute("href", sites.bot + "/documents/b#b%231")
    expect(bubble.locator("a")).to_have_count(2)
    assert page.evaluate("window.pwned") is None


def test_accessibility_audit_finds_nothing_serious(open_page, sites):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(sites.bot + "/").page
    open_widget(page)
    ask(page, "What is FOLFOX?")
    ask(page, "chemotherapy")
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_phone_gets_a_full_screen_panel_with_16px_input(open_page, sites, screenshots):
    phone = {"width": 390, "height": 844}
    page = open_page(
        sites.bot + "/", viewport=phone, is_mobile=True, has_touch=True
    ).page
    page.screenshot(path=screenshots / "phone-closed.png")
    page.locator(".launcher").tap()
    panel = page.locator(".panel")
    expect(panel).to_be_visible()
    ask(page, "What is FOLFOX?")
    assert panel.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}
    font_size = page.locator("#faqbot-input").evaluate(
        "n => getComputedStyle(n).fontSize"
    )
    assert font_size == "16px"
    page.screenshot(path=screenshots / "phone-open.png")


def test_a_citation_opens_its_document_at_the_cited_passage(
    open_page, sites, screenshots
):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(sites.host + "/").page
    open_widget(page)
    reply = ask(page, "What is FOLFOX?")
    link = reply.locator(".citation a").first
    href = link.get_attribute("href")
    assert href.startswith(sites.bot + "/documents/") and "#" in href
    assert link.get_attribute("target") == "_blank"
    document = open_page(href)
    passage = document.page.locator(".passage:target")
    expect(passage).to_contain_text("oxaliplatin")
    background = passage.evaluate("node => getComputedStyle(node).backgroundColor")
    assert background == "rgb(255, 244, 194)"
    assert document.console_errors == [] and document.csp_violations() == []
    violations = Axe().run(document.page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    document.page.screenshot(path=screenshots / "document-page.png")
