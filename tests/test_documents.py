"""Reading a corpus: every file becomes documents or is reported by name, never lost."""

from pathlib import Path

import pytest

from bot.ingest.documents import Problem

from .oracles import load_corpus

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


def _corpus_with_odd_entries(tmp_path: Path) -> Path:
    import os

    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "leaflet.md").write_text("# Leaflet\n\nFrom the Markdown file.\n")
    (corpus / "leaflet.html").write_text(
        "<html><body><main><h1>Leaflet</h1><p>From the web page.</p></main></body></html>"
    )
    (tmp_path / "outside.txt").write_text("Not part of the corpus at all.\n")
    (corpus / "escape.txt").symlink_to(tmp_path / "outside.txt")
    (corpus / "inside.txt").symlink_to(corpus / "leaflet.md")
    (corpus / "nowhere.txt").symlink_to(corpus / "missing.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "sub" / "javascript.md").write_text(
        "---\ntitle: Tricky\nurl: javascript:alert(1)\n---\n\n# Tricky\n\nSome text.\n"
    )
    return corpus


def test_links_out_of_the_corpus_pipes_and_dead_links_are_reported_and_skipped(
    tmp_path,
):
    from bot.ingest.documents import walk_corpus

    files, problems = walk_corpus(_corpus_with_odd_entries(tmp_path))
    names = {path.name for path in files}
    assert "escape.txt" not in names and "pipe.txt" not in names
    assert "inside.txt" in names  # a link within the corpus is followed
    assert {(p.path, p.reason.split(";")[0]) for p in problems} == {
        ("escape.txt", "a link to outside the corpus"),
        ("nowhere.txt", "a link that leads nowhere"),
        ("pipe.txt", "not a regular file (a pipe, socket or device)"),
    }


def test_files_differing_only_in_extension_both_keep_their_documents(tmp_path):
    from bot.index import build_index, load_index

    report = build_index(_corpus_with_odd_entries(tmp_path), tmp_path / "index")
    index = load_index(tmp_path / "index")
    ids = set(index.passages.document_ids())
    assert {"leaflet.md", "leaflet.html", "inside", "sub/javascript"} <= ids
    assert not any("duplicate" in problem.reason for problem in report.problems)
    assert "Not part of the corpus" not in " ".join(p.text for p in index.passages)


def test_only_web_addresses_are_kept_as_a_documents_url(tmp_path):
    corpus = load_corpus(_corpus_with_odd_entries(tmp_path))
    tricky = next(d for d in corpus.documents if d.title == "Tricky")
    assert tricky.url is None
    assert any("not a web address" in p.reason for p in corpus.problems)
