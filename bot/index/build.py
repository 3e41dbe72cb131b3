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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from bot.index import bm25
from bot.index.bounds import memory_per_file
from bot.index.fields import FIELDS
from bot.index.file_worker import FileResult, read_file
from bot.index.passage_store import PassageColumns
from bot.ingest.aliases import Alias
from bot.ingest.documents import Problem, document_ids, relative_name, walk_corpus
from bot.ingest.readers import READERS, faq, faq_parts

PARALLEL_BYTES = 8 << 20  # a smaller corpus is read in this process: no start-up cost

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


@dataclass
class Built:
    """A corpus read into passage columns, posting lists and aliases."""

    columns: PassageColumns
    vocabulary: dict[str, int]
    fields: dict[str, bm25.FieldScores]
    aliases: list[Alias]
    documents: int
    problems: list[Problem]


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
    merger = _Merger()
    merger.problems.extend(passed_over)
    with memory_per_file(file_memory):
        for path, part, result in _read_all(files, ids, file_seconds):
            if part is None:
                seconds = _time_bound(path, None, file_seconds)
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


def _time_bound(
    path: Path, part: faq_parts.Part | None, file_seconds: float | None
) -> float | None:
    """How long a file (or a part of a sheet) may take to read: `file_seconds` per MB,
    at least one MB's."""
    if file_seconds is None:
        return None
    size = part.end - part.start if part else path.stat().st_size
    return file_seconds * max(1.0, size / 1_000_000)


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
        (str(path), ids[path], frozenset(), _time_bound(path, part, file_seconds), part)
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


@dataclass
class _Sheet:
    """A large FAQ sheet merged part by part. Its problems wait for its end: reading it
    whole reports its rows' warnings, then its ids that other files have."""

    lines: dict[str, int] = field(default_factory=dict)  # each entry's id -> its line
    warnings: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    entries: int = 0
    ended: bool = False


