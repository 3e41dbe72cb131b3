"""Build the BM25 index of a corpus, save it to index/, load it back, and tell when it is stale.

On disk (no pickle anywhere): `index/current.json` names the generation folder in use;
each generation holds `manifest.json` (what was built from what, with each file's size
and SHA-256), `vocabulary.json`, `aliases.json`, one set of `.npy` arrays per field and
the passage store's arrays (passage_store.py). Every file is read whole into memory and
checked against its SHA-256 on load (index_files.py), never memory-mapped. A build writes
a new generation and then replaces `current.json` in one rename, so a failed build leaves
the previous index serving, and readers never see half an index.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import numpy as np

from bot.errors import BrokenIndex
from bot.index import bm25, scoring
from bot.index import files as index_files
from bot.index.build import build_parts
from bot.index.passage_store import PassageStore
from bot.ingest.aliases import Alias, without_common_sides
from bot.ingest.documents import Problem, corpus_fingerprint

FORMAT_VERSION = 3
BUILD_LOCK = ".build.lock"  # held while a build writes and switches generations
# How much each field of a passage counts; the section is the heading (an FAQ entry's question).
FIELD_WEIGHTS = {"text": 1.0, "section": 1.0, "title": 0.5}
ARRAYS = ("idf", "indptr", "passage_ids", "term_scores")
STORE_PREFIX = "passages."
# The code that decides what the index holds, relative to bot/: editing it makes the
# index stale.
PIPELINE_MODULES = ("ingest", "index")

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Index:
    """A loaded index: the passages, their terms' posting lists per field, and the manifest."""

    passages: PassageStore  # a sequence of Passage, each built on access
    vocabulary: dict[str, int]
    fields: dict[str, bm25.FieldScores]
    sections: Mapping[str, list[str]]  # document_id -> its section headings, in order
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

    @cached_property
    def postings(self) -> scoring.Postings:
        """The fields as the compiled search reads them."""
        return scoring.Postings.of(list(self.fields.values()), len(self.passages))

    @cached_property
    def highest_idf(self) -> np.ndarray:
        """Each term's highest idf over the fields, by term id (see `idf`)."""
        return np.maximum.reduce([field.idf for field in self.fields.values()])

    def idf(self, term: str) -> float:
        """The term's highest idf over the fields; a term the corpus lacks counts as the
        rarest: what a question's term weighs when coverage is judged (ranking.py)."""
        term_id = self.vocabulary.get(term)
        if term_id is None:
            return math.log(len(self.passages) + 1)
        return float(self.highest_idf[term_id])

    @cached_property
    def corrections(self) -> dict[str, str | None]:
        """Spelling corrections found so far (query.py): unknown term -> index term."""
        return {}

    @cached_property
    def _term_lengths(self) -> np.ndarray:
        return np.fromiter(map(len, self.terms), dtype=np.int32, count=len(self.terms))

    def terms_of_length(
        self, shortest: int, longest: int
    ) -> tuple[list[str], list[int]]:
        """The terms whose length is within the bounds, and their ids, in id order."""
        key = (shortest, longest)
        if key not in self._windows:
            lengths = self._term_lengths
            ids = np.flatnonzero((lengths >= shortest) & (lengths <= longest)).tolist()
            self._windows[key] = ([self.terms[i] for i in ids], ids)
        return self._windows[key]

    @cached_property
    def _windows(self) -> dict:
        return {}


@dataclass(frozen=True)
class BuildReport:
    """What a build indexed, and the files or rows it skipped or warned about."""

    documents: int
    passages: int
    problems: tuple[Problem, ...]


