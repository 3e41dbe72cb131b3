"""Question + context -> ranked hits; decides `answer`, `clarify` or `no_answer`.

Decisions, in order:
- no_answer: the best passage must cover enough of the question's weight (the idf of its
  terms; a word the corpus never uses weighs as much as the rarest word). Sharing one
  common word ("treatment") with a passage is not an answer.
- follow-up: a question that does not pick one document by itself (it fits the previous
  reply's document about as well as any other) is answered from that document.
- clarify: with no context, a question that fits two documents equally well, on the same
  terms, gets a question back naming them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import bm25
from .index import Index
from .models import Hit
from .query import Query, understand
from .tokenization import tokenize

MIN_COVERAGE = 0.5  # share of the question's idf weight the best passage must match
CLEAR_WIN = 1.25  # a document whose best passage scores this much more wins outright
MAX_CLARIFY_CHOICES = 3


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for a question, and what the next question should know."""

    kind: str  # answer | clarify | no_answer
    hits: tuple[Hit, ...] = ()
    topic: str = ""  # the question's words that the best passage matched
    suggestions: tuple[str, ...] = ()
    state: dict = field(default_factory=dict)  # goes into the reply's context


def search(index: Index, question: str | Query, top_k: int = 3) -> list[Hit]:
    """The passages that best answer the question, best first; only passages matching a term.

    A passage whose text repeats a better one's (FAQ sheets often repeat answers) is left
    out, so each hit says something new.
    """
    query = question if isinstance(question, Query) else understand(index, question)
    known = {t: index.vocabulary[t] for t in query.weights if t in index.vocabulary}
    if not known:
        return []
    return _top_hits(index, _scores(index, query), known, top_k)


def _scores(index: Index, query: Query) -> np.ndarray:
    """Each passage's score: the question's own terms, plus what its aliases add.

    An alias counts only in passages without the name that was asked ("Keytruda" finds
    "pembrolizumab" where "Keytruda" is missing), except for a definition question, whose
    answer names the thing both ways. The delta part of BM25Plus is the same for every
    passage, so scores are what the passage's terms add on top of it (0: nothing matched).
    """
    fields = list(index.fields.values())
    count = len(index.passages)

    def ids(terms):
        return [index.vocabulary[t] for t in terms if t in index.vocabulary]

    scores, _ = bm25.score_parts(fields, ids(query.own_terms), count)
    for asked, added in query.aliases:
        present = [t for t in added if t in index.vocabulary]
        extra, _ = bm25.score_parts(
            fields, ids(present), count, [query.weights[t] for t in present]
        )
        if not query.asks_definition:
            has_asked, _ = bm25.score_parts(fields, ids(asked), count)
            extra[has_asked > 0] = 0
        scores += extra
    return scores


def rank_documents(index: Index, question: str, top_k: int = 10) -> list[tuple[str, float]]:
    """Documents ranked by their best passage: (document_id, score), best first."""
    ranked: dict[str, float] = {}
    for hit in search(index, question, top_k=max(50, top_k * 10)):
        ranked.setdefault(hit.passage.document_id, hit.score)
        if len(ranked) == top_k:
            break
    return list(ranked.items())


def retrieve(index: Index, question: str, state: dict | None, top_k: int = 3) -> Retrieval:
    """Answer, clarify or no_answer for a question, leaning on the previous reply's state."""
    state = state or {}
    query = understand(index, question)
    hits = search(index, query, top_k=max(30, top_k * 10))
    if not hits or coverage(index, query, hits[0]) < MIN_COVERAGE:
        return Retrieval(kind="no_answer")
    best_by_document = _best_hit_per_document(hits)
    leader, runner_up = best_by_document[0], best_by_document[1:2]
    is_clear = not runner_up or leader.score >= CLEAR_WIN * runner_up[0].score
    previous = state.get("d")
    if not is_clear and previous in {hit.passage.document_id for hit in best_by_document}:
        hits = [hit for hit in hits if hit.passage.document_id == previous]
    elif not is_clear and _ties_on_same_terms(best_by_document):
        return _clarify(best_by_document, question)
    top = hits[:top_k]
    return Retrieval(
        kind="answer",
        hits=tuple(top),
        topic=topic_words(question, top[0]),
        state={"d": top[0].passage.document_id},
    )


def coverage(index: Index, query: Query, hit: Hit) -> float:
    """The share of the question's idf weight that the passage answers."""
    weights = {term: _idf(index, term) for term in set(query.own_terms)}
    total = sum(weights.values())
    covered = query.covered_terms(hit.matched_terms)
    return sum(weights[term] for term in covered if term in weights) / total if total else 0.0


def topic_words(question: str, hit: Hit) -> str:
    """The question's own words, from the first to the last one the passage matched (<= 4)."""
    spans = [token for token in tokenize(question) if token.term in hit.matched_terms]
    if not spans:
        return ""
    words = question[spans[0].start : spans[-1].end]
    return words if len(words.split()) <= 4 else ""


def _clarify(best_by_document: list[Hit], question: str) -> Retrieval:
    choices = best_by_document[:MAX_CLARIFY_CHOICES]
    return Retrieval(
        kind="clarify",
        suggestions=tuple(hit.passage.title for hit in choices),
        state={"q": question[:300], "c": [hit.passage.document_id for hit in choices]},
    )


def _ties_on_same_terms(best_by_document: list[Hit]) -> bool:
    """True when the two best documents match the same question terms."""
    return len(best_by_document) > 1 and (
        best_by_document[0].matched_terms == best_by_document[1].matched_terms
    )


def _best_hit_per_document(hits: list[Hit]) -> list[Hit]:
    best: dict[str, Hit] = {}
    for hit in hits:
        best.setdefault(hit.passage.document_id, hit)
    return list(best.values())


def _idf(index: Index, term: str) -> float:
    """The term's highest idf over the fields; a term the corpus lacks counts as the rarest."""
    term_id = index.vocabulary.get(term)
    passage_count = len(index.passages)
    rarest = math.log(passage_count + 1)
    if term_id is None:
        return rarest
    return max((float(field.idf[term_id]) for field in index.fields.values()), default=rarest)


def _top_hits(
    index: Index, matched: np.ndarray, known: dict[str, int], top_k: int
) -> list[Hit]:
    candidates = np.flatnonzero(matched > 0)
    wanted = top_k * 2 + 10  # room for the repeated texts that are skipped
    if len(candidates) > wanted:
        best = np.argpartition(-matched[candidates], wanted - 1)[:wanted]
        candidates = candidates[best]
    # Highest score first; the earlier passage first on a tie, so replies are deterministic.
    order = sorted(candidates.tolist(), key=lambda i: (-matched[i], i))
    hits, seen_texts = [], set()
    for i in order:
        passage = index.passages[i]
        if passage.text in seen_texts:
            continue
        seen_texts.add(passage.text)
        hits.append(i)
        if len(hits) == top_k:
            break
    matched_terms = _matched_terms(index, np.array(hits, dtype=np.int64), known)
    return [
        Hit(index.passages[i], float(matched[i]), terms)
        for i, terms in zip(hits, matched_terms, strict=True)
    ]


def _matched_terms(
    index: Index, passages: np.ndarray, known: dict[str, int]
) -> list[frozenset[str]]:
    """For each passage, the query terms found in any of its fields."""
    found: list[set[str]] = [set() for _ in passages]
    for term, term_id in known.items():
        present = np.zeros(len(passages), dtype=bool)
        for field in index.fields.values():
            present |= np.isin(passages, field.postings(term_id)[0])
        for position in np.flatnonzero(present):
            found[position].add(term)
    return [frozenset(terms) for terms in found]
