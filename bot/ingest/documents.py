"""Walk a corpus, pick each file's reader, and report every file or row that is skipped."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """A file (or a row of one) that was skipped or read with a caveat, and why."""

    path: str  # relative to the corpus root
    reason: str
    skipped: bool = True


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
