"""The HTTP API of SPEC.md: fields, every error, headers, origins and index faults."""

import io
import shutil

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from bot.config import Settings
from bot.index import build_index, current_generation
from bot.web.app import create_app

from .conftest import CORPUS

KINDS = {"answer", "clarify", "no_answer", "smalltalk", "urgent"}
ERROR_CODES = {
    400: {"invalid_json", "invalid_request"},
    404: {"not_found"},
    405: {"method_not_allowed"},
    413: {"too_large"},
    415: {"unsupported_media_type"},
    429: {"rate_limited"},
    500: {"internal"},
}
MESSAGE_RANGE = "message must be 1 to 1000 characters"
CONTEXT_RANGE = "context must be a string of at most 4096 characters"
NOT_AN_OBJECT = "request body must be a JSON object"
NOT_JSON = "request body is not valid JSON"
TOO_LARGE = "request body must be at most 16384 bytes"


def assert_valid_reply(body) -> None:
    """The body is a reply of SPEC.md's form, its highlights inside its passages."""
    assert list(body) == ["kind", "reply", "answers", "suggestions", "context"]
    assert body["kind"] in KINDS
    assert isinstance(body["reply"], str) and body["reply"]
    assert isinstance(body["answers"], list) and len(body["answers"]) <= 3
    for answer in body["answers"]:
        assert list(answer) == ["passage_id", "text", "highlights", "score", "citation"]
        assert all(
            0 <= start < end <= len(answer["text"])
            for start, end in answer["highlights"]
        )
        assert isinstance(answer["score"], float)
        assert set(answer["citation"]) == {"document_id", "title", "section", "url"}
    assert all(isinstance(suggestion, str) for suggestion in body["suggestions"])
    assert isinstance(body["context"], str)


def error_of(response):
    """(status, code, message) of an error response, after checking its whole form."""
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["error"] and list(body["error"]) == ["code", "message"]
    assert body["error"]["code"] in ERROR_CODES[response.status_code]
    assert "Traceback" not in response.get_data(as_text=True)
    return response.status_code, body["error"]["code"], body["error"]["message"]


class BrokenChunks(io.RawIOBase):
    """A server's body stream that finds the chunked framing broken, as gunicorn does."""

    def readinto(self, buffer):
        raise RuntimeError("invalid chunk size")


class TrickleStream(io.RawIOBase):
    """A body stream that gives a few bytes a read, as a slow client's socket may."""

    def __init__(self, body: bytes):
        self.body = io.BytesIO(body)

    def readinto(self, buffer):
        chunk = self.body.read(min(len(buffer), 7))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def post_raw(app, body: bytes | io.IOBase, content_length: int | None, **headers):
    """POST bytes with a Content-Length of our choosing (even a false one)."""
    environ = EnvironBuilder(
        method="POST",
        path="/api/chat",
        content_type="application/json",
        headers=headers,
    ).get_environ()
    environ["wsgi.input"] = body if isinstance(body, io.IOBase) else io.BytesIO(body)
    environ.pop("CONTENT_LENGTH", None)
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    if headers.get("Transfer-Encoding") == "chunked":
        environ["wsgi.input_terminated"] = True  # as gunicorn says of a chunked body
    chunks, status, _ = run_wsgi_app(app.wsgi_app, environ)
    return status, b"".join(chunks)


# The reply contract.


def test_an_answer_has_every_field_of_the_contract(chat):
    body = chat("What is FOLFOX?")
    assert_valid_reply(body)
    assert body["kind"] == "answer"
    assert body["reply"] == "Here is what our documents say about FOLFOX:"
    assert 1 <= len(body["answers"]) <= 3
    answer = body["answers"][0]
    assert "oxaliplatin" in answer["text"]
    assert answer["score"] > 0
    assert answer["citation"] == {
        "document_id": "000_aadc4980c00b5d17",
        "title": "Treatments for recurrent small intestine cancer",
        "section": "",
        "url": None,
    }
    assert body["context"]


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


def test_the_widget_is_served_with_the_bots_emergency_number(settings):
    from dataclasses import replace

    from bot.web.app import create_app

    client = create_app(replace(settings, emergency_number="112")).test_client()
    script = client.get("/widget.js").get_data(as_text=True)
    assert '  var SERVER = {"emergency_number": "112"};' in script
    assert "911" not in script.split("var SERVER", 1)[1].split("\n", 1)[0]


