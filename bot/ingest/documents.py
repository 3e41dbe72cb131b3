"""Walk a corpus, pick each file's reader, and report every file or row that is skipped."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.readers import READERS, UnreadableFile
from bot.models import Document

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
    """Every file of the corpus in a stable order (see `walk_corpus`)."""
    return walk_corpus(corpus)[0]


def walk_corpus(corpus: Path) -> tuple[list[Path], list[Problem]]:
    """The corpus's regular files in a stable order, and what was passed over and why.

    Hidden files and folders are not content. A symbolic link is followed only to a file
    inside the corpus: one to anywhere else (/etc/passwd) or to nowhere (a loop, a
    missing target) is reported and skipped, as are pipes, sockets and devices.
    """
    if corpus.is_file():
        return [corpus], []
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    root = corpus.resolve()
    files, problems = [], []
    for path in sorted(corpus.rglob("*")):
        name = path.relative_to(corpus).as_posix()
        if any(part.startswith(".") for part in path.relative_to(corpus).parts):
            continue
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                problems.append(Problem(name, "a link that leads nowhere; skipped"))
                continue
            if not target.is_relative_to(root):
                problems.append(Problem(name, "a link to outside the corpus; skipped"))
                continue
        if path.is_dir():
            continue
        if path.is_file():
            files.append(path)
        else:
            problems.append(
                Problem(name, "not a regular file (a pipe, socket or device); skipped")
            )
    return files, problems


def relative_name(path: Path, corpus: Path) -> str:
    """How a corpus file is named in reports: its path below the corpus root."""
    return path.name if corpus.is_file() else path.relative_to(corpus).as_posix()


def document_ids(files: list[Path], corpus: Path) -> dict[Path, str]:
    """Each file's document id: its path below the corpus root with forward slashes and
    without its extension, unless another file has the same path but for the extension
    ("leaflet.md" beside "leaflet.html"): then both keep theirs, so neither is lost."""
    stems = [_without_extension(relative_name(path, corpus)) for path in files]
    shared = {stem for stem, count in Counter(stems).items() if count > 1}
    return {
        path: relative_name(path, corpus) if stem in shared else stem
        for path, stem in zip(files, stems, strict=True)
    }


def _without_extension(relative: str) -> str:
    return relative.rsplit(".", 1)[0] if "." in Path(relative).name else relative


def load_corpus(corpus: Path) -> Corpus:
    """Read every file of the corpus; unreadable files and bad rows are reported, not fatal."""
    documents: list[Document] = []
    files, problems = walk_corpus(corpus)
    ids = document_ids(files, corpus)
    seen_ids: dict[str, str] = {}
    for path in files:
        name = relative_name(path, corpus)
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            problems.append(
                Problem(name, f"unsupported file type {path.suffix or '(none)'}")
            )
            continue
        try:
            read_documents, warnings = reader(path, ids[path])
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
