"""Which words of a quoted passage are marked: the question's informative terms."""

from __future__ import annotations

from functools import lru_cache

from bot.index import Index
from bot.ingest.tokenization import passage_tokens
from bot.models import Hit

MAX_MARKED_SHARE = 0.25  # a term in more of the passages than this is not highlighted


def informative_terms(index: Index, hits: tuple[Hit, ...]) -> frozenset[str]:
    """The matched terms worth marking: not those found in a large share of the
    passages ("cancer", "use" in a cancer clinic's documents)."""
    matched = [
        term
        for term in {term for hit in hits for term in hit.matched_terms}
        if term in index.vocabulary
    ]
    frequency = index.document_frequency[[index.vocabulary[t] for t in matched]]
    limit = MAX_MARKED_SHARE * len(index.passages)
    return frozenset(
        t for t, f in zip(matched, frequency.tolist(), strict=True) if f <= limit
    )


def highlight_spans(
    hit: Hit, informative: frozenset[str] | None = None
) -> tuple[tuple[int, int], ...]:
    """Character spans of the passage's words that matched the question (only the
    informative ones, when given), merged."""
    spans_by_term = _term_spans(hit.passage.text)
    marked = (
        hit.matched_terms if informative is None else hit.matched_terms & informative
    )
    spans = [span for term in marked for span in spans_by_term.get(term, ())]
    spans.sort()
    merged: list[tuple[int, int]] = []
    last_end = -1
    for start, end in spans:
        if start > last_end:  # apart from the span before, as words nearly always are
            merged.append((start, end))
            last_end = end
        elif end > last_end:  # overlapping: a hyphenated word's parts and its whole
            merged[-1] = (merged[-1][0], end)
            last_end = end
    return tuple(merged)


@lru_cache(maxsize=4096)
def _term_spans(text: str) -> dict[str, list[tuple[int, int]]]:
    """A passage's terms and the character spans of each, kept: the same passages
    answer many questions."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for token in passage_tokens(text):
        spans.setdefault(token.term, []).append((token.start, token.end))
    return spans