class _Merger:
    """Files' results merged one after another, in corpus order."""

    def __init__(self):
        self.columns = PassageColumns()
        self.vocabulary: dict[str, int] = {}
        self.entries: dict[str, list] = {name: [] for name in FIELDS}
        self.lengths: dict[str, list[np.ndarray]] = {name: [] for name in FIELDS}
        self.aliases: set[Alias] = set()
        self.documents = 0
        self.problems: list[Problem] = []
        self.seen: dict[str, str] = {}  # document id -> the file it came from
        self.sheet = _Sheet(ended=True)  # the FAQ sheet being merged part by part

    def merge(
        self,
        corpus_dir: Path,
        path: Path,
        document_id: str,
        seconds: float | None,
        result: FileResult | None,
    ) -> None:
        """Add one file's result, reporting its problems as reading the corpus file by file would."""
        name = relative_name(path, corpus_dir)
        if result is None:
            reason = f"unsupported file type {path.suffix or '(none)'}"
            self.problems.append(Problem(name, reason))
            return
        if result.failure is not None:
            if result.crash:
                log.error("reader failed on %s\n%s", name, result.crash)
            self.problems.append(Problem(name, result.failure))
            return
        self.problems.extend(
            Problem(name, warning, skipped="skipped" in warning)
            for warning in result.warnings
        )
        dropped = self._duplicates(name, result.document_ids, self.problems)
        if dropped:  # rare: read the file again without them
            result = read_file(str(path), document_id, frozenset(dropped), seconds)
        self.documents += len(result.document_ids) - len(dropped)
        self._add(result)

    def merge_part(
        self,
        corpus_dir: Path,
        path: Path,
        document_id: str,
        file_seconds: float | None,
        part: faq_parts.Part,
        result: FileResult,
    ) -> None:
        """Add one part of a large FAQ sheet, so that the sheet gives what reading it
        whole gives (a part that fails ends the sheet, reported from its first line)."""
        name = relative_name(path, corpus_dir)
        if part.start == 0:
            self.sheet = _Sheet()
        sheet = self.sheet
        if sheet.ended:  # failed, or read on to its end
            return
        if result.failure is None and not result.whole_rows:
            # A malformed CSV row ran on past the part: read the rest as one part.
            part = replace(part, end=path.stat().st_size, last=True)
            seconds = _time_bound(path, part, file_seconds)
            result = read_file(str(path), document_id, frozenset(), seconds, part)
        if result.failure is not None:
            if result.crash:
                log.error("reader failed on %s\n%s", name, result.crash)
            where = f"from line {part.line}: " if part.start else ""
            sheet.warnings.append(Problem(name, where + result.failure))
            self._end_sheet(sheet)
            return
        known = {i: sheet.lines[i] for i in result.document_ids if i in sheet.lines}
        ids = [i for i in result.document_ids if i not in known]
        dropped = self._duplicates(name, ids, sheet.duplicates)
        if known or dropped:  # rare: read the part again, without them
            seconds = _time_bound(path, part, file_seconds)
            result = read_file(
                str(path), document_id, frozenset(dropped), seconds, part, known
            )
        sheet.warnings.extend(
            Problem(name, warning, skipped="skipped" in warning)
            for warning in result.warnings
        )
        sheet.lines.update(zip(result.document_ids, result.lines, strict=True))
        sheet.entries += len(ids)
        self.documents += len(ids) - len(dropped)
        self._add(result)
        if not part.last:
            return
        if not sheet.entries:  # no entry at all: reading it whole says why
            seconds = _time_bound(path, None, file_seconds)
            whole = read_file(str(path), document_id, frozenset(), seconds)
            sheet.warnings, sheet.duplicates = [], []
            self.merge(corpus_dir, path, document_id, seconds, whole)
        self._end_sheet(sheet)

    def _end_sheet(self, sheet: _Sheet) -> None:
        self.problems += sheet.warnings + sheet.duplicates
        sheet.ended, sheet.lines = True, {}

    def _duplicates(
        self, name: str, document_ids: list[str], problems: list[Problem]
    ) -> set[int]:
        dropped = set()
        for number, document_id in enumerate(document_ids):
            if document_id in self.seen:
                problems.append(
                    Problem(
                        name,
                        f"duplicate document id {document_id!r} "
                        f"(already in {self.seen[document_id]}); skipped",
                    )
                )
                dropped.add(number)
            else:
                self.seen[document_id] = name
        return dropped

    def _add(self, result: FileResult) -> None:
        offset = len(self.columns)
        self.columns.add(result.batch)
        remap = np.array(
            [
                self.vocabulary.setdefault(t, len(self.vocabulary))
                for t in result.vocabulary
            ],
            dtype=np.int32,
        )
        for name, entries in result.fields.items():
            ids = remap[entries.terms] if len(entries.terms) else entries.terms
            self.entries[name].append((ids, entries.passages + offset, entries.counts))
            self.lengths[name].append(entries.lengths)
        self.aliases |= result.aliases

    def built(self, weights: dict[str, float]) -> Built:
        """Every field's posting lists, from the merged entries."""
        fields = {}
        for name in FIELDS:
            indptr, passages, counts = _postings(
                self.entries.pop(name), len(self.vocabulary)
            )
            lengths = np.concatenate([np.zeros(0, np.int64), *self.lengths.pop(name)])
            fields[name] = bm25.field_from_postings(
                indptr, passages, counts, lengths, weights[name]
            )
        return Built(
            self.columns,
            self.vocabulary,
            fields,
            sorted(self.aliases),
            self.documents,
            self.problems,
        )


def _postings(parts: list, term_count: int) -> tuple[np.ndarray, ...]:
    """CSR posting lists from files' entries: each term's passages in ascending order.

    Within a file the entries are grouped by term and sorted by passage, and files come in
    passage order, so each file's group is put right after the previous files' ones.
    """
    frequency = np.zeros(term_count, dtype=np.int64)
    for entry_terms, _, _ in parts:
        frequency += np.bincount(entry_terms, minlength=term_count)
    indptr = np.zeros(term_count + 1, dtype=np.int64)
    np.cumsum(frequency, out=indptr[1:])
    filled = indptr[:-1].copy()
    passages = np.empty(indptr[-1], dtype=np.int32)
    counts = np.empty(indptr[-1], dtype=np.int32)
    while parts:
        entry_terms, numbers, tf = parts.pop(0)  # freed as soon as it is placed
        if not len(entry_terms):
            continue
        starts = np.flatnonzero(np.r_[True, entry_terms[1:] != entry_terms[:-1]])
        sizes = np.diff(np.r_[starts, len(entry_terms)])
        groups = entry_terms[starts]
        positions = np.repeat(filled[groups] - starts, sizes) + np.arange(
            len(entry_terms)
        )
        passages[positions] = numbers
        counts[positions] = tf
        filled[groups] += sizes
    return indptr, passages, counts
