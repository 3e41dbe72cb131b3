"""Reference implementations that the fast code is tested against; only tests use them.

load_corpus reads a corpus file after file in one process, the plain way that the
parallel build (bot/index/build.py) must match, problems and duplicates included.

Each visits every passage or works in sets, the plain way: the compiled search
(bot/index/scoring.py) and the rerank's bit arithmetic (bot/answer/ranking.py) must
give the same numbers, to the bit.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answer.query import Query
from bot.answer.ranking import COVERAGE_PULL, _share
from bot.index import Index
from bot.index.bm25 import FieldScores
from bot.ingest.documents import Problem, document_ids, relative_name, walk_corpus
from bot.ingest.readers import READERS, UnreadableFile
from bot.models import Document

log = logging.getLogger(__name__)


def score(
    fields: list[FieldScores], term_ids: list[int], passage_count: int
) -> np.ndarray:
    """Every passage's weighted BM25Plus score for the query terms, as rank_bm25 gives it."""
    matched, constant = score_parts(fields, term_ids, passage_count)
    return matched + constant


def score_parts(
    fields: list[FieldScores],
    term_ids: list[int],
    passage_count: int,
    term_weights: list[float] | None = None,
) -> tuple[np.ndarray, float]:
    """The per-passage sum over matched terms, and the `delta` part every passage gets.

    A passage that holds no query term scores exactly the constant; repeated query terms
    count again, as in rank_bm25. `term_weights` scales each query term (1 when omitted:
    then the sum is rank_bm25's score); query understanding weighs added synonyms lower.
    This visits every passage: the reference that scoring.py's search is tested against.
    """
    weights = term_weights or [1.0] * len(term_ids)
    constant = 0.0
    ids, values = [], []
    for field in fields:
        for term_id, term_weight in zip(term_ids, weights, strict=True):
            weight = field.weight * term_weight
            constant += weight * field.idf[term_id] * field.delta
            passages, term_scores = field.postings(term_id)
            ids.append(passages)
            values.append(term_scores * weight)
    if not ids:
        return np.zeros(passage_count), constant
    matched = np.bincount(
        np.concatenate(ids), np.concatenate(values), minlength=passage_count
    )
    return matched, float(constant)


def contains(field: FieldScores, term_id: int, passage: int) -> bool:
    """True when the passage's field holds the term."""
    passages, _ = field.postings(term_id)
    position = np.searchsorted(passages, passage)
    return bool(position < len(passages) and passages[position] == passage)


def bm25_scores(index: Index, query: Query) -> np.ndarray:
    """Each passage's BM25Plus score: the question's own terms and synonyms, plus aliases
    and the rest of a lay phrase's second way (query.py, `_second_ways`).

    An alias counts only in passages without the name that was asked ("Keytruda" finds
    "pembrolizumab" where "Keytruda" is missing), except for a definition question, whose
    answer names the thing both ways. The delta part of BM25Plus is the same for every
    passage, so scores are what the passage's terms add on top of it (0: nothing matched).
    This visits every passage: `ranking.best_passages` is tested against it.
    """
    fields = list(index.fields.values())
    count = len(index.passages)

    def ids(terms):
        return [index.vocabulary[t] for t in terms if t in index.vocabulary]

    plain = [t for t in query.weights if t in index.vocabulary]
    scores, _ = score_parts(
        fields, ids(plain), count, [query.weights[t] for t in plain]
    )
    for absent, added in query.counted_where_missing():
        present = [t for t in added if t in index.vocabulary]
        extra, _ = score_parts(fields, ids(present), count, [added[t] for t in present])
        if absent:
            has_absent, _ = score_parts(fields, ids(absent), count)
            extra[has_absent > 0] = 0
        scores += extra
    return scores


def coverage_factor(query: Query, matched: frozenset[str]) -> float | None:
    """How far the rerank moves a passage holding `matched`; None when it holds none of
    the question's own subject (found only through a follow-up's context: context
    narrows, never replaces). The rule, in sets: ranking's `_coverage_factors`
    is tested equal to it."""
    covered = query.covered_terms(matched)
    if query.subject_idf and covered.isdisjoint(query.subject_idf):
        return None
    return 1 - COVERAGE_PULL + COVERAGE_PULL * _share(query, covered)


@dataclass(frozen=True)
class Corpus:
    """The documents of a corpus and what went wrong reading it."""

    documents: tuple[Document, ...]
    problems: tuple[Problem, ...] = dataclasses.field(default=())


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
