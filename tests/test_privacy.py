"""Patients' questions stay out of logs, unless an operator turns FAQBOT_LOG_QUESTIONS on.

Each test asks with a made-up name in the question and looks for it in everything
logged: the bot's request lines, error lines, and the servers' access logs.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from werkzeug.serving import make_server

from bot.config import Settings
from bot.web.app import create_app

from .conftest import CORPUS, ROOT

SECRET = "Quixbury"
QUESTION = f"Is FOLFOX safe for my aunt Zelda {SECRET}?"


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def request_lines(caplog) -> list[dict]:
    """The bot's structured request log lines."""
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "bot.web" and record.getMessage().startswith("{")
    ]


@pytest.mark.parametrize(
    "message",
    [
        QUESTION,  # an answer
        f"How do I renew the passport of {SECRET}?",  # no_answer
        f"{SECRET} has chest pain and cannot breathe",  # urgent
        f"Hello, I am {SECRET}",  # smalltalk
    ],
)
def test_a_question_never_reaches_the_log(client, logs, message):
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 200
    assert SECRET not in logs.text
    (line,) = request_lines(logs)
    assert set(line) == {
        "request_id",
        "method",
        "path",
        "status",
        "latency_ms",
        "kind",
        "passage_ids",
        "message_chars",
    }
    assert line["kind"] == response.get_json()["kind"]
    assert line["message_chars"] == len(message)
    assert line["passage_ids"] == [
        a["passage_id"] for a in response.get_json()["answers"]
    ]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (json.dumps({"message": QUESTION, "context": 7}), "application/json", 400),
        (json.dumps({"message": QUESTION * 40}), "application/json", 400),
        ('{"message": "' + QUESTION + '"', "application/json", 400),
        (
            json.dumps({"message": QUESTION, "pad": "a" * 17000}),
            "application/json",
            413,
        ),
        (json.dumps({"message": QUESTION}), "text/plain", 415),
    ],
)
def test_a_refused_request_does_not_log_its_body(
    client, logs, data, content_type, status
):
    response = client.post("/api/chat", data=data, content_type=content_type)
    assert response.status_code == status
    assert SECRET not in logs.text
    assert request_lines(logs)[0]["status"] == status


def test_a_rate_limited_question_is_not_logged(index_dir, logs):
    settings = Settings(corpus_dir=CORPUS, index_dir=index_dir, rate_limit="1/minute")
    client = create_app(settings).test_client()
    statuses = [client.post("/api/chat", json={"message": QUESTION}).status_code]
    statuses.append(client.post("/api/chat", json={"message": QUESTION}).status_code)
    assert statuses == [200, 429]
    assert SECRET not in logs.text


def failing_respond(index, message, context, settings):
    """A bug whose exception quotes the question, as careless code might."""
    try:
        raise KeyError(message)
    except KeyError as error:
        raise RuntimeError(f"could not answer {message!r}") from error


def test_a_bug_logs_where_it_happened_but_not_the_question(client, logs, monkeypatch):
    import bot.web.app

    monkeypatch.setattr(bot.web.app, "respond", failing_respond)
    response = client.post("/api/chat", json={"message": QUESTION})
    assert response.status_code == 500
    assert SECRET not in logs.text and SECRET not in response.get_data(as_text=True)
    error = next(
        json.loads(r.getMessage()) for r in logs.records if r.levelno == logging.ERROR
    )
    assert error["event"] == "unhandled_error"
    assert [link["error"] for link in error["chain"]] == ["RuntimeError", "KeyError"]
    assert any("failing_respond" in place for place in error["chain"][0]["at"])
    assert request_lines(logs)[-1]["status"] == 500


@pytest.fixture
def logging_client(index_dir):
    settings = Settings(
        corpus_dir=CORPUS, index_dir=index_dir, rate_limit="off", log_questions=True
    )
    return create_app(settings).test_client()


def test_with_logging_switched_on_the_question_is_logged(logging_client, logs):
    logging_client.post("/api/chat", json={"message": QUESTION})
    (line,) = request_lines(logs)
    assert line["message"] == QUESTION


def test_with_logging_switched_on_a_bug_logs_its_full_traceback(
    logging_client, logs, monkeypatch
):
    import bot.web.app

    monkeypatch.setattr(bot.web.app, "respond", failing_respond)
    assert (
        logging_client.post("/api/chat", json={"message": QUESTION}).status_code == 500
    )
    assert "Traceback" in logs.text and SECRET in logs.text


# The servers' own access logs: request lines only, never a body.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_question(port: int, body: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST", "/api/chat", body=body, headers={"Content-Type": "application/json"}
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_development_server_logs_no_bodies(app, logs):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        assert (
            post_question(server.port, json.dumps({"message": QUESTION}).encode())
            == 200
        )
        assert post_question(server.port, b'{"message": "' + SECRET.encode()) == 400
    finally:
        server.shutdown()
        thread.join()
    access = [r.getMessage() for r in logs.records if r.name == "werkzeug"]
    assert len(access) == 2 and all("POST /api/chat" in line for line in access)
    assert SECRET not in logs.text


def test_gunicorn_with_our_configuration_logs_json_lines_without_bodies(
    index_dir, tmp_path
):
    port = free_port()
    environment = os.environ | {
        "FAQBOT_CORPUS": str(CORPUS),
        "FAQBOT_INDEX": str(index_dir),
        "FAQBOT_RATE_LIMIT": "off",
    }
    environment.pop("FAQBOT_LOG_QUESTIONS", None)
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += [
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--access-logfile",
        "-",
    ]
    with (tmp_path / "out").open("w") as out, (tmp_path / "err").open("w") as err:
        server = subprocess.Popen(
            [*command, "bot.web:create_app()"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=err,
        )
        try:
            statuses = [
                wait_then_post(port, json.dumps({"message": QUESTION}).encode())
            ]
            statuses.append(post_question(port, b'{"message": "' + SECRET.encode()))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert statuses == [200, 400]
    access = (tmp_path / "out").read_text()
    errors = (tmp_path / "err").read_text()
    assert access.count("POST /api/chat") == 2
    assert SECRET not in access and SECRET not in errors
    lines = [json.loads(line) for line in errors.splitlines()]
    requests = [line for line in lines if line.get("logger") == "bot.web"]
    assert [line["status"] for line in requests] == [200, 400]
    assert requests[0]["message_chars"] == len(QUESTION) and "time" in requests[0]
    assert server.returncode == 0  # a graceful shutdown


def wait_then_post(port: int, body: bytes) -> int:
    deadline = time.monotonic() + 20
    while True:
        try:
            return post_question(port, body)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
