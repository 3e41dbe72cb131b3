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

from dataclasses import dataclass, field

from .index import Index
from .models import Hit
from .query import understand
from .ranking import coverage, search
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