def test_a_tampered_context_starts_a_new_conversation(chat):
    context = chat("What is FOLFOX?")["context"]
    tampered = context[:-3] + ("AAA" if not context.endswith("AAA") else "BBB")
    assert chat("What is HER2?", context=tampered)["kind"] == "answer"
    assert chat("What is HER2?", context="not-a-context")["kind"] == "answer"


# Bad input: every request error of SPEC.md, with the right status and reason.


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "   "}, MESSAGE_RANGE),
        ({"message": ""}, MESSAGE_RANGE),
        ({"message": "\n\t \u3000"}, MESSAGE_RANGE),
        ({"message": "x" * 1001}, MESSAGE_RANGE),
        ({"message": 42}, MESSAGE_RANGE),
        ({"message": 4.2}, MESSAGE_RANGE),
        ({"message": True}, MESSAGE_RANGE),
        ({"message": None}, MESSAGE_RANGE),
        ({"message": ["What is FOLFOX?"]}, MESSAGE_RANGE),
        ({"message": {"text": "What is FOLFOX?"}}, MESSAGE_RANGE),
        ({}, MESSAGE_RANGE),
        ({"Message": "What is FOLFOX?"}, MESSAGE_RANGE),
        ({"message": "hi", "context": 7}, CONTEXT_RANGE),
        ({"message": "hi", "context": ["c"]}, CONTEXT_RANGE),
        ({"message": "hi", "context": {"c": 1}}, CONTEXT_RANGE),
        ({"message": "hi", "context": False}, CONTEXT_RANGE),
        ({"message": "hi", "context": "c" * 4097}, CONTEXT_RANGE),
        (["message"], NOT_AN_OBJECT),
        ("What is FOLFOX?", NOT_AN_OBJECT),
        (42, NOT_AN_OBJECT),
        (True, NOT_AN_OBJECT),
    ],
)
def test_a_malformed_request_is_rejected_with_a_reason(client, body, expected):
    response = client.post("/api/chat", json=body)
    assert error_of(response) == (400, "invalid_request", expected)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{not json", (400, "invalid_json", NOT_JSON)),
        (b"", (400, "invalid_json", NOT_JSON)),
        (b"   ", (400, "invalid_json", NOT_JSON)),
        (b'{"message": "What is FOLFOX?"', (400, "invalid_json", NOT_JSON)),
        (b'{"message": "What is FOLFOX?"} {}', (400, "invalid_json", NOT_JSON)),
        (b"{'message': 'single quotes'}", (400, "invalid_json", NOT_JSON)),
        (b'{"message": "trailing comma",}', (400, "invalid_json", NOT_JSON)),
        (b"\xff\xfe{}", (400, "invalid_json", NOT_JSON)),
        (b'{"message": "caf\xe9"}', (400, "invalid_json", NOT_JSON)),
        (b'{"message": "\xed\xa0\x80"}', (400, "invalid_json", NOT_JSON)),
        (b'{"message": NaN}', (400, "invalid_json", NOT_JSON)),
        (b'{"message": "hi", "x": NaN}', (400, "invalid_json", NOT_JSON)),
        (b'{"message": "hi", "x": Infinity}', (400, "invalid_json", NOT_JSON)),
        (b'{"message": "hi", "x": -Infinity}', (400, "invalid_json", NOT_JSON)),
        (
            b"[" * 10000,
            (400, "invalid_json", "request body is nested too deeply to read"),
        ),
        (
            b'{"message": "hi", "x": ' + b'{"":' * 3000 + b"1" + b"}" * 3001,
            (400, "invalid_json", "request body is nested too deeply to read"),
        ),
        (
            b'{"message": "What is FOLFOX?", "message": 5}',
            (400, "invalid_request", "request body must not repeat a key"),
        ),
        (
            b'{"message": "hi", "x": {"a": 1, "a": 2}}',
            (400, "invalid_request", "request body must not repeat a key"),
        ),
        (b'"What is FOLFOX?"', (400, "invalid_request", NOT_AN_OBJECT)),
        (b"null", (400, "invalid_request", NOT_AN_OBJECT)),
        (b"1e999", (400, "invalid_request", NOT_AN_OBJECT)),
        (b'{"message": ' + b"9" * 5000 + b"}", (400, "invalid_request", MESSAGE_RANGE)),
        (
            b'{"message": "What is FOLFOX? \\ud800"}',
            (
                400,
                "invalid_request",
                "message must be Unicode text (no lone surrogates)",
            ),
        ),
    ],
)
def test_a_body_that_is_not_a_usable_json_object_is_refused(client, data, expected):
    response = client.post("/api/chat", data=data, content_type="application/json")
    assert error_of(response) == expected


