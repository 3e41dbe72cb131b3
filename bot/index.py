"""Build the BM25 index of a corpus, save it to index/, load it back, and tell when it is stale.

On disk (no pickle anywhere): `index/current.json` names the generation folder in use;
each generation holds `manifest.json` (what was built from what, with a SHA-256 for every
file), `passages.jsonl`, `vocabulary.json` and one set of `.npy` arrays per field. A build
writes a new generation and then replaces `current.json` in one rename, so a failed build
leaves the previous index serving, and readers never see half an index.
"""

from __future__ import annotations

import hashlib
import logging
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import bm25
from .aliases import Alias, learn_aliases
from .documents import Corpus, corpus_fingerprint, load_corpus
from .errors import BrokenIndex
from .models import Passage
from .passages import split_into_passages
from .tokenization import terms

FORMAT_VERSION = 1
# How much each field of a passage counts; the section is the heading (an FAQ entry's question).
FIELD_WEIGHTS = {"text": 1.0, "section": 1.0, "title": 0.5}
ARRAYS = ("idf", "indptr", "passage_ids", "term_scores")
# The modules whose code decides what the index holds: editing one makes the index stale.
PIPELINE_MODULES = (
    "aliases.py",
    "synonyms.py",
    "readers",
    "documents.py",
    "passages.py",
    "tokenization.py",
    "bm25.py",
    "index.py",
)

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Index:
    """A loaded index: the passages, their terms' posting lists per field, and the manifest."""

    passages: tuple[Passage, ...]
    vocabulary: dict[str, int]
    fields: dict[str, bm25.FieldScores]
    sections: dict[str, list[str]]  # document_id -> its section headings, in order
    aliases: dict[str, list[Alias]]  # first term of an alias -> the aliases it starts
    manifest: dict

    @cached_property
    def terms(self) -> tuple[str, ...]:
        """Every index term, by term id (for spelling correction)."""
        return tuple(self.vocabulary)

    @cached_property
    def document_frequency(self) -> np.ndarray:
        """How many passages hold each term in their text, by term id."""
        return np.diff(self.fields["text"].indptr)


def field_texts(passage: Passage) -> dict[str, str]:
    """The text of each indexed field of a passage."""
    return {"text": passage.text, "section": passage.section, "title": passage.title}


def pipeline_fingerprint() -> str:
    """A hash of the code that turns a corpus into an index."""
    digest = hashlib.sha256(str(FORMAT_VERSION).encode())
    package = Path(__file__).parent
    for name in PIPELINE_MODULES:
        path = package / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.read_bytes())
    return digest.hexdigest()


def build_index(
    corpus_dir: Path, index_dir: Path, progress: Progress | None = None
) -> Corpus:
    """Read the corpus, index its passages and switch index_dir to the new index."""
    corpus = load_corpus(corpus_dir)
    passages = [
        p for document in corpus.documents for p in split_into_passages(document)
    ]
    if not passages:
        raise BrokenIndex(f"nothing to index: no passages in {corpus_dir}")
    vocabulary: dict[str, int] = {}
    term_ids: dict[str, list[np.ndarray]] = {name: [] for name in FIELD_WEIGHTS}
    for number, passage in enumerate(passages, start=1):
        for name, text in field_texts(passage).items():
            ids = [vocabulary.setdefault(term, len(vocabulary)) for term in terms(text)]
            term_ids[name].append(np.array(ids, dtype=np.int64))
        if progress and (number % 1000 == 0 or number == len(passages)):
            progress(number, len(passages))
    fields = {
        name: bm25.build_field(ids, len(vocabulary), FIELD_WEIGHTS[name])
        for name, ids in term_ids.items()
    }
    sections: dict[str, list[str]] = {}
    for passage in passages:
        headings = sections.setdefault(passage.document_id, [])
        if passage.section and passage.section not in headings:
            headings.append(passage.section)
    manifest = {
        "format_version": FORMAT_VERSION,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "corpus_fingerprint": corpus_fingerprint(corpus_dir),
        "pipeline_fingerprint": pipeline_fingerprint(),
        "documents": len(corpus.documents),
        "passages": len(passages),
        "terms": len(vocabulary),
        "bm25": {
            "variant": "BM25Plus",
            "k1": bm25.K1,
            "b": bm25.B,
            "delta": bm25.DELTA,
        },
        "field_weights": FIELD_WEIGHTS,
    }
    aliases = _aliases_by_first_term(learn_aliases(p.text for p in passages))
    _save(Index(tuple(passages), vocabulary, fields, sections, aliases, manifest), index_dir)
    return corpus


