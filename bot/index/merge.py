"""Files' results merged one after another, in corpus order, into one index's parts.

Terms get their ids in order of first appearance, problems are reported in file order
(a sheet's bad rows by their line in it), and a document id seen before is skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from bot.index import bm25
from bot.index.bounds import seconds_for
from bot.index.fields import FIELDS
from bot.index.file_worker import FileResult, read_file
from bot.index.passage_columns import PassageColumns
from bot.ingest.aliases import Alias
from bot.ingest.documents import Problem, relative_name
from bot.ingest.readers import faq_parts

log = logging.getLogger("bot.index.build")


@dataclass
class Built:
    """A corpus read into passage columns, posting lists and aliases."""

    columns: PassageColumns
    vocabulary: dict[str, int]
    fields: dict[str, bm25.FieldScores]
    aliases: list[Alias]
    documents: int
    problems: list[Problem]


@dataclass
class _Sheet:
    """A large FAQ sheet merged part by part. Its problems wait for its end: reading it
    whole reports its rows' warnings, then its ids that other files have."""

    lines: dict[str, int] = field(default_factory=dict)  # each entry's id -> its line
    warnings: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    entries: int = 0
    ended: bool = False


class Merger:
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
            seconds = seconds_for(path, part, file_seconds)
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
            seconds = seconds_for(path, part, file_seconds)
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
        if part.last:
            self._last_part(corpus_dir, path, document_id, file_seconds)

    def _last_part(
        self, corpus_dir: Path, path: Path, document_id: str, file_seconds
    ) -> None:
        """End a sheet after its last part; one with no entry at all is read whole,
        which says why."""
        sheet = self.sheet
        if not sheet.entries:
            seconds = seconds_for(path, None, file_seconds)
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
