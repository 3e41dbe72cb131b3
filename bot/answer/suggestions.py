"""What a visitor could ask next: other sections of the answering document, or, to
start, the first documents' titles."""

from __future__ import annotations

from functools import lru_cache

from bot.index import Index
from bot.models import Hit

MAX_SUGGESTIONS = 3


def follow_up_suggestions(index: Index, hits: tuple[Hit, ...]) -> tuple[str, ...]:
    """Other sections of the best passage's document, as follow-up questions."""
    answered = {hit.passage.section for hit in hits}
    headings = index.sections.get(hits[0].passage.document_id, [])
    unanswered = [heading for heading in headings if heading not in answered]
    return tuple(_as_question(heading) for heading in unanswered[:MAX_SUGGESTIONS])


def starter_suggestions(index: Index) -> tuple[str, ...]:
    """A few things a visitor could ask first: the titles of the first documents."""
    titles: list[str] = []
    for title in index.passages.document_titles():  # not every passage of a long one
        if title not in titles:
            titles.append(title)
        if len(titles) == MAX_SUGGESTIONS:
            break
    return tuple(titles)


@lru_cache(maxsize=4096)  # the same documents' headings are offered again and again
def _as_question(heading: str) -> str:
    """A heading as something to ask: 'Targeted Therapy' -> 'What about targeted therapy?'.

    A heading that is already a question (an FAQ entry's) is kept; acronyms keep their case.
    """
    if heading.rstrip().endswith("?"):
        return heading.strip()
    words = [
        w if w.isupper() or any(c.isdigit() for c in w) else w.lower()
        for w in heading.split()
    ]
    return f"What about {' '.join(words)}?"
