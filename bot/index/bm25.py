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
