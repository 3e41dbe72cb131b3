"""Query -> ranked hits: BM25Plus over the fields, aliases, then a coverage rerank.

BM25 adds up term scores, so in a small corpus a common word found in a passage's
text, heading and title can outweigh the one rare word the question is about
("trastuzumab for stomach cancer"). The best candidates are therefore reranked by how
much of the question's idf weight they answer: score x (1 - PULL + PULL x coverage).
"""

from __future__ import annotations

import re

from bot.answer.query import Query, index_terms
from bot.answer.synonyms import TREATMENT_IN_GENERAL
from bot.index import Index, scoring
from bot.index.scoring import Extra
from bot.ingest.tokenization import terms as tokenize_terms
from bot.models import Hit

COVERAGE_PULL = 0.5  # how far a score moves with the share of the question covered
# A question asking what something means or is called prefers a passage that defines.
DEFINES = re.compile(
    r"\b(?:means?|is called|are called|refers? to|is defined as|also called|known as)\b",
    re.I,
)
DEFINITION_BOOST = 1.25
DEFINED_SPAN = 60  # characters around "means" where the word defined is
NAME_FOLLOWS = ("is called", "are called")  # "this is called palliative surgery"
SENTENCE_END = re.compile(r"[.!?]\s")
LEADS = 1.0001  # a passage defining the word asked scores just above the best
RERANKED = 50  # candidates taken from BM25 before the rerank


def search(index: Index, query: Query, top_k: int = 3) -> list[Hit]:
    """The passages that best answer the question, best first; only passages matching a term.

    A passage whose text repeats a better one's (FAQ sheets often repeat answers) is left
    out, so each hit says something new.
    """
    searched = [
        *query.weights,
        *(t for _, added in query.counted_where_missing() for t in added),
        # These two are marked (which passages hold them), not searched.
        *(t for _, named in query.care_team for t in named),
        *(index_terms(TREATMENT_IN_GENERAL) if query.treatment_kinds else ()),
    ]
    vocabulary = index.vocabulary
    marked = {vocabulary[term]: term for term in searched if term in vocabulary}
    if not marked:
        return []
    found = best_passages(index, query, max(RERANKED, top_k * 3), marked)
    factors = _coverage_factors(query, list(marked.values()), found.held_bits)
    # The first passage with each one's text: a repeated text is shown once.
    same_text = index.passages.same_text[found.ids].tolist()
    # Negated scores sort best first and, on a tie, the earlier passage first.
    reranked = [
        (-score * factors[bits], i, text, terms)
        for i, score, text, terms, bits in zip(
            found.ids.tolist(),
            found.scores.tolist(),
            same_text,
            found.held,
            found.held_bits,
            strict=True,
        )
        if factors[bits] is not None
    ]
    if query.asks_definition and reranked:
        reranked = _definitions_first(index, query, reranked)
    reranked.sort()
    hits, seen_texts = [], set()
    for negated_score, i, text, terms in reranked:
        if text not in seen_texts:
            seen_texts.add(text)
            hits.append(Hit._make((index.passages[i], -negated_score, terms)))
            if len(hits) == top_k:
                break
    return hits


def _definitions_first(
    index: Index, query: Query, reranked: list[tuple]
) -> list[tuple]:
    """The candidates that define a word of the question ("Recurrent ... means that")
    with their score raised by DEFINITION_BOOST; only those the boost could lift to the
    top are read. When the question names the word whose meaning it asks ("..., so
    what does unresectable mean"), a passage defining it leads whatever the story
    around it ("had his op in may") matches elsewhere."""
    best = min(negated for negated, *_ in reranked)
    if query.meaning_asked:
        asked = set(query.meaning_asked)
        defining = sorted(
            (negated, i)
            for negated, i, *_ in reranked
            if defines(index.passages.text(i), asked)
        )
        # Ahead of every other passage, in their own order (a document the question
        # names may leave only some of them).
        count = len(defining)
        lifted = {i: best * LEADS ** (count - k) for k, (_, i) in enumerate(defining)}
        return [(lifted.get(i, negated), i, *rest) for negated, i, *rest in reranked]
    asked = set(query.own_terms)
    return [
        (negated * DEFINITION_BOOST, i, *rest)
        if negated * DEFINITION_BOOST <= best and defines(index.passages.text(i), asked)
        else (negated, i, *rest)
        for negated, i, *rest in reranked
    ]


