"""Corpus -> passages -> terms -> posting lists, one file at a time, on every core.

Each file is read into compact columns by file_indexing.py, in worker processes when
the corpus is large. A large FAQ sheet (an export of a million rows) is cut at row
boundaries into parts of a few MB (readers/faq.py, `parts`), each read like a small
file. The main process merges files and parts in corpus order, so the result is the
same as reading them one after another, and a sheet's as reading it whole: terms get
their ids in order of first appearance, problems are reported in file order (a sheet's
bad rows by their line in it), and a document id seen before is skipped, as reading
file after file would (tests/oracles.py's load_corpus). Memory stays bounded by the
largest file other than a FAQ sheet, not the corpus.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.index.bounds import memory_per_file, seconds_for
from bot.index.file_worker import FileResult, read_file
from bot.index.merge import Built, Merger
from bot.ingest.documents import document_ids, walk_corpus
from bot.ingest.readers import READERS, faq, faq_parts

PARALLEL_BYTES = 8 << 20  # a smaller corpus is read in this process: no start-up cost

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


def build_parts(
    corpus_dir: Path,
    weights: dict[str, float],
    progress: Progress | None = None,
    file_seconds: float | None = None,
    file_memory: int | None = None,
) -> Built:
    """Read the whole corpus (files in parallel when it is large) and merge it in order;
    a file may take `file_seconds` per MB (at least one MB's worth) to read, and
    `file_memory` MB of memory (see file_indexing.memory_bound)."""
    files, passed_over = walk_corpus(corpus_dir)
    ids = document_ids(files, corpus_dir)
    total, done = sum(path.stat().st_size for path in files) or 1, 0
    merger = Merger()
    merger.problems.extend(passed_over)
    with memory_per_file(file_memory):
        for path, part, result in _read_all(files, ids, file_seconds):
            if part is None:
                seconds = seconds_for(path, None, file_seconds)
                merger.merge(corpus_dir, path, ids[path], seconds, result)
                done += path.stat().st_size
            else:
                merger.merge_part(
                    corpus_dir, path, ids[path], file_seconds, part, result
                )
                done += part.end - part.start
            if progress:
                progress(done, total)
    for problem in merger.problems:
        log.warning("corpus: %s %s", problem.path, problem.reason)
    return merger.built(weights)


def _parts(path: Path) -> list[faq_parts.Part | None]:
    """A large FAQ sheet's parts (see faq_parts.parts), else the whole file: [None]."""
    if READERS.get(path.suffix.lower()) is not faq.read:
        return [None]
    try:
        return faq_parts.parts(path) or [None]
    except OSError:  # read whole, the file is reported with the reason
        return [None]


def _read_all(
    files: list[Path], ids: dict[Path, str], file_seconds: float | None
) -> Iterator[tuple[Path, faq_parts.Part | None, FileResult | None]]:
    """Each file, or each part of a large FAQ sheet, with what reading it gave (None: no
    reader for the file), in corpus order."""
    pieces = [(path, part) for path in files for part in _parts(path)]
    jobs = [
        (str(path), ids[path], frozenset(), seconds_for(path, part, file_seconds), part)
        for path, part in pieces
        if path.suffix.lower() in READERS
    ]
    workers = min(len(jobs), len(os.sched_getaffinity(0)))
    size = sum(path.stat().st_size for path in files if path.suffix.lower() in READERS)
    # Worker processes are forked: they start at once and share what is loaded. Forking
    # a process that runs other threads (a development server) can deadlock them, and
    # the other start methods re-run the caller's main script: read in-process then.
    if workers < 2 or size < PARALLEL_BYTES or threading.active_count() > 1:
        yield from _in_order(pieces, (read_file(*job) for job in jobs))
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from _in_order(pieces, pool.imap(_read_job, jobs))


def _read_job(
    job: tuple[str, str, frozenset[int], float | None, faq_parts.Part | None],
) -> FileResult:
    return read_file(*job)


def _in_order(
    pieces: list[tuple[Path, faq_parts.Part | None]], results
) -> Iterator[tuple[Path, faq_parts.Part | None, FileResult | None]]:
    results = iter(results)
    for path, part in pieces:
        yield path, part, next(results) if path.suffix.lower() in READERS else None
