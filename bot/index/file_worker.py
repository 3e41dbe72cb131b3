"""One corpus file -> its passages, terms and aliases, as compact columns.

This runs in worker processes (build.py sends each a file, or a part of a large
FAQ sheet): the file is read, cut into passages and tokenized, and only arrays and
short lists go back: the texts as one UTF-8 blob, each field's (term, passage, count)
entries with the file's own term ids in order of first appearance, and the aliases its
texts define.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np

from bot.index.bounds import (
    TooBig,
    TooSlow,
    memory_bound,
    per_file_megabytes,
    time_bound,
)
from bot.index.fields import FIELDS
from bot.index.passage_columns import PassageBatch
from bot.ingest.aliases import Alias, learn_aliases
from bot.ingest.passages import split_into_passages
from bot.ingest.readers import READERS, UnreadableFile, faq_parts
from bot.ingest.tokenization import terms, word_pattern

# Characters that cannot stand between an alias's words and its "(": see alias_windows.
NOT_IN_ALIAS = re.compile(r"[^\w\-\s®™]")
ALIAS_INSIDE_CHARS = 80  # aliases.PARENTHESIS allows no more inside the brackets
ALIAS_WORDS = 7
TOKENS = re.compile(r"\S+")
MAX_CACHED_WORDS = 1_000_000


@dataclass
class FieldEntries:
    """One field of one file: (term, passage, count) entries sorted by term, then passage."""

    terms: np.ndarray  # int32, the file's own term ids
    passages: np.ndarray  # int32, passage numbers within the file
    counts: np.ndarray  # int32, how often the term occurs in the passage's field
    lengths: np.ndarray  # int64 per passage: its terms in this field, repeats counted


@dataclass
class FileResult:
    """What reading one file gave: its documents, passages, terms and problems."""

    document_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None  # why the file gave no documents
    crash: str | None = None  # a reader's traceback (a bug), logged by the main process
    batch: PassageBatch | None = None
    vocabulary: list[str] = field(default_factory=list)  # the file's term ids -> terms
    fields: dict[str, FieldEntries] = field(default_factory=dict)
    aliases: set[Alias] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)  # a sheet's part: each entry's line
    whole_rows: bool = True  # False: a row ran on past the end of a sheet's part


def read_file(
    path: str,
    document_id: str,
    dropped: frozenset[int],
    seconds: float | None = None,
    part: faq_parts.Part | None = None,
    known: dict[str, int] | None = None,
) -> FileResult:
    """Read one corpus file into passages and entries, in at most `seconds` and the
    memory `memory_per_file` allows; `dropped`: document numbers to skip. A file that
    takes more is reported and skipped. `part`: read only that part of a large FAQ
    sheet (faq_parts.parts); `known`: the ids of earlier parts it repeats, by their line."""
    megabytes = per_file_megabytes()
    try:
        with time_bound(seconds), memory_bound(megabytes):
            return _read_file(path, document_id, dropped, part, known)
    except TooSlow:
        return FileResult(
            failure=f"took more than {seconds:g} s to read (FAQBOT_FILE_SECONDS); skipped"
        )
    except (TooBig, MemoryError):
        if megabytes is None:  # the system had no more
            return FileResult(failure="ran out of memory while being read; skipped")
        return FileResult(
            failure=f"needed more than {megabytes} MB to read (FAQBOT_FILE_MEMORY); "
            "skipped"
        )


def _read_file(
    path: str,
    document_id: str,
    dropped: frozenset[int],
    part: faq_parts.Part | None,
    known: dict[str, int] | None,
) -> FileResult:
    entries = None
    try:
        if part is None:
            documents, warnings = READERS[Path(path).suffix.lower()](
                Path(path), document_id
            )
        else:
            entries = faq_parts.read_part(Path(path), part, known)
            documents, warnings = entries.documents, entries.warnings
    except UnreadableFile as error:
        return FileResult(failure=str(error))
    except MemoryError:  # reported by read_file
        raise
    except Exception as error:  # a reader bug must not stop the rest of the corpus
        return FileResult(
            failure=f"could not be read ({type(error).__name__})",
            crash=traceback.format_exc(),
        )
    result = FileResult([d.document_id for d in documents], list(warnings))
    if entries:
        result.lines, result.whole_rows = entries.lines, entries.whole_rows
    passages = [
        passage
        for number, document in enumerate(documents)
        if number not in dropped
        for passage in split_into_passages(document)
    ]
    result.batch = PassageBatch(passages)
    vocabulary: dict[str, int] = {}
    result.fields = _field_entries(passages, vocabulary)
    result.vocabulary = list(vocabulary)
    windows = [w for passage in passages for w in alias_windows(passage.text)]
    result.aliases = set(learn_aliases(windows))
    return result


def alias_windows(text: str) -> list[str]:
    """The pieces of a text around each "(" that can hold all of an alias match.

    aliases.PARENTHESIS matches at most seven words (with spaces and ®/™) before a "("
    and at most 80 characters up to the ")". Each piece ends at that ")" and starts at
    the seventh whitespace-separated token before the "(", or after the last character
    before it that no such match can hold, whichever is later: a match found in a piece
    is the very match found in the whole text, and every match of the text is found in
    its piece. Scanning whole texts instead costs more than all else in a large build.
    """
    windows, start = [], 0
    for match in NOT_IN_ALIAS.finditer(text):
        opening = match.end()
        close = text.find(")", opening) if match.group() == "(" else -1
        if (
            0 <= close - opening <= ALIAS_INSIDE_CHARS
            and "(" not in text[opening:close]
        ):
            tokens = [t.start() for t in TOKENS.finditer(text, start, match.start())]
            begin = tokens[-ALIAS_WORDS] if len(tokens) > ALIAS_WORDS else start
            windows.append(text[begin : close + 1])
        start = opening
    return windows


_WORD_TERMS: dict[str, tuple[str, ...]] = {}  # word -> its terms, for this process


class _TermIds(dict):
    """word -> its term ids in a file's vocabulary; each distinct word is analysed once
    per process."""

    def __init__(self, vocabulary: dict[str, int]):
        super().__init__()
        self.vocabulary = vocabulary

    def __missing__(self, word: str) -> tuple[int, ...]:
        found = _WORD_TERMS.get(word)
        if found is None:
            if len(_WORD_TERMS) > MAX_CACHED_WORDS:
                _WORD_TERMS.clear()
            found = _WORD_TERMS[word] = tuple(terms(word))
        ids = tuple(self.vocabulary.setdefault(t, len(self.vocabulary)) for t in found)
        self[word] = ids
        return ids


def _field_entries(passages, vocabulary: dict[str, int]) -> dict[str, FieldEntries]:
    """Each field's entries; term ids are given in order of first appearance, passage by
    passage and field by field, as the terms of `tokenization.terms` come."""
    ids_of = _TermIds(vocabulary).__getitem__
    tokens: dict[str, list[int]] = {name: [] for name in FIELDS}
    lengths: dict[str, list[int]] = {name: [] for name in FIELDS}
    last: dict[str, tuple[str, list[int]]] = {name: ("", []) for name in FIELDS}
    for passage in passages:
        for name, text in zip(
            FIELDS, (passage.text, passage.section, passage.title), strict=True
        ):
            if (
                text != last[name][0]
            ):  # a section or title repeats passage after passage
                words = word_pattern(text).findall(text)
                found = list(chain.from_iterable(map(ids_of, words)))
                last[name] = (text, found)
            tokens[name] += last[name][1]
            lengths[name].append(len(last[name][1]))
    return {
        name: _entries(tokens[name], lengths[name], len(passages)) for name in FIELDS
    }


def _entries(tokens: list[int], lengths: list[int], passage_count: int) -> FieldEntries:
    sizes = np.array(lengths, dtype=np.int64)
    numbers = np.repeat(np.arange(passage_count, dtype=np.int64), sizes)
    keys = np.array(tokens, dtype=np.int64) * max(passage_count, 1) + numbers
    keys, counts = np.unique(keys, return_counts=True)  # sorted: term, then passage
    term_ids, passages = np.divmod(keys, max(passage_count, 1))
    return FieldEntries(
        term_ids.astype(np.int32),
        passages.astype(np.int32),
        counts.astype(np.int32),
        sizes,
    )
