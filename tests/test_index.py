import json
import shutil
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from bot import index_build, index_files
from bot.aliases import learn_aliases
from bot.documents import load_corpus
from bot.errors import BrokenIndex
from bot.file_indexing import alias_windows
from bot.index import (
    IndexHolder,
    build_index,
    current_generation,
    is_stale,
    load_index,
    verify_index,
)
from bot.passages import split_into_passages

from .conftest import CORPUS, ROOT, shared_eval_file

FIXTURES = Path(__file__).parent / "fixtures"


def test_an_index_knows_what_it_was_built_from(index):
    manifest = index.manifest
    assert manifest["documents"] == 2
    assert manifest["passages"] == len(index.passages)
    assert manifest["bm25"] == {
        "variant": "BM25Plus",
        "k1": 1.5,
        "b": 0.75,
        "delta": 1.0,
    }


@pytest.fixture
def corpus_copy(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def test_changing_the_corpus_makes_the_index_stale(corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    assert not is_stale(index_dir, corpus_copy)
    (corpus_copy / "new.md").write_text("# Diet\n\nEat well during treatment.\n")
    assert is_stale(index_dir, corpus_copy)


def test_a_missing_index_is_stale_and_cannot_be_loaded(tmp_path):
    assert is_stale(tmp_path / "nothing", CORPUS)
    with pytest.raises(BrokenIndex, match="run `faqbot index`"):
        load_index(tmp_path / "nothing")


def test_a_tampered_index_file_is_detected(corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    texts = current_generation(index_dir) / "passages.text.utf8.npy"
    texts.write_bytes(texts.read_bytes().replace(b"FOLFOX", b"FOLFAX"))
    with pytest.raises(BrokenIndex, match="does not match its checksum"):
        load_index(index_dir)


def test_a_large_file_is_sampled_on_load_and_read_whole_by_verify(
    corpus_copy, tmp_path, monkeypatch
):
    # Loading a million passages must not hash a gigabyte: a file over the limit is
    # checked by its size and sampled blocks (here: its first and last byte only), and
    # `verify_index` reads all of it.
    monkeypatch.setattr(index_files, "WHOLE_CHECK_BYTES", 0)
    monkeypatch.setattr(index_files, "SAMPLES", 2)
    monkeypatch.setattr(index_files, "SAMPLE_BYTES", 1)
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    verify_index(index_dir)
    texts = current_generation(index_dir) / "passages.text.utf8.npy"
    data = texts.read_bytes()
    middle = data.index(b"FOLFOX")
    assert 0 < middle < len(data) - 6
    texts.write_bytes(data[:middle] + b"FOLFAX" + data[middle + 6 :])
    load_index(index_dir)  # the sampled bytes are unchanged
    with pytest.raises(BrokenIndex, match="does not match its checksum"):
        verify_index(index_dir)
    texts.write_bytes(data + b" ")
    with pytest.raises(BrokenIndex, match="does not match its checksum"):
        load_index(index_dir)


def test_an_index_of_another_format_is_stale_and_is_not_loaded(corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    manifest_path = current_generation(index_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "format_version": 1}))
    assert is_stale(index_dir, corpus_copy)
    with pytest.raises(BrokenIndex, match="run `faqbot index`"):
        load_index(index_dir)


def test_a_failed_build_leaves_the_previous_index_serving(corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    before = current_generation(index_dir)
    for path in corpus_copy.iterdir():
        path.unlink()
    (corpus_copy / "empty.txt").write_text("")
    with pytest.raises(BrokenIndex):
        build_index(corpus_copy, index_dir)
    assert current_generation(index_dir) == before
    assert load_index(index_dir).manifest["documents"] == 2


def test_a_running_holder_picks_up_a_rebuilt_index(corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    holder = IndexHolder(index_dir)
    (corpus_copy / "diet.md").write_text(
        "# Diet\n\nEat small meals often during chemotherapy.\n"
    )
    build_index(corpus_copy, index_dir)
    assert holder.get().manifest["documents"] == 3


def test_the_index_holds_no_pickle(index_dir):
    folder = current_generation(index_dir)
    assert {p.suffix for p in folder.iterdir()} == {".json", ".npy"}
    for path in folder.glob("*.npy"):
        np.load(path, allow_pickle=False)
    json.loads((folder / "manifest.json").read_text())


def test_passages_are_read_back_as_they_were_cut(index):
    corpus = load_corpus(CORPUS)
    expected = [p for d in corpus.documents for p in split_into_passages(d)]
    assert list(index.passages) == expected
    assert index.passages[-1] == expected[-1]
    assert index.passages[2:4] == expected[2:4]
    with pytest.raises(IndexError):
        index.passages[len(expected)]


def test_sections_are_each_documents_headings_in_order(index):
    expected: dict[str, list[str]] = {}
    for passage in index.passages:
        headings = expected.setdefault(passage.document_id, [])
        if passage.section and passage.section not in headings:
            headings.append(passage.section)
    assert dict(index.sections.items()) == expected
    assert index.sections.get("no such document") is None


def test_repeated_texts_point_to_their_first_passage(tmp_path):
    rows = [
        {"id": f"q{n}", "question": f"Question {n}?", "answer": answer}
        for n, answer in enumerate(["Same answer.", "Other answer.", "Same answer."])
    ]
    corpus = tmp_path / "faq.jsonl"
    corpus.write_text("\n".join(json.dumps(row) for row in rows))
    build_index(corpus, tmp_path / "index")
    assert load_index(tmp_path / "index").passages.same_text.tolist() == [0, 1, 0]


@pytest.fixture
def mixed_corpus(tmp_path):
    """Several files: every fixture, the bundled corpus, a duplicate id, an unknown type."""
    folder = tmp_path / "mixed"
    shutil.copytree(CORPUS, folder / "a")
    for path in FIXTURES.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "b.jsonl").write_text(
        json.dumps({"id": "appt-1", "question": "Again?", "answer": "A duplicate."})
        + "\n"
        + json.dumps({"id": "new-1", "question": "New?", "answer": "A new entry."})
    )
    (folder / "notes.docx").write_bytes(b"not a supported format")
    return folder


def index_arrays(index_dir):
    folder = current_generation(index_dir)
    arrays = {p.name: np.load(p) for p in folder.glob("*.npy")}
    documents = {
        n: (folder / n).read_text() for n in ("vocabulary.json", "aliases.json")
    }
    return arrays, documents


def test_a_corpus_read_on_every_core_gives_the_same_index(
    mixed_corpus, tmp_path, monkeypatch
):
    report = build_index(mixed_corpus, tmp_path / "one")
    monkeypatch.setattr(index_build, "PARALLEL_BYTES", 0)
    parallel = build_index(mixed_corpus, tmp_path / "all")
    one_arrays, one_documents = index_arrays(tmp_path / "one")
    all_arrays, all_documents = index_arrays(tmp_path / "all")
    assert one_documents == all_documents
    assert one_arrays.keys() == all_arrays.keys()
    for name, array in one_arrays.items():
        assert np.array_equal(array, all_arrays[name]), name
    assert report == parallel
    corpus = load_corpus(mixed_corpus)
    assert report.problems == corpus.problems
    assert report.documents == len(corpus.documents)
    passages = [p for d in corpus.documents for p in split_into_passages(d)]
    assert list(load_index(tmp_path / "all").passages) == passages


def test_alias_windows_find_exactly_the_aliases_of_whole_texts(index):
    texts = [passage.text for passage in index.passages] + [
        "a b c d e f g h i j (k l)",
        "word(x) y (z) and Herceptin® (trastuzumab), Xeloda™ (capecitabine)",
        "one two  three\tfour\nfive six seven eight nine (NINE)",
        "a (b (c) d) e (ff)",
        "x y (" + "a" * 80 + ") and x y (" + "a" * 81 + ")",
    ]
    with shared_eval_file("medquad/corpus.jsonl").open(encoding="utf-8") as handle:
        texts += [json.loads(line)["answer"] for line in islice(handle, 3000)]
    windows = [window for text in texts for window in alias_windows(text)]
    assert learn_aliases(windows) == learn_aliases(texts)


def test_document_titles_are_those_of_the_passages_in_corpus_order(tmp_path):
    index_dir = tmp_path / "index"
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES, corpus)
    shutil.copy(CORPUS / "000_aadc4980c00b5d17.txt", corpus / "a-first.txt")
    build_index(corpus, index_dir)
    passages = load_index(index_dir).passages
    by_document = {p.document_id: p.title for p in passages}  # one title per document
    titles = list(passages.document_titles())
    assert len(titles) == len(passages.document_ids()) > 3
    assert titles == list(by_document.values())


def _build_into(index_dir: str) -> None:
    from bot.index import build_index

    build_index(CORPUS, Path(index_dir))


def test_builds_at_once_into_one_folder_leave_one_good_index(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        pool.map(_build_into, [str(tmp_path)] * 8)
    index = load_index(tmp_path)  # current.json names a generation that is there
    assert len(index.passages) > 0
    generations = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert current_generation(tmp_path) in generations  # and the one it replaced
    assert len(generations) <= 2


def _two_generations(tmp_path) -> tuple[Path, Path]:
    """An index folder built twice: the generation in use, and the one it replaced."""
    index_dir = tmp_path / "index"
    build_index(CORPUS, index_dir)
    first = current_generation(index_dir)
    build_index(CORPUS, index_dir)
    return index_dir, first


def test_a_damaged_index_in_use_falls_back_to_the_one_it_replaced(tmp_path, caplog):
    index_dir, first = _two_generations(tmp_path)
    in_use = current_generation(index_dir)
    assert in_use != first and first.exists()  # the replaced one is kept as fallback
    damaged = next(in_use.glob("text.term_scores.npy"))
    damaged.write_bytes(damaged.read_bytes()[:100])  # truncated on disk
    index = load_index(index_dir)
    assert len(index.passages) > 0
    assert "serving the earlier one" in caplog.text


def test_a_rebuild_that_fails_leaves_the_index_serving_and_says_why(
    tmp_path, monkeypatch, caplog
):
    from bot import index as index_module
    from bot.index import ensure_fresh_index

    index_dir, _ = _two_generations(tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "new.md").write_text("# New\n\nA new leaflet.\n")  # the index is stale

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(index_dir / "gnew"))

    monkeypatch.setattr(index_module, "build_index", disk_full)
    assert ensure_fresh_index(corpus, index_dir) is False
    assert "No space left on device" in caplog.text
    assert len(load_index(index_dir).passages) > 0


def test_with_no_index_to_fall_back_on_a_failed_build_is_a_clear_error(
    tmp_path, monkeypatch
):
    from bot import index as index_module
    from bot.index import ensure_fresh_index

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index_module, "build_index", disk_full)
    with pytest.raises(BrokenIndex, match="could not build the index: No space left"):
        ensure_fresh_index(CORPUS, tmp_path / "index")


def test_a_file_too_slow_to_read_is_reported_and_skipped(tmp_path, monkeypatch):
    """A hostile file (a PDF holding a huge stream, a CSV whose quoting makes a reader
    quadratic) must not hold the build: past its time bound it is skipped."""
    import time

    from bot import readers

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "slow.md").write_text("# Slow\n\nThis file's reader never finishes.\n")
    markdown_reader = readers.READERS[".md"]

    def stuck(path, document_id):
        if path.name == "slow.md":
            time.sleep(30)
        return markdown_reader(path, document_id)

    monkeypatch.setitem(readers.READERS, ".md", stuck)
    started = time.perf_counter()
    report = build_index(corpus, tmp_path / "index", file_seconds=0.5)
    assert time.perf_counter() - started < 10
    assert [(p.path, p.reason) for p in report.problems if p.skipped] == [
        ("slow.md", "took more than 0.5 s to read (FAQBOT_FILE_SECONDS); skipped")
    ]
    assert report.documents == 2  # the others are indexed