def defines(text: str, asked: set[str]) -> bool:
    """Whether the text defines one of the asked terms, in one sentence: a term just
    before "means", "refers to" ("Recurrent stomach cancer means"), just after "is
    called" ("this is called palliative surgery"), or either side of "also called",
    "known as" (two names of one thing)."""
    for found in DEFINES.finditer(text):
        verb = found.group(0).lower()
        before = text[max(0, found.start() - DEFINED_SPAN) : found.start()]
        after = text[found.end() : found.end() + DEFINED_SPAN]
        named = set()
        if verb not in NAME_FOLLOWS:
            named.update(tokenize_terms(SENTENCE_END.split(before)[-1]))
        if verb in NAME_FOLLOWS or verb.startswith(("also", "known")):
            named.update(tokenize_terms(SENTENCE_END.split(after)[0]))
        if not asked.isdisjoint(named):
            return True
    return False


def rank_documents(
    index: Index, query: Query, top_k: int = 10
) -> list[tuple[str, float]]:
    """Documents ranked by their best passage: (document_id, score), best first."""
    ranked: dict[str, float] = {}
    for hit in search(index, query, top_k=max(50, top_k * 10)):
        ranked.setdefault(hit.passage.document_id, hit.score)
        if len(ranked) == top_k:
            break
    return list(ranked.items())


def best_passages(
    index: Index, query: Query, count: int, marked: dict[int, str] | None = None
) -> scoring.Found:
    """The `count` passages scoring highest (above 0), best first, and their scores,
    found from the query's posting lists alone; and which of the `marked` terms
    (id -> term) each holds.

    Scores are BM25Plus over the question's own terms and synonyms, plus the terms that
    count only where others are missing (`Query.counted_where_missing`): an alias where
    the name asked is missing ("Keytruda" finds "pembrolizumab" where "Keytruda" is
    missing), and the rest of a lay phrase's second way where its first is. The delta part of BM25Plus is the same for
    every passage, so scores are what the passage's terms add on top of it. Tested to
    the bit against tests/oracles.py, which visits every passage."""
    vocabulary = index.vocabulary
    terms = [(vocabulary[t], w) for t, w in query.weights.items() if t in vocabulary]
    extras = [
        Extra(
            tuple((vocabulary[t], w) for t, w in added.items() if t in vocabulary),
            _term_ids(index, absent),
        )
        for absent, added in query.counted_where_missing()
    ]
    return scoring.best_passages(index.postings, terms, extras, count, marked)


def _term_ids(index: Index, terms) -> tuple[int, ...]:
    return tuple(index.vocabulary[t] for t in terms if t in index.vocabulary)


def coverage(query: Query, hit: Hit) -> float:
    """The share of the question's idf weight that the passage answers, when deciding
    whether the documents answer at all (`Query.answered_terms`).

    Everyday words the corpus never uses ("pay", "fix") are left out: their absence says
    nothing about whether the documents cover the subject.
    """
    return _share(query, query.answered_terms(hit.matched_terms))


def _share(query: Query, covered: set[str]) -> float:
    """The share of the subject's idf weight that the covered terms carry."""
    total, idf = query.subject_weight, query.subject_idf
    # Summed in the question's order, so the float is the same in every process.
    return sum([idf[term] for term in idf if term in covered]) / total if total else 0.0


def _coverage_factors(
    query: Query, labels: list[str], held_bits: list[int]
) -> dict[int, float | None]:
    """How far the rerank moves a passage, for each distinct set of terms held, given
    as bits (bit j for labels[j]); None when it holds none of the question's own
    subject (found only through a follow-up's context: context narrows, never
    replaces). Integer ands instead of set operations, because the rerank judges dozens
    of candidates per question; tests/oracles.py gives the same floats from sets."""
    bit = {label: 1 << j for j, label in enumerate(labels)}
    answering = []  # per subject term: the bits that answer it, and its idf
    for term, idf in query.subject_idf.items():
        bits = bit.get(term, 0)  # the term itself, or an added term of another name
        for asked, added in query.other_names:
            if term in asked:
                for other in added:
                    bits |= bit.get(other, 0)
        answering.append((bits, idf))
    total = query.subject_weight
    factors: dict[int, float | None] = {}
    for held in dict.fromkeys(held_bits):
        # Summed in the question's order, as _share sums them.
        answered = [idf for bits, idf in answering if held & bits]
        if answering and not answered:
            factors[held] = None
        else:
            share = sum(answered) / total if total else 0.0
            factors[held] = 1 - COVERAGE_PULL + COVERAGE_PULL * share
    return factors
