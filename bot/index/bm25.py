"""rank-bm25's BM25Plus, precomputed per (term, passage) so a query costs its posting lists.

rank_bm25.BM25Plus scores a passage d for query terms q as

    sum over q of  idf(q) * (delta + tf(q,d) * (k1+1) / (k1 * (1 - b + b*|d|/avgdl) + tf(q,d)))

with idf(q) = log((N+1) / df(q)). The `delta` part is the same for every passage, so
only the tf part is stored, term by term; `score` adds the constant back and so returns
exactly what rank_bm25 returns for the same tokens (tests check it against rank_bm25).
`score` is the plain reference over every passage; scoring.py finds the best passages
from the same arrays while touching only the postings that can change the result.

Why BM25Plus: its idf is positive and falls steadily with document frequency, so a word
found in most passages of a small, on-topic corpus ("cancer") still counts a little. In
BM25Okapi such a word's idf is negative and replaced by a floor (epsilon x mean idf) that
can weigh more than a word found in just under half of the passages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K1 = 1.5  # rank_bm25's defaults, kept: the MedQuAD leads found k1 and b barely matter
B = 0.75
DELTA = 1.0
SCORED_ENTRIES = 1 << 22  # postings scored per step when building: bounds the memory


@dataclass(frozen=True)
class FieldScores:
    """Per-term posting lists of one field (text, section or title) with their BM25 parts."""

    weight: float  # how much this field counts in a passage's score
    idf: (
        np.ndarray
    )  # float64 per term id; 0 for a term the field lacks, as in rank_bm25
    indptr: (
        np.ndarray
    )  # int64 per term id + 1: where each term's postings start and end
    passage_ids: np.ndarray  # int32, sorted within each term
    term_scores: np.ndarray  # float64: idf * tf * (k1+1) / (k1 * norm + tf)
    delta: float = DELTA

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The passages holding a term, and the term's score in each."""
        start, end = self.indptr[term_id], self.indptr[term_id + 1]
        return self.passage_ids[start:end], self.term_scores[start:end]


def build_field(
    term_ids: list[np.ndarray],
    term_count: int,
    weight: float,
    k1: float = K1,
    b: float = B,
) -> FieldScores:
    """BM25Plus parts for one field, given each passage's term ids (in order, repeats kept)."""
    lengths = np.array([len(ids) for ids in term_ids], dtype=np.int64)
    tokens = np.concatenate(term_ids).astype(np.int64) if term_ids else np.zeros(0)
    passages = np.repeat(np.arange(len(term_ids), dtype=np.int64), lengths)
    keys = tokens * max(len(term_ids), 1) + passages
    keys, tf = np.unique(keys, return_counts=True)  # sorted: by term, then passage
    terms, passage_ids = np.divmod(keys, max(len(term_ids), 1))
    indptr = np.zeros(term_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=term_count), out=indptr[1:])
    return field_from_postings(indptr, passage_ids, tf, lengths, weight, k1, b)


def field_from_postings(
    indptr: np.ndarray,
    passage_ids: np.ndarray,
    tf: np.ndarray,
    lengths: np.ndarray,
    weight: float,
    k1: float = K1,
    b: float = B,
) -> FieldScores:
    """BM25Plus parts from posting lists: each term's passages (ascending) and counts.

    `lengths` holds every passage's length in terms of this field (repeats counted).
    """
    passage_count = len(lengths)
    document_frequency = np.diff(indptr)
    idf = np.zeros(len(document_frequency), dtype=np.float64)
    present = document_frequency > 0
    idf[present] = np.log((passage_count + 1) / document_frequency[present])
    average_length = lengths.sum() / passage_count if passage_count else 0.0
    if average_length == 0:
        norm = np.ones(passage_count)  # no passage has this field: nothing to score
    else:
        norm = k1 * (1 - b + b * lengths / average_length)
    term_of_entry = np.repeat(
        np.arange(len(document_frequency), dtype=np.int32), document_frequency
    )
    scores = np.empty(len(passage_ids), dtype=np.float64)
    for start in range(0, len(passage_ids), SCORED_ENTRIES):
        part = slice(start, start + SCORED_ENTRIES)
        counts = tf[part].astype(np.float64)
        scores[part] = (
            idf[term_of_entry[part]]
            * counts
            * (k1 + 1)
            / (norm[passage_ids[part]] + counts)
        )
    return FieldScores(
        weight=weight,
        idf=idf,
        indptr=indptr.astype(np.int64),
        passage_ids=passage_ids.astype(np.int32),
        term_scores=scores,
    )


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
