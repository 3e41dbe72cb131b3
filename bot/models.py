"""The immutable records passed between stages: documents -> passages -> hits -> replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple


@dataclass(frozen=True)
class Section:
    """A run of paragraphs under one heading ("" when the document gives none)."""

    heading: str
    paragraphs: tuple[tuple[int, int], ...]  # character spans in Document.text


@dataclass(frozen=True)
class Document:
    """One source file (or one FAQ entry), read into text and sections."""

    document_id: str
    title: str
    url: str | None
    text: str
    sections: tuple[Section, ...]
    reviewed: date | None = None


@dataclass(frozen=True)
class Passage:
    """A stand-alone slice of one document: what we index, rank and quote."""

    passage_id: str  # stable across rebuilds while its document is unchanged
    document_id: str
    title: str
    url: str | None
    section: str  # nearest heading above the passage, "" when there is none
    text: str
    start: int  # character span of `text` within the document
    end: int

    def citation_json(self) -> dict:
        """The `citation` object of the API."""
        return {
            "document_id": self.document_id,
            "title": self.title,
            "section": self.section,
            "url": self.url,
        }


class Hit(NamedTuple):
    """A passage ranked for a question, with the question terms it matched.

    A named tuple, not a frozen dataclass like its neighbours: a question's search makes
    dozens of hits, and a tuple is made in a third less time.
    """

    passage: Passage
    score: float
    matched_terms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Answer:
    """One quoted passage of a reply, with the character spans to highlight."""

    hit: Hit
    highlights: tuple[tuple[int, int], ...]

    def to_json(self) -> dict:
        """The API's form of one entry of `answers`."""
        passage = self.hit.passage
        return {
            "passage_id": passage.passage_id,
            "text": passage.text,
            "highlights": self.highlights,  # (start, end) pairs: JSON arrays
            "score": round(self.hit.score, 4),
            "citation": passage.citation_json(),
        }


@dataclass(frozen=True)
class Call:
    """A number an urgent reply tells the reader to call now."""

    name: str  # "Emergency services", "Poison Control", ...
    number: str


@dataclass(frozen=True)
class Urgent:
    """The `urgency` of an urgent reply: the red flag, its level, the numbers to call."""

    level: str  # emergency | care_team_now
    category: str  # the rulebook's category: fever, chest_pain, suicidal, ...
    calls: tuple[Call, ...]  # in the order to call them

    def to_json(self) -> dict:
        """The API's `urgency` object."""
        return {
            "level": self.level,
            "category": self.category,
            "calls": [
                {"name": call.name, "number": call.number} for call in self.calls
            ],
        }


@dataclass(frozen=True)
class Reply:
    """What the bot says to one message: the body of a 200 from /api/chat."""

    kind: str  # answer | clarify | no_answer | smalltalk | urgent
    reply: str
    answers: tuple[Answer, ...] = ()
    suggestions: tuple[str, ...] = ()
    context: str = ""
    urgency: Urgent | None = None  # kind "urgent" only
    conversation_id: str = ""  # carried in `context`; for Insights, never in the JSON

    def to_json(self) -> dict:
        """The API's JSON body."""
        body = {
            "kind": self.kind,
            "reply": self.reply,
            "answers": [answer.to_json() for answer in self.answers],
            "suggestions": list(self.suggestions),
            "context": self.context,
        }
        if self.urgency:
            body["urgency"] = self.urgency.to_json()
        return body
