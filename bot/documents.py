"""Walk a corpus, pick each file's reader, and report every file or row that is skipped."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .models import Document
from .readers import READERS, UnreadableFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """A file (or a row of one) that was skipped or read with a caveat, and why."""

    path: str  # relative to the corpus root
    reason: str
    skipped: bool = True


@dataclass(frozen=True)
class Corpus:
    """The documents of a corpus and what went wrong reading it."""

    documents: tuple[Document, ...]
    problems: tuple[Problem, ...] = field(default=())


def corpus_files(corpus: Path) -> list[Path]:
    """Every file of the corpus in a stable order; hidden files and folders are not content."""
    if corpus.is_file():
        return [corpus]
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    return sorted(
        path
        for path in corpus.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(corpus).parts)
    )


def relative_name(path: Path, corpus: Path) -> str:
    """How a corpus file is named in reports: its path below the corpus root."""
    return path.name if corpus.is_file() else path.relative_to(corpus).as_posix()


def document_id_for(path: Path, corpus: Path) -> str:
    """The path relative to the corpus root, without extension, with forward slashes."""
    relative = relative_name(path, corpus)
    return relative.rsplit(".", 1)[0] if "." in Path(relative).name else relative


def load_corpus(corpus: Path) -> Corpus:
    """Read every file of the corpus; unreadable files and bad rows are reported, not fatal."""
    documents: list[Document] = []
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    for path in corpus_files(corpus):
        name = relative_name(path, corpus)
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            problems.append(
                Problem(name, f"unsupported file type {path.suffix or '(none)'}")
            )
            continue
        try:
            read_documents, warnings = reader(path, document_id_for(path, corpus))
        except UnreadableFile as error:
            problems.append(Problem(name, str(error)))
            continue
        except Exception as error:  # a reader bug must not stop the rest of the corpus
            log.exception("reader failed on %s", name)
            problems.append(
                Problem(name, f"could not be read ({type(error).__name__})")
            )
            continue
        problems.extend(
            Problem(name, warning, skipped="skipped" in warning) for warning in warnings
        )
        for document in read_documents:
            if document.document_id in seen_ids:
                problems.append(
                    Problem(
                        name,
                        f"duplicate document id {document.document_id!r} "
                        f"(already in {seen_ids[document.document_id]}); skipped",
                    )
                )
                continue
            seen_ids[document.document_id] = name
            documents.append(document)
    for problem in problems:
        log.warning("corpus: %s %s", problem.path, problem.reason)
    return Corpus(documents=tuple(documents), problems=tuple(problems))


def corpus_fingerprint(corpus: Path) -> str:
    """A hash of every corpus file's name and contents: changes exactly when the corpus does."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus):
        name = relative_name(path, corpus)
        digest.update(name.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()
