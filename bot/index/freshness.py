"""Build the index of a corpus, and tell when the one on disk is stale."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bot.errors import BrokenIndex
from bot.index import bm25
from bot.index.build import Progress, build_parts
from bot.index.fields import FIELD_WEIGHTS
from bot.index.generations import (
    ARRAYS,
    FORMAT_VERSION,
    STORE_PREFIX,
    load_index,
    read_manifest,
    save_generation,
)
from bot.index.merge import Built
from bot.ingest.aliases import Alias, without_common_sides
from bot.ingest.documents import Problem, corpus_fingerprint

# The code that decides what the index holds, relative to bot/: editing it makes the
# index stale.
PIPELINE_MODULES = ("ingest", "index")

log = logging.getLogger(__name__)


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
    (build.py); `progress` is called with the bytes of corpus files read so far
    and their total; a file that takes more than `file_seconds` per MB, or more than
    `file_memory` MB of memory, to read is reported and skipped (None: no bound).
    """
    built = build_parts(corpus_dir, FIELD_WEIGHTS, progress, file_seconds, file_memory)
    if not len(built.columns):
        raise BrokenIndex(f"nothing to index: no passages in {corpus_dir}")
    arrays = {
        f"{name}.{array}": getattr(field, array)
        for name, field in built.fields.items()
        for array in ARRAYS
    }
    arrays |= {STORE_PREFIX + name: a for name, a in built.columns.arrays().items()}
    documents = {
        "vocabulary.json": list(built.vocabulary),
        "aliases.json": _aliases_by_first_term(_kept_aliases(built)),
    }
    save_generation(index_dir, _manifest(corpus_dir, built), documents, arrays)
    return BuildReport(built.documents, len(built.columns), tuple(built.problems))


def _manifest(corpus_dir: Path, built: Built) -> dict:
    """What an index was built from and how: the manifest.json of its generation."""
    return {
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


def _kept_aliases(built: Built) -> list[Alias]:
    """The corpus's aliases, less those whose sides are common words of it."""
    frequency = np.diff(built.fields["text"].indptr)
    vocabulary = built.vocabulary
    return without_common_sides(
        built.aliases,
        lambda term: frequency[vocabulary[term]] if term in vocabulary else 0,
        len(built.columns),
    )


def _aliases_by_first_term(aliases: list[Alias]) -> dict[str, list[Alias]]:
    grouped: dict[str, list[Alias]] = {}
    for when, add in aliases:
        grouped.setdefault(when[0], []).append((when, add))
    return grouped


def is_stale(index_dir: Path, corpus_dir: Path) -> bool:
    """True when the index is missing, or was built from another corpus or by other code."""
    manifest = read_manifest(index_dir)
    return (
        manifest is None
        or manifest.get("format_version") != FORMAT_VERSION
        or manifest.get("pipeline_fingerprint") != pipeline_fingerprint()
        or manifest.get("corpus_fingerprint") != corpus_fingerprint(corpus_dir)
    )


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
