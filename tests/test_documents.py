"""Reading a corpus: every file becomes documents or is reported by name, never lost."""

from pathlib import Path

import pytest

from bot.documents import Problem, load_corpus

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(FIXTURES)


def test_every_readable_fixture_becomes_its_documents(corpus):
    assert [document.document_id for document in corpus.documents] == [
        "appt-cancel",
        "42",
        "pay-card",
        "pay-plan",
        "pay-refund",
        "chemotherapy-guide",
        "colonoscopy-preparation",
        "parking",
        "visiting",
    ]


def test_every_bad_file_and_row_is_reported_by_name_and_line(corpus):
    assert list(corpus.problems) == [
        Problem(
            "appointments.jsonl",
            "line 2: not valid JSON (Expecting ',' delimiter at column 199); "
            "row skipped",
        ),
        Problem("appointments.jsonl", "line 3: 'question' is missing; row skipped"),
        Problem(
            "appointments.jsonl",
            "line 4: not an object with id, question and answer; row skipped",
        ),
        Problem(
            "appointments.jsonl",
            "line 6: duplicate id 'appt-cancel' (first on line 1); row skipped",
        ),
        Problem("billing.csv", "line 5: 'answer' is empty; row skipped"),
        Problem(
            "billing.csv",
            "line 6: duplicate id 'pay-card' (first on line 2); row skipped",
        ),
        Problem(
            "billing.csv",
            "line 7: 6 values for 4 columns (text with a comma must be in double "
            "quotes); row skipped",
        ),
        Problem(
            "billing.csv",
            "line 8: broken quoting (',' expected after '\"'); row skipped",
        ),
        Problem("empty.txt", "is empty"),
        Problem("leaflet-photo.pdf", "is not a PDF but a JPEG image"),
        Problem("parking.txt", "is not UTF-8; read as Windows-1252", skipped=False),
        Problem("scanned-leaflet.pdf", "has no text layer (scanned?)"),
    ]


def test_no_fixture_file_is_silently_dropped(corpus):
    sources = {"appointments.jsonl", "billing.csv"}  # FAQ ids are not file names
    named = {document.document_id for document in corpus.documents}
    for path in FIXTURES.iterdir():
        assert (
            path.stem in named
            or path.name in sources
            or path.name in {problem.path for problem in corpus.problems}
        ), path.name