def pipeline_fingerprint() -> str:
    """A hash of the code that turns a corpus into an index."""
    digest = hashlib.sha256(str(FORMAT_VERSION).encode())
    package = Path(__file__).parent.parent
    for name in PIPELINE_MODULES:
        path = package / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.read_bytes())
    return digest.hexdigest()


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    progress: Progress | None = None,
    file_seconds: float | None = None,
    file_memory: int | None = None,
) -> BuildReport:
    """Read the corpus, index its passages and switch index_dir to the new index.

    Large corpora are read file by file, a large FAQ sheet part by part, on every core
    (index_build.py); `progress` is called with the bytes of corpus files read so far
    and their total; a file that takes more than `file_seconds` per MB, or more than
    `file_memory` MB of memory, to read is reported and skipped (None: no bound).
    """
    built = build_parts(corpus_dir, FIELD_WEIGHTS, progress, file_seconds, file_memory)
    if not len(built.columns):
        raise BrokenIndex(f"nothing to index: no passages in {corpus_dir}")
    manifest = {
        "format_version": FORMAT_VERSION,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "corpus_fingerprint": corpus_fingerprint(corpus_dir),
        "pipeline_fingerprint": pipeline_fingerprint(),
        "documents": built.documents,
        "passages": len(built.columns),
        "terms": len(built.vocabulary),
        "bm25": {
            "variant": "BM25Plus",
            "k1": bm25.K1,
            "b": bm25.B,
            "delta": bm25.DELTA,
        },
        "field_weights": FIELD_WEIGHTS,
    }
    arrays = {
        f"{name}.{array}": getattr(field, array)
        for name, field in built.fields.items()
        for array in ARRAYS
    }
    arrays |= {STORE_PREFIX + name: a for name, a in built.columns.arrays().items()}
    frequency = np.diff(built.fields["text"].indptr)
    aliases = without_common_sides(
        built.aliases,
        lambda term: (
            frequency[built.vocabulary[term]] if term in built.vocabulary else 0
        ),
        len(built.columns),
    )
    documents = {
        "vocabulary.json": list(built.vocabulary),
        "aliases.json": _aliases_by_first_term(aliases),
    }
    _save(index_dir, manifest, documents, arrays)
    return BuildReport(built.documents, len(built.columns), tuple(built.problems))


