import csv
import io
import json
import shutil
import subprocess
import sys
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from bot.answer import passages_for
from bot.errors import BrokenIndex
from bot.index import (
    FIELD_WEIGHTS,
    IndexHolder,
    build_index,
    current_generation,
    generations,
    is_stale,
    load_index,
    verify_index,
)
from bot.index import build as index_build
from bot.index.file_worker import alias_windows
from bot.ingest.aliases import learn_aliases
from bot.ingest.passages import split_into_passages
from bot.ingest.readers import faq, faq_parts

from .conftest import CORPUS, ROOT, shared_eval_file
from .oracles import load_corpus

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


def test_a_file_changed_on_disk_is_refused_by_load_and_by_verify(corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    verify_index(index_dir)
    texts = current_generation(index_dir) / "passages.text.utf8.npy"
    data = texts.read_bytes()
    for changed in (data[:-1] + b" ", data + b" ", data[: len(data) // 2]):
        texts.write_bytes(changed)
        with pytest.raises(BrokenIndex, match="does not match its checksum"):
            verify_index(index_dir)
        with pytest.raises(BrokenIndex, match="does not match its checksum"):
            generations._load_generation(current_generation(index_dir))


TRUNCATE_UNDER_A_LOADED_INDEX = """
import sys
from pathlib import Path
from bot.index import current_generation, load_index
from bot.answer import passages_for
index_dir = Path(sys.argv[1])
index = load_index(index_dir)
for path in current_generation(index_dir).iterdir():
    path.write_bytes(b"")  # every file of the generation in use, truncated
print(passages_for(index, "What is FOLFOX?")[0].passage.passage_id)
"""


def test_files_truncated_under_a_loaded_index_change_nothing_it_answers(
    corpus_copy, tmp_path, index
):
    # A memory-mapped index would die of SIGBUS here; the process runs apart so that
    # such a crash fails this test instead of the test run.
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir)
    done = subprocess.run(
        [sys.executable, "-c", TRUNCATE_UNDER_A_LOADED_INDEX, str(index_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    expected = passages_for(index, "What is FOLFOX?")[0].passage.passage_id
    assert done.stdout.strip() == expected


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


def faq_sheet(suffix: str, rows: int = 240) -> bytes:
    """A FAQ export with every kind of row a part's reader must get right wherever the
    part ends: bad rows, ids repeated far apart (and in another file), answers over
    several lines, quotes, CRLF line ends, a byte order mark, non-ASCII text."""
    entries = []
    for n in range(rows):
        entry = {
            "id": f"q{n - 97 if n % 23 == 5 and n > 97 else n}",
            "question": f"How long does treatment {n} take?",
            "answer": f"Treatment {n} takes {n % 7 + 1} weeks (café closed), "
            'a "short" course.' + ("\nAsk the nurse (RN) first." if n % 3 else ""),
            "url": "ftp://not-a-web-page" if n % 31 == 7 else "",
        }
        if n % 29 == 3:
            del entry["answer"]
        entries.append(entry)
    entries[60]["answer"] += "\u2028a line separator"
    if suffix == ".jsonl":
        lines = [json.dumps(entry, ensure_ascii=False) for entry in entries]
        for n in range(11, rows, 37):
            lines[n] = lines[n][:40]  # cut short: not valid JSON
        for n in range(13, rows, 41):
            lines[n] += "\n"  # a blank line
        return "\ufeff".encode() + "\r\n".join(lines).encode() + b"\r\n"
    out = io.StringIO()
    sheet = csv.writer(out)
    sheet.writerow(["ID", "Question", "Answer", "URL"])
    for entry in entries:
        sheet.writerow(
            [entry.get(name, "") for name in ("id", "question", "answer", "url")]
        )
    lines = out.getvalue().split("\r\n")
    lines[50] += ",an extra value"
    lines[120] = '120,A stray "quote?,Answer one hundred and twenty.'
    return "\ufeff".encode() + "\r\n".join(lines).encode()


def built_content(built) -> tuple:
    """All that a build gives, as plain values to compare."""
    fields = {
        name: [
            getattr(field, array).tolist()
            for array in ("idf", "indptr", "passage_ids", "term_scores")
        ]
        for name, field in built.fields.items()
    }
    arrays = {name: array.tolist() for name, array in built.columns.arrays().items()}
    return (
        arrays,
        fields,
        built.vocabulary,
        built.aliases,
        built.documents,
        built.problems,
    )


def build_sheet(corpus: Path, monkeypatch, part_bytes: int) -> tuple:
    monkeypatch.setattr(faq_parts, "PART_BYTES", part_bytes)
    return built_content(index_build.build_parts(corpus, FIELD_WEIGHTS))


@pytest.fixture(params=[".jsonl", ".csv"])
def sheet_corpus(request, tmp_path):
    """A corpus of a FAQ sheet and a file before it that has one of the sheet's ids."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        json.dumps({"id": "q150", "question": "First?", "answer": "Said first."})
    )
    (folder / f"faq{request.param}").write_bytes(faq_sheet(request.param))
    return folder


def test_a_faq_sheet_read_in_parts_gives_what_reading_it_whole_gives(
    sheet_corpus, monkeypatch
):
    # Parts of every size, so that they end on, before and after every kind of row.
    whole = build_sheet(sheet_corpus, monkeypatch, 1 << 30)
    reasons = [problem.reason for problem in whole[-1]]
    assert len(reasons) > 20
    assert any("duplicate id 'q23' (first on line" in reason for reason in reasons)
    assert "duplicate document id 'q150' (already in a.jsonl); skipped" in reasons
    sheet = next(sheet_corpus.glob("faq.*"))
    for part_bytes in (300, 517, 1000, 1999, 4096):
        monkeypatch.setattr(faq_parts, "PART_BYTES", part_bytes)
        assert len(faq_parts.parts(sheet)) > 5
        assert build_sheet(sheet_corpus, monkeypatch, part_bytes) == whole, part_bytes


def test_a_faq_sheet_is_read_in_parts_on_every_core_and_never_whole(
    sheet_corpus, monkeypatch
):
    whole = build_sheet(sheet_corpus, monkeypatch, 1 << 30)

    decode = faq.decode  # `faq.read` reads a file whole, `faq_parts.read_part` a part

    def not_the_sheet(path, warnings):
        assert not path.name.startswith("faq"), "the sheet is read whole"
        return decode(path, warnings)

    monkeypatch.setattr(faq, "decode", not_the_sheet)
    monkeypatch.setattr(index_build, "PARALLEL_BYTES", 0)
    assert build_sheet(sheet_corpus, monkeypatch, 700) == whole


@pytest.mark.parametrize(
    ("name", "sheet"),
    [
        ("faq.jsonl", "".join(f'{{"id": {n}, "question": "Q?"}}\n' for n in range(50))),
        ("faq.csv", "id,question,reply\n" + "".join(f"{n},Q?,A.\n" for n in range(50))),
        ("faq.jsonl", " \n" * 400),
    ],
    ids=["no answers", "no answer column", "blank"],
)
def test_a_faq_sheet_without_an_entry_is_reported_as_when_read_whole(
    tmp_path, monkeypatch, name, sheet
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / name).write_text(sheet)
    (corpus / "visiting.md").write_text("# Visiting\n\nVisiting hours are 9 to 5.\n")
    whole = build_sheet(corpus, monkeypatch, 1 << 30)
    assert [p.path for p in whole[-1]] == [name]
    monkeypatch.setattr(faq_parts, "PART_BYTES", 200)
    assert len(faq_parts.parts(corpus / name)) > 2
    assert build_sheet(corpus, monkeypatch, 200) == whole


def test_a_csv_row_running_on_past_its_part_is_read_as_in_the_whole_sheet(
    tmp_path, monkeypatch
):
    # Read whole, the csv reader takes an unclosed quote's row on to the next quote (or
    # to the sheet's end), reports the row and starts again on its next line. A part
    # that ends within that run is read on to the sheet's end instead.
    def row(n: int) -> str:
        if n in (30, 70):
            return f'{n},Question {n}?,"never closed, so this runs on'
        if 30 < n < 60 or n > 70:
            return f"{n},Question {n}?,Answer {n} on one line."
        return f'{n},Question {n}?,"Answer {n}, line one.\nLine two."'

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = "\n".join(row(n) for n in range(80))
    (corpus / "faq.csv").write_text(f"id,question,answer\n{rows}\n")
    whole = build_sheet(corpus, monkeypatch, 1 << 30)
    assert [problem.reason for problem in whole[-1]] == [
        "line 62: broken quoting (',' expected after '\"'); row skipped",
        "line 112: broken quoting (unexpected end of data); row skipped",
    ]
    for part_bytes in range(200, 2000, 150):
        assert build_sheet(corpus, monkeypatch, part_bytes) == whole, part_bytes


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
    from bot.index import ensure_fresh_index, freshness

    index_dir, _ = _two_generations(tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "new.md").write_text("# New\n\nA new leaflet.\n")  # the index is stale

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(index_dir / "gnew"))

    monkeypatch.setattr(freshness, "build_index", disk_full)
    assert ensure_fresh_index(corpus, index_dir) is False
    assert "No space left on device" in caplog.text
    assert len(load_index(index_dir).passages) > 0


def test_with_no_index_to_fall_back_on_a_failed_build_is_a_clear_error(
    tmp_path, monkeypatch
):
    from bot.index import ensure_fresh_index, freshness

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(freshness, "build_index", disk_full)
    with pytest.raises(BrokenIndex, match="could not build the index: No space left"):
        ensure_fresh_index(CORPUS, tmp_path / "index")


def test_a_file_too_slow_to_read_is_reported_and_skipped(tmp_path, monkeypatch):
    """A hostile file (a PDF holding a huge stream, a CSV whose quoting makes a reader
    quadratic) must not hold the build: past its time bound it is skipped."""
    import time

    from bot.ingest import readers

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


def bomb_pdf(megabytes: int) -> bytes:
    """A PDF of about 200 KB whose page draws text `megabytes` MB long: a content
    stream compressed to almost nothing, which pypdf takes hundreds of MB to read."""
    import zlib

    draw = b"BT /F1 12 Tf 72 720 Td (Take two tablets.) Tj ET\n"
    compressor, chunk = zlib.compressobj(9), draw * (1_000_000 // len(draw))
    stream = b"".join(compressor.compress(chunk) for _ in range(megabytes))
    stream += compressor.flush()
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
        % (len(stream), stream),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 %s >> >> >>" % font,
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


# The memory bound is the whole process's, and is off while other threads run (those of
# other tests may): these run in a process of their own.
BUILD_WITH_A_MEMORY_BOUND = """
import json, resource, sys, time
from pathlib import Path
from bot.index import build as index_build
from bot.index import FIELD_WEIGHTS
if sys.argv[2] == "workers":
    index_build.PARALLEL_BYTES = 0  # else a corpus this small is read in this process
limits = resource.getrlimit(resource.RLIMIT_AS)
started = time.perf_counter()
built = index_build.build_parts(Path(sys.argv[1]), FIELD_WEIGHTS, file_memory=64)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "problems": [[problem.path, problem.reason] for problem in built.problems],
    "documents": built.documents,
    "limits kept": resource.getrlimit(resource.RLIMIT_AS) == limits,
}))
"""

MEMORY_BOUND_ENDINGS = """
import resource, signal
import numpy as np
from bot.index.bounds import TooBig, memory_bound

def held():
    return (
        resource.getrlimit(resource.RLIMIT_AS),
        signal.getsignal(signal.SIGPROF),
        signal.getitimer(signal.ITIMER_PROF),
    )

before, endings = held(), []
try:  # taking memory a bit at a time: the timer sees it
    with memory_bound(32):
        taken = [bytearray(1 << 20) for _ in range(1024)]
except TooBig:
    endings.append("TooBig")
endings.append(held() == before)
try:  # at once: the address space limit refuses it
    with memory_bound(32):
        np.empty(2 << 30, np.uint8)
except MemoryError:
    endings.append("MemoryError")
endings.append(held() == before)
with memory_bound(32):
    kept = bytearray(16 << 20)  # within the bound
endings.append(held() == before)
endings.append(len(np.empty(2 << 30, np.uint8)) > 0)  # no bound left behind
print(endings)
"""


def run_alone(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("where", ["this process", "workers"])
def test_a_file_needing_too_much_memory_is_reported_and_skipped(tmp_path, where):
    """The audit's PDF: 200 KB holding a 70 MB content stream took 15 s and 489 MB."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "leaflet.pdf").write_bytes(bomb_pdf(70))
    built = json.loads(run_alone(BUILD_WITH_A_MEMORY_BOUND, str(corpus), where))
    assert built["seconds"] < 10
    assert built["problems"] == [
        ["leaflet.pdf", "needed more than 64 MB to read (FAQBOT_FILE_MEMORY); skipped"]
    ]
    assert built["documents"] == 2  # the others are indexed
    assert built["limits kept"]


def test_the_memory_bound_is_put_back_however_the_block_ends():
    assert run_alone(MEMORY_BOUND_ENDINGS) == str(
        ["TooBig", True, "MemoryError", True, True, True]
    )


def test_the_memory_bound_leaves_a_process_running_threads_alone():
    """It would hold their memory too: a thread's stack, numpy in a server's thread."""
    import threading

    from bot.index.bounds import memory_bound

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with memory_bound(16):
            taken = [np.ones(1 << 20) for _ in range(16)]  # 128 MB, unbounded
            helper = threading.Thread(target=lambda: None)
            helper.start()
            helper.join()
    finally:
        stop.set()
        thread.join()
    assert len(taken) == 16
