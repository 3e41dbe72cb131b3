"""The HTTP API of SPEC.md, field by field, and every error status."""

import logging

import pytest

from bot.config import Settings
from bot.web import create_app

from .conftest import CORPUS


def test_an_answer_has_every_field_of_the_contract(chat):
    body = chat("What is FOLFOX?")
    assert list(body) == ["kind", "reply", "answers", "suggestions", "context"]
    assert body["kind"] == "answer"
    assert body["reply"] == "Here is what our documents say about FOLFOX:"
    assert 1 <= len(body["answers"]) <= 3
    answer = body["answers"][0]
    assert list(answer) == ["passage_id", "text", "highlights", "score", "citation"]
    assert "oxaliplatin" in answer["text"]
    assert isinstance(answer["score"], float) and answer["score"] > 0
    assert answer["citation"] == {
        "document_id": "000_aadc4980c00b5d17",
        "title": "Treatments for recurrent small intestine cancer",
        "section": "",
        "url": None,
    }
    assert all(isinstance(s, str) for s in body["suggestions"])
    assert isinstance(body["context"], str) and body["context"]


def test_highlights_are_the_matched_words_of_the_passage(chat):
    answer = chat("What is FOLFOX?")["answers"][0]
    marked = {answer["text"][start:end] for start, end in answer["highlights"]}
    assert marked == {"FOLFOX"}


def test_a_question_nothing_answers_gets_no_answer(chat):
    body = chat("How do I renew my passport?")
    assert body["kind"] == "no_answer"
    assert body["answers"] == []
    assert "care team" in body["reply"]


def test_health_reports_the_index(client, index):
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok"
    assert body["documents"] == 2
    assert body["passages"] == len(index.passages)
    assert body["index_built"].endswith("Z")


def test_the_widget_and_demo_page_are_served(client):
    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.mimetype == "text/javascript"
    page = client.get("/")
    assert page.status_code == 200
    assert b'src="/widget.js"' in page.data
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def error_of(response):
    body = response.get_json()
    return response.status_code, body["error"]["code"], body["error"]["message"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "   "}, "message must be 1 to 1000 characters"),
        ({"message": ""}, "message must be 1 to 1000 characters"),
        ({"message": "x" * 1001}, "message must be 1 to 1000 characters"),
        ({"message": 42}, "message must be 1 to 1000 characters"),
        ({}, "message must be 1 to 1000 characters"),
        ({"message": "hi", "context": 7}, "context must be a string of at most 4096 characters"),
        ({"message": "hi", "context": "c" * 4097}, "context must be a string of at most 4096 characters"),
        (["message"], "request body must be a JSON object"),
    ],
)
def test_a_malformed_request_is_rejected_with_a_reason(client, body, expected):
    response = client.post("/api/chat", json=body)
    assert error_of(response) == (400, "invalid_request", expected)


def test_a_message_of_exactly_the_limit_is_accepted(client):
    assert client.post("/api/chat", json={"message": "a" * 1000}).status_code == 200


@pytest.mark.parametrize("data", [b"{not json", b"", b"\xff\xfe{}", b"[" * 10000])
def test_a_body_that_is_not_json_is_invalid_json(client, data):
    response = client.post("/api/chat", data=data, content_type="application/json")
    assert error_of(response)[:2] == (400, "invalid_json")


def test_a_body_that_is_not_declared_json_is_unsupported(client):
    response = client.post("/api/chat", data="message=hi", content_type="text/plain")
    assert error_of(response)[:2] == (415, "unsupported_media_type")


def test_a_body_over_16_kib_is_too_large(client):
    response = client.post(
        "/api/chat", data=b'{"message": "' + b"a" * 17000 + b'"}', content_type="application/json"
    )
    assert error_of(response) == (413, "too_large", "request body must be at most 16384 bytes")


def test_an_unknown_path_is_not_found(client):
    assert error_of(client.get("/api/nothing"))[:2] == (404, "not_found")


def test_a_wrong_method_is_not_allowed(client):
    response = client.get("/api/chat")
    assert error_of(response)[:2] == (405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_a_tampered_context_starts_a_new_conversation(chat):
    context = chat("What is FOLFOX?")["context"]
    tampered = context[:-3] + ("AAA" if not context.endswith("AAA") else "BBB")
    assert chat("What is HER2?", context=tampered)["kind"] == "answer"
    assert chat("What is HER2?", context="not-a-context")["kind"] == "answer"


def test_too_many_requests_are_rate_limited_with_retry_after(index_dir):
    app = create_app(Settings(corpus_dir=CORPUS, index_dir=index_dir, rate_limit="2/minute"))
    client = app.test_client()
    statuses = [client.post("/api/chat", json={"message": "hi"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.post("/api/chat", json={"message": "hi"})
    assert error_of(response)[:2] == (429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


def test_a_bug_is_a_500_without_a_traceback(app, monkeypatch):
    import bot.web

    def broken(*args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(bot.web, "respond", broken)
    response = app.test_client().post("/api/chat", json={"message": "What is FOLFOX?"})
    status, code, message = error_of(response)
    assert (status, code) == (500, "internal")
    assert "secret" not in message and "Traceback" not in response.get_data(as_text=True)


def test_the_question_text_never_reaches_the_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/api/chat", json={"message": "What is FOLFOX, doctor?"})
    assert "FOLFOX" not in caplog.text
    assert '"kind": "answer"' in caplog.text


def test_only_allowed_origins_may_call_the_api(index_dir):
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=index_dir,
        rate_limit="off",
        allowed_origins=("https://clinic.example",),
    )
    client = create_app(settings).test_client()
    allowed = client.post(
        "/api/chat", json={"message": "hi"}, headers={"Origin": "https://clinic.example"}
    )
    other = client.post("/api/chat", json={"message": "hi"}, headers={"Origin": "https://evil.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Credentials" not in allowed.headers