@pytest.mark.parametrize(
    "data",
    [
        b'{"message": "What is FOLFOX?", "x": ' + b"9" * 5000 + b"}",
        b'{"message": "What is FOLFOX?", "x": 1e999, "y": -1e999}',
        b'{"message": "What is FOLFOX?", "user": {"name": "A"}, "debug": true}',
        b'{"message": "What is FOLFOX?", "context": null}',
        b'\xef\xbb\xbf{"message": "What is FOLFOX?"}',
        b'{"message":"What is FOLFOX?"}',
        b' \n{ "message" : "What is \\u0046OLFOX?" }\n ',
        b'{"message": "What is FOLFOX?", "x": "' + b"a" * 15000 + b'"}',
    ],
)
def test_unknown_fields_and_odd_but_valid_json_are_answered(client, data):
    response = client.post("/api/chat", data=data, content_type="application/json")
    assert response.status_code == 200
    body = response.get_json()
    assert_valid_reply(body)
    assert body["kind"] == "answer"


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/vnd.api+json",
        "application/jsonx",
        "application/xml",
    ],
)
def test_a_body_not_declared_as_json_is_unsupported(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/api/chat", data=b'{"message": "hi"}', headers=headers)
    assert error_of(response) == (
        415,
        "unsupported_media_type",
        "request body must be JSON (Content-Type: application/json)",
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=UTF-8",
    ],
)
def test_json_with_parameters_or_capitals_in_its_type_is_accepted(client, content_type):
    response = client.post(
        "/api/chat", data=b'{"message": "hi"}', headers={"Content-Type": content_type}
    )
    assert response.status_code == 200


def body_of_bytes(size: int) -> bytes:
    """A valid chat body of exactly `size` bytes (padded with an unknown field)."""
    head, tail = b'{"message": "What is FOLFOX?", "pad": "', b'"}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


@pytest.mark.parametrize(
    ("body", "content_length", "headers", "expected"),
    [
        (body_of_bytes(16384), 16384, {}, "200 OK"),
        (body_of_bytes(16385), 16385, {}, "413 REQUEST ENTITY TOO LARGE"),
        (body_of_bytes(100_000), 100_000, {}, "413 REQUEST ENTITY TOO LARGE"),
        (b"{}", 10**12, {}, "413 REQUEST ENTITY TOO LARGE"),
        (body_of_bytes(16384), None, {"Transfer-Encoding": "chunked"}, "200 OK"),
        (
            body_of_bytes(16385),
            None,
            {"Transfer-Encoding": "chunked"},
            "413 REQUEST ENTITY TOO LARGE",
        ),
        (
            body_of_bytes(1_000_000),
            None,
            {"Transfer-Encoding": "chunked"},
            "413 REQUEST ENTITY TOO LARGE",
        ),
        # A Content-Length that lies low: only that much is read, which is no JSON.
        (body_of_bytes(100_000), 10, {}, "400 BAD REQUEST"),
        # One that lies high: the body ends early.
        (body_of_bytes(100), 5000, {}, "400 BAD REQUEST"),
        # None at all and not chunked: there is no body.
        (body_of_bytes(100), None, {}, "400 BAD REQUEST"),
        (body_of_bytes(100), "abc", {}, "400 BAD REQUEST"),
        (BrokenChunks(), None, {"Transfer-Encoding": "chunked"}, "400 BAD REQUEST"),
        (BrokenChunks(), 100, {}, "400 BAD REQUEST"),
        (TrickleStream(body_of_bytes(3000)), 3000, {}, "200 OK"),
        (TrickleStream(body_of_bytes(3000)), 3001, {}, "400 BAD REQUEST"),
        (body_of_bytes(100), "1e2", {}, "400 BAD REQUEST"),
        (body_of_bytes(100), "١٠٠", {}, "400 BAD REQUEST"),  # Arabic 100
        (body_of_bytes(100), -5, {}, "400 BAD REQUEST"),
    ],
)
def test_the_body_size_limit_holds_whatever_the_headers_claim(
    app, body, content_length, headers, expected
):
    status, data = post_raw(app, body, content_length, **headers)
    assert status == expected
    if status.startswith("413"):
        assert (
            data
            == b'{"error":{"code":"too_large","message":"%s"}}\n' % TOO_LARGE.encode()
        )
    elif status.startswith("400"):
        assert b'"code":"invalid_json"' in data


