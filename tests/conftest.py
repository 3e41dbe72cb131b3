"""Shared fixtures: the bundled documents, their index built once, a real app and client.

The tests read their own copy of the bundled documents (tests/corpus/), never corpus/,
which is the clinic's to edit: adding or changing a document there changes no test.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from bot.config import Settings
from bot.index import build_index, load_index

from . import postgres_server

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def read_jsonl(path: Path) -> list[dict]:
    """The JSON objects of a .jsonl file."""
    return [
        json.loads(line)
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


def shared_eval_file(name: str) -> Path:
    """A file of ../shared/eval, or a skip when this checkout has no shared folder beside it."""
    path = SHARED_EVAL / name
    if not path.exists():
        pytest.skip(
            f"{path} is not here (the shared folder sits beside the repository)"
        )
    return path


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(CORPUS, folder)
    return folder


@pytest.fixture(scope="session")
def index(index_dir):
    return load_index(index_dir)


@pytest.fixture(scope="session")
def settings(index_dir) -> Settings:
    return Settings(corpus_dir=CORPUS, index_dir=index_dir, rate_limit="off")


@pytest.fixture
def app(settings):
    from bot.web.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def chat(client):
    """Send one message (with an optional context) and return the JSON reply."""

    def send(message: str, context: str | None = None) -> dict:
        body = {"message": message}
        if context is not None:
            body["context"] = context
        response = client.post("/api/chat", json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return send


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session; no binaries fails, never skips."""
    if postgres_server.bin_dir() is None:
        pytest.fail(postgres_server.INSTALL_HINT, pytrace=False)
    server = postgres_server.start()
    yield server
    postgres_server.stop(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'instance' / 'insights.sqlite3'}"
        return
    server = request.getfixturevalue("postgres")
    name = f"test_{uuid.uuid4().hex[:12]}"
    server.run("psql", "-d", "postgres", "-c", f"CREATE DATABASE {name}")
    yield server.url(name)
    server.run("psql", "-d", "postgres", "-c", f"DROP DATABASE {name} WITH (FORCE)")
