"""Question -> ranked hits over the index."""

from __future__ import annotations

import numpy as np

from . import bm25
from .index import Index
from .models import Hit
from .tokenization import terms


def query_terms(question: str) -> list[str]:
    """The index terms a question is searched for."""
    return terms(question)


def search(index: Index, question: str, top_k: int = 3) -> list[Hit]:
    """The passages that best answer the question, best first; only passages matching a term."""
    known = [(t, index.vocabulary[t]) for t in query_terms(question) if t in index.vocabulary]
    term_ids = [term_id for _, term_id in known]
    if not term_ids:
        return []
    fields = list(index.fields.values())
    matched, constant = bm25.score_parts(fields, term_ids, len(index.passages))
    candidates = np.flatnonzero(matched > 0)
    if len(candidates) > top_k:
        best = np.argpartition(-matched[candidates], top_k - 1)[:top_k]
        candidates = candidates[best]
    # Highest score first; the earlier passage first on a tie, so replies are deterministic.
    order = sorted(candidates.tolist(), key=lambda i: (-matched[i], i))
    return [
        Hit(
            passage=index.passages[i],
            score=float(matched[i] + constant),
            matched_terms=_matched_terms(index, i, dict(known)),
        )
        for i in order
    ]


def rank_documents(index: Index, question: str, top_k: int = 10) -> list[tuple[str, float]]:
    """Documents ranked by their best passage: (document_id, score), best first."""
    ranked: dict[str, float] = {}
    for hit in search(index, question, top_k=max(50, top_k * 10)):
        ranked.setdefault(hit.passage.document_id, hit.score)
        if len(ranked) == top_k:
            break
    return list(ranked.items())


def _matched_terms(index: Index, passage: int, known: dict[str, int]) -> frozenset[str]:
    """The query terms found in any field of the passage."""
    return frozenset(
        term
        for term, term_id in known.items()
        if any(bm25.contains(field, term_id, passage) for field in index.fields.values())
    )