@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/chat/", "/admin", "/api", "/%00"]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_path_is_not_found(client, path, method):
    response = client.open(path, method=method, json={"message": "hi"})
    assert error_of(response) == (404, "not_found", "no such endpoint")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/chat", {"POST", "OPTIONS"}),
        ("PUT", "/api/chat", {"POST", "OPTIONS"}),
        ("DELETE", "/api/chat", {"POST", "OPTIONS"}),
        ("PATCH", "/api/chat", {"POST", "OPTIONS"}),
        ("TRACE", "/api/chat", {"POST", "OPTIONS"}),
        ("BREW", "/api/chat", {"POST", "OPTIONS"}),
        ("POST", "/api/health", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/widget.js", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_a_wrong_method_is_not_allowed_and_says_what_is(client, method, path, allowed):
    response = client.open(path, method=method)
    assert error_of(response) == (405, "method_not_allowed", "method not allowed here")
    assert set(response.headers["Allow"].split(", ")) == allowed


def test_head_gets_the_headers_of_get_without_a_body(client):
    response = client.head("/api/health")
    assert (response.status_code, response.data) == (200, b"")
    assert response.mimetype == "application/json"
    assert client.head("/api/chat").status_code == 405


def test_options_lists_the_methods_without_a_body(client):
    response = client.options("/api/chat")
    assert (response.status_code, response.data) == (200, b"")
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


# Odd but valid text is a question like any other.


@pytest.mark.parametrize(
    "message",
    [
        "<script>alert('x')</script> What is FOLFOX?",
        "<b>What</b> is <i>FOLFOX</i>?",
        "What is FOLFOX? 😀🩺💊",
        "😀😀😀",
        "ما هو فولفوكس؟",
        "מה זה FOLFOX?",
        "FOLFOX 是什么？",
        "Что такое FOLFOX?",
        "FOLFOX とは何ですか",
        "'; DROP TABLE passages; -- What is FOLFOX?",
        '" OR 1=1 --',
        "What\u200b is\u200d FOLFOX\ufeff?",
        "\u200b\u200c\u200d",
        "What is\x00 FOLFOX\x07?\x1b[31m",
        "\x01\x02\x03",
        "Wha\u0301t i\u0308s FOLFOX?",
        "\u202eXOFLOF si tahW",
        "?!.,;:",
        "${jndi:ldap://x/a} {{7*7}} %s%n",
        "../../etc/passwd",
        "é" * 1000,
        "😀" * 1000,
    ],
)
def test_odd_but_valid_text_gets_a_normal_reply(client, message):
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 200
    assert_valid_reply(response.get_json())


def test_a_message_of_exactly_the_limit_is_accepted(client):
    assert client.post("/api/chat", json={"message": "a" * 1000}).status_code == 200


def test_a_message_is_measured_after_trimming(client):
    padded = " " * 500 + "a" * 1000 + " " * 500
    assert client.post("/api/chat", json={"message": padded}).status_code == 200


def test_a_bug_is_a_500_without_a_traceback(app, monkeypatch):
    import bot.web.app

    def broken(*args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(bot.web.app, "respond", broken)
    response = app.test_client().post("/api/chat", json={"message": "What is FOLFOX?"})
    status, code, message = error_of(response)
    assert (status, code) == (500, "internal")
    assert "secret" not in message


def test_too_many_requests_are_rate_limited_with_retry_after(index_dir):
    settings = Settings(corpus_dir=CORPUS, index_dir=index_dir, rate_limit="2/minute")
    client = create_app(settings).test_client()
    statuses = [
        client.post("/api/chat", json={"message": "hi"}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    response = client.post("/api/chat", json={"message": "hi"})
    assert error_of(response)[:2] == (429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


# Headers and origins.


@pytest.mark.parametrize("path", ["/", "/widget.js", "/demo.css", "/api/health"])
def test_every_response_forbids_sniffing_and_referrers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Request-Id"]


def test_the_demo_page_has_a_strict_policy_and_cannot_be_framed(client):
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; script-src 'self'")
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_replies_are_never_cached_nor_rendered(client):
    for response in (
        client.get("/api/health"),
        client.post("/api/chat", json={"message": "hi"}),
        client.post("/api/chat", json={}),
    ):
        assert response.headers["Cache-Control"] == "no-store"
        csp = response.headers["Content-Security-Policy"]
        assert csp == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_widget_may_be_loaded_by_any_clinic_page(client):
    headers = client.get(
        "/widget.js", headers={"Origin": "https://any.example"}
    ).headers
    assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert headers["Cache-Control"] == "public, max-age=300"
    assert "Content-Security-Policy" not in headers


def test_https_responses_ask_browsers_to_stay_on_https(client):
    secure = client.get("/api/health", base_url="https://bot.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/api/health").headers


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("abc-123", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ('a" {b}', False),
        ("What is FOLFOX?", False),
    ],
)
def test_a_request_id_is_echoed_only_when_it_is_plain(client, given, kept):
    response = client.get("/api/health", headers={"X-Request-Id": given})
    assert (response.headers["X-Request-Id"] == given) is kept
    assert len(response.headers["X-Request-Id"]) <= 64


@pytest.fixture
def clinic_client(index_dir):
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=index_dir,
        rate_limit="2/minute",
        allowed_origins=("https://clinic.example",),
    )
    return create_app(settings).test_client()


def preflight(client, origin: str):
    return client.options(
        "/api/chat",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_only_allowed_origins_may_call_the_api(clinic_client):
    allowed = clinic_client.post(
        "/api/chat",
        json={"message": "hi"},
        headers={"Origin": "https://clinic.example"},
    )
    other = clinic_client.post(
        "/api/chat", json={"message": "hi"}, headers={"Origin": "https://evil.example"}
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "Retry-After" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Credentials" not in allowed.headers


def test_a_preflight_from_an_allowed_origin_is_answered(clinic_client):
    response = preflight(clinic_client, "https://clinic.example")
    assert response.status_code == 200
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "DELETE" not in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Headers"].lower() == "content-type"
    assert headers["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://clinic.example.evil.example",
        "null",
        "http://clinic.example",
    ],
)
def test_a_preflight_from_any_other_origin_gets_no_permission(clinic_client, origin):
    response = preflight(clinic_client, origin)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_preflights_do_not_count_against_the_rate_limit(clinic_client):
    for _ in range(5):
        preflight(clinic_client, "https://clinic.example")
    statuses = [
        clinic_client.post("/api/chat", json={"message": "hi"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_no_origin_may_call_the_api_when_none_is_allowed(client):
    response = preflight(client, "https://clinic.example")
    assert "Access-Control-Allow-Origin" not in response.headers


# Index faults: a running app follows rebuilds and survives broken ones.

NEW_DOCUMENT = (
    "# Parking at the clinic\n\n"
    "Patients park free of charge in the blue garage on Elm Street during treatment.\n"
)


@pytest.fixture
def own_index(tmp_path):
    """A corpus copy and its index, with an app serving that index."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    settings = Settings(corpus_dir=corpus, index_dir=index_dir, rate_limit="off")
    return corpus, index_dir, create_app(settings).test_client()


def ask(client, message: str) -> dict:
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 200
    return response.get_json()


def test_a_rebuilt_index_is_served_by_the_next_request(own_index):
    corpus, index_dir, client = own_index
    assert ask(client, "Where do I park?")["kind"] == "no_answer"
    (corpus / "parking.md").write_text(NEW_DOCUMENT, "utf-8")
    build_index(corpus, index_dir)
    body = ask(client, "Where do I park?")
    assert body["kind"] == "answer"
    assert "blue garage" in body["answers"][0]["text"]
    assert client.get("/api/health").get_json()["documents"] == 3


def test_a_corrupted_new_index_leaves_the_old_one_serving(own_index, tmp_path, caplog):
    corpus, index_dir, client = own_index
    before = client.get("/api/health").get_json()
    # A new generation that passed its build but was damaged on disk afterwards.
    (corpus / "parking.md").write_text(NEW_DOCUMENT, "utf-8")
    build_index(corpus, tmp_path / "elsewhere")
    damaged = current_generation(tmp_path / "elsewhere")
    shutil.copytree(damaged, index_dir / damaged.name)
    vocabulary = index_dir / damaged.name / "vocabulary.json"
    vocabulary.write_bytes(vocabulary.read_bytes() + b" ")
    shutil.copy(tmp_path / "elsewhere" / "current.json", index_dir / "current.json")
    body = ask(client, "What is FOLFOX?")
    assert body["kind"] == "answer"
    assert ask(client, "Where do I park?")["kind"] == "no_answer"
    assert client.get("/api/health").get_json() == before
    assert "does not match its checksum" in caplog.text


def test_a_build_interrupted_before_it_switches_leaves_the_old_index_serving(
    own_index, monkeypatch
):
    import bot.index.generations

    corpus, index_dir, client = own_index
    before = current_generation(index_dir)

    def interrupted(folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(bot.index.generations, "_load_generation", interrupted)
    (corpus / "parking.md").write_text(NEW_DOCUMENT, "utf-8")
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, index_dir)
    monkeypatch.undo()
    assert current_generation(index_dir) == before
    assert [p for p in index_dir.iterdir() if p.is_dir()] == [before]
    assert ask(client, "What is FOLFOX?")["kind"] == "answer"
    assert ask(client, "Where do I park?")["kind"] == "no_answer"


def test_requests_during_rebuilds_all_succeed(own_index):
    import threading

    corpus, index_dir, client = own_index
    statuses: list[int] = []
    stop = threading.Event()

    def keep_asking():
        local = client.application.test_client()
        while not stop.is_set():
            response = local.post("/api/chat", json={"message": "What is FOLFOX?"})
            statuses.append(response.status_code)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        for number in range(5):
            (corpus / f"extra{number}.md").write_text(NEW_DOCUMENT, "utf-8")
            build_index(corpus, index_dir)
    finally:
        stop.set()
        asker.join()
    assert statuses and set(statuses) == {200}
    assert client.get("/api/health").get_json()["documents"] == 7


def test_a_citation_without_a_url_links_to_the_documents_page(client, chat):
    answer = chat("What is FOLFOX?")["answers"][0]
    citation = answer["citation"]
    page = client.get(f"/documents/{citation['document_id']}")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert f'id="{answer["passage_id"]}" class="passage"' in html
    assert f"<h1>{citation['title']}</h1>" in html
    assert "oxaliplatin" in html
    assert client.get("/document.css").status_code == 200


def test_a_document_page_escapes_what_it_shows():
    from bot.models import Passage
    from bot.web.document_page import document_page

    hostile = "<script>alert(1)</script>"
    passage = Passage("p1", "d1", hostile, None, hostile, hostile, 0, 10)
    html = document_page([passage])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_unknown_document_is_a_json_404(client):
    response = client.get("/documents/no-such-document")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_document_in_a_subfolder_has_its_page_too(tmp_path):
    from bot.config import Settings
    from bot.web.app import create_app

    corpus = tmp_path / "corpus"
    (corpus / "visiting").mkdir(parents=True)
    (corpus / "visiting" / "parking.md").write_text(
        "# Parking\n\nThe car park is free for patients on treatment days.\n"
    )
    client = create_app(
        Settings(corpus_dir=corpus, index_dir=tmp_path / "index", rate_limit="off")
    ).test_client()
    for path in ("/documents/visiting/parking", "/documents/visiting%2Fparking"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "car park is free" in page.get_data(as_text=True)