def _save(index: Index, index_dir: Path) -> None:
    """Write a new generation beside the current one, check it loads, then switch to it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = (
        f"g{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    )
    folder = index_dir / generation
    folder.mkdir()
    try:
        with (folder / "passages.jsonl").open("w", encoding="utf-8") as handle:
            for passage in index.passages:
                handle.write(json.dumps(asdict(passage), ensure_ascii=False) + "\n")
        (folder / "vocabulary.json").write_text(
            json.dumps(list(index.vocabulary)), "utf-8"
        )
        (folder / "sections.json").write_text(json.dumps(index.sections), "utf-8")
        (folder / "aliases.json").write_text(json.dumps(index.aliases), "utf-8")
        for name, field in index.fields.items():
            for array in ARRAYS:
                np.save(
                    folder / f"{name}.{array}.npy",
                    getattr(field, array),
                    allow_pickle=False,
                )
        files = {path.name: _sha256(path) for path in sorted(folder.iterdir())}
        manifest = {**index.manifest, "files": files}
        (folder / "manifest.json").write_text(
            json.dumps(manifest, indent=2) + "\n", "utf-8"
        )
        _load_generation(folder)  # it must load before anyone is pointed at it
        pointer = index_dir / f".current.{generation}.tmp"
        pointer.write_text(json.dumps({"generation": generation}) + "\n", "utf-8")
        os.replace(pointer, index_dir / "current.json")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _remove_old_generations(index_dir, keep=generation)


def _aliases_by_first_term(aliases: list[Alias]) -> dict[str, list[Alias]]:
    grouped: dict[str, list[Alias]] = {}
    for when, add in aliases:
        grouped.setdefault(when[0], []).append((when, add))
    return grouped


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    for path in index_dir.iterdir():
        if path.is_dir() and path.name.startswith("g") and path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def current_generation(index_dir: Path) -> Path | None:
    """The folder of the index in use, or None when there is none."""
    try:
        pointer = json.loads((index_dir / "current.json").read_text("utf-8"))
        folder = index_dir / str(pointer["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder if (folder / "manifest.json").is_file() else None


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest of the index in use, or None when there is no usable one."""
    folder = current_generation(index_dir)
    if folder is None:
        return None
    try:
        return json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def is_stale(index_dir: Path, corpus_dir: Path) -> bool:
    """True when the index is missing, or was built from another corpus or by other code."""
    manifest = read_manifest(index_dir)
    return (
        manifest is None
        or manifest.get("format_version") != FORMAT_VERSION
        or manifest.get("pipeline_fingerprint") != pipeline_fingerprint()
        or manifest.get("corpus_fingerprint") != corpus_fingerprint(corpus_dir)
    )


def load_index(index_dir: Path) -> Index:
    """The index in use; BrokenIndex when it is missing, corrupt or tampered with."""
    folder = current_generation(index_dir)
    if folder is None:
        raise BrokenIndex(f"no index in {index_dir}: run `faqbot index`")
    return _load_generation(folder)


def _load_generation(folder: Path) -> Index:
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        for name, digest in manifest["files"].items():
            if _sha256(folder / name) != digest:
                raise BrokenIndex(
                    f"index file {folder / name} does not match its checksum"
                )
        with (folder / "passages.jsonl").open(encoding="utf-8") as handle:
            passages = tuple(Passage(**json.loads(line)) for line in handle)
        vocabulary = json.loads((folder / "vocabulary.json").read_text("utf-8"))
        sections = json.loads((folder / "sections.json").read_text("utf-8"))
        aliases = {
            first: [(tuple(when), tuple(add)) for when, add in entries]
            for first, entries in json.loads(
                (folder / "aliases.json").read_text("utf-8")
            ).items()
        }
        fields = {
            name: bm25.FieldScores(
                weight=float(weight),
                **{
                    array: _memory_mapped(folder / f"{name}.{array}.npy")
                    for array in ARRAYS
                },
            )
            for name, weight in manifest["field_weights"].items()
        }
    except BrokenIndex:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BrokenIndex(f"index in {folder} cannot be read: {error}") from error
    vocabulary_ids = {term: i for i, term in enumerate(vocabulary)}
    return Index(passages, vocabulary_ids, fields, sections, aliases, manifest)


def _memory_mapped(path: Path) -> np.ndarray:
    """A read-only array backed by the file, shared by every process that maps it.

    np.asarray drops the memmap subclass, whose per-slice overhead is large on the hot path.
    """
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class IndexHolder:
    """The index a server answers from; picks up a rebuilt index without a restart.

    Each `get()` costs one stat of `current.json`. When the pointer changed, the new
    generation is loaded; if it cannot be, the index already loaded keeps serving.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self._index = load_index(index_dir)
        self._pointer_stamp = self._stamp()

    def get(self) -> Index:
        """The current index, reloaded first when a build switched generations."""
        stamp = self._stamp()
        if stamp != self._pointer_stamp:
            try:
                self._index = load_index(self.index_dir)
                self._pointer_stamp = stamp
            except BrokenIndex:
                log.exception("new index in %s cannot be loaded; still serving the old one", self.index_dir)
                self._pointer_stamp = stamp
        return self._index

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = (self.index_dir / "current.json").stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)


def ensure_fresh_index(corpus_dir: Path, index_dir: Path, progress: Progress | None = None) -> bool:
    """Build the index when it is missing or stale; True when a build ran."""
    if not is_stale(index_dir, corpus_dir):
        return False
    log.info("index in %s is missing or stale; building it from %s", index_dir, corpus_dir)
    build_index(corpus_dir, index_dir, progress)
    return True