def _save(index_dir: Path, manifest: dict, documents: dict, arrays: dict) -> None:
    """Write a new generation beside the current one, check it loads, then switch to it;
    one build at a time (a lock): two builds switching and clearing old generations at
    once could leave current.json naming a folder the other removed."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(index_dir):
        _save_generation(index_dir, manifest, documents, arrays)


@contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive use of index_dir for writing; a second build says so, then waits."""
    with open(index_dir / BUILD_LOCK, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning(
                "another index build is writing to %s: waiting for it to finish",
                index_dir,
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _save_generation(
    index_dir: Path, manifest: dict, documents: dict, arrays: dict
) -> None:
    generation = (
        f"g{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    )
    folder = index_dir / generation
    folder.mkdir()
    try:
        files = {
            name: index_files.write_json(folder / name, value)
            for name, value in documents.items()
        }
        for name, array in arrays.items():
            files[f"{name}.npy"] = index_files.write_array(
                folder / f"{name}.npy", array
            )
        index_files.write_json(folder / "manifest.json", {**manifest, "files": files})
        _load_generation(folder)  # it must load before anyone is pointed at it
        previous = current_generation(index_dir)
        pointer = index_dir / f".current.{generation}.tmp"
        pointer.write_text(json.dumps({"generation": generation}) + "\n", "utf-8")
        os.replace(pointer, index_dir / "current.json")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    # The one replaced stays as a fallback, should this one be damaged on disk later.
    _remove_old_generations(
        index_dir, keep={generation, previous.name if previous else ""}
    )


def _aliases_by_first_term(aliases: list[Alias]) -> dict[str, list[Alias]]:
    grouped: dict[str, list[Alias]] = {}
    for when, add in aliases:
        grouped.setdefault(when[0], []).append((when, add))
    return grouped


def _remove_old_generations(index_dir: Path, keep: set[str]) -> None:
    for path in index_dir.iterdir():
        if path.is_dir() and path.name.startswith("g") and path.name not in keep:
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
    """The index in use or, when it is damaged, the newest earlier generation that loads
    (said in the log); BrokenIndex when none does."""
    folder = current_generation(index_dir)
    if folder is None:
        raise BrokenIndex(f"no index in {index_dir}: run `faqbot index`")
    try:
        return _load_generation(folder)
    except BrokenIndex as damaged:
        for older in _generations(index_dir, newest_first=True):
            if older == folder:
                continue
            try:
                index = _load_generation(older)
            except BrokenIndex:
                continue
            log.warning(
                "index in use cannot be loaded (%s); serving the earlier one in %s",
                damaged,
                older,
            )
            return index
        raise


def _generations(index_dir: Path, newest_first: bool) -> list[Path]:
    """The generation folders of an index folder (their names start with the time)."""
    folders = [p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("g")]
    return sorted(folders, key=lambda p: p.name, reverse=newest_first)


def verify_index(index_dir: Path) -> None:
    """Check every byte of the index in use against its SHA-256; BrokenIndex if one differs.

    Loading checks what it reads; this checks the files on disk, for `faqbot index
    --verify` or a periodic job.
    """
    folder = current_generation(index_dir)
    if folder is None:
        raise BrokenIndex(f"no index in {index_dir}: run `faqbot index`")
    index_files.check_files(folder, _manifest(folder)["files"])


def _manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BrokenIndex(f"index in {folder} cannot be read: {error}") from error
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BrokenIndex(
            f"index in {folder} is of another version: run `faqbot index`"
        )
    return manifest


def _load_generation(folder: Path) -> Index:
    manifest = _manifest(folder)
    try:
        files = manifest["files"]

        def load(name: str):
            return index_files.load_file(folder / name, files[name])

        vocabulary = load("vocabulary.json")
        aliases = {
            first: [(tuple(when), tuple(add)) for when, add in entries]
            for first, entries in load("aliases.json").items()
        }
        fields = {
            name: bm25.FieldScores(
                weight=float(weight),
                **{array: load(f"{name}.{array}.npy") for array in ARRAYS},
            )
            for name, weight in manifest["field_weights"].items()
        }
        passages = PassageStore(
            {
                name[len(STORE_PREFIX) : -len(".npy")]: load(name)
                for name in files
                if name.startswith(STORE_PREFIX)
            }
        )
    except BrokenIndex:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BrokenIndex(f"index in {folder} cannot be read: {error}") from error
    vocabulary_ids = {term: i for i, term in enumerate(vocabulary)}
    return Index(
        passages, vocabulary_ids, fields, passages.sections(), aliases, manifest
    )


class IndexHolder:
    """The index a server answers from; picks up a rebuilt index without a restart.

    Each `get()` costs one stat of `current.json`. When the pointer changed, the new
    generation is loaded; if it cannot be, the index already loaded keeps serving.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        # Made once, as a plain string (os.stat is cheaper with one): get() runs per request.
        self._pointer = str(index_dir / "current.json")
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
                log.exception(
                    "new index in %s cannot be loaded; still serving the old one",
                    self.index_dir,
                )
                self._pointer_stamp = stamp
        return self._index

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self._pointer)
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)


def ensure_fresh_index(
    corpus_dir: Path,
    index_dir: Path,
    progress: Progress | None = None,
    file_seconds: float | None = None,
    file_memory: int | None = None,
) -> bool:
    """Build the index when it is missing or stale; True when a build ran.

    A build that fails (an unreadable corpus, a full disk) while an index loads leaves
    that index serving, and the log says why it was not rebuilt; with none, BrokenIndex.
    """
    try:
        if not is_stale(index_dir, corpus_dir):
            return False
        log.info(
            "index in %s is missing or stale; building it from %s",
            index_dir,
            corpus_dir,
        )
        build_index(corpus_dir, index_dir, progress, file_seconds, file_memory)
    except (BrokenIndex, OSError) as error:
        reason = str(error) if isinstance(error, BrokenIndex) else _os_reason(error)
        try:
            serving = load_index(index_dir)
        except BrokenIndex:
            raise BrokenIndex(f"could not build the index: {reason}") from None
        log.warning(
            "could not rebuild the index from %s (%s); serving the one built at %s",
            corpus_dir,
            reason,
            serving.manifest["built_at"],
        )
        return False
    return True


def _os_reason(error: OSError) -> str:
    """What went wrong on disk, in words: "No space left on device: 'index/g...'"."""
    where = f": {error.filename!r}" if error.filename else ""
    return f"{error.strerror or type(error).__name__}{where}"
