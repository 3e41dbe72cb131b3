import json
import shutil

import pytest

from bot.errors import BrokenIndex
from bot.index import (
    IndexHolder,
    build_index,
    current_generation,
    is_stale,
    load_index,
)

from .conftest import CORPUS, ROOT


def test_the_committed_index_is_not_stale():
    assert not is_stale(ROOT / "index", CORPUS), "run `faqbot index` and commit index/"


def test_an_index_knows_what_it_was_built_from(index):
    manifest = index.manifest
    assert manifest["documents"] == 2
    assert manifest["passages"] == len(index.passages)
    assert manifest["bm25"] == {"variant": "BM25Plus", "k1": 1.5, "b": 0.75, "delta": 1.0}


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
    passages = current_generation(index_dir) / "passages.jsonl"
    passages.write_text(passages.read_text().replace("FOLFOX", "FOLFAX"))
    with pytest.raises(BrokenIndex, match="does not match its checksum"):
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
    (corpus_copy / "diet.md").write_text("# Diet\n\nEat small meals often during chemotherapy.\n")
    build_index(corpus_copy, index_dir)
    assert holder.get().manifest["documents"] == 3


def test_the_index_holds_no_pickle(index_dir):
    folder = current_generation(index_dir)
    assert {p.suffix for p in folder.iterdir()} == {".json", ".jsonl", ".npy"}
    json.loads((folder / "manifest.json").read_text())
