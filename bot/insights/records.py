"""What Insights keep and the figures they give back: the seam between storage and pages.

Nothing here holds message text except `ReplyEvent.question`, which is filled only when
the operator turned FAQBOT_LOG_QUESTIONS on, and then already scrubbed of phone
numbers, e-mail addresses and dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = ("answer", "clarify", "no_answer", "smalltalk", "urgent")  # SPEC's reply kinds
MIN_CONVERSATIONS_PER_TOPIC = 3  # a topic term is shown only when this many share it


@dataclass(frozen=True)
class ReplyEvent:
    """One reply of /api/chat, as Insights keep it."""

    day: date
    conversation_id: str  # random, carried in the reply's context; never a person
    kind: str  # one of KINDS
    category: str | None  # the urgent reply's red-flag category, else None
    document_ids: tuple[str, ...]  # the documents of the passages shown, in order
    passage_ids: tuple[str, ...]  # the passages shown, in order
    topic_terms: tuple[str, ...] = ()  # no_answer replies only (see topics.topic_terms)
    question: str | None = None  # only with FAQBOT_LOG_QUESTIONS on, scrubbed


@dataclass(frozen=True)
class FeedbackEvent:
    """One "Was this helpful?" vote from the widget."""

    day: date
    conversation_id: str
    passage_id: str
    helpful: bool
    topic_terms: tuple[str, ...] = ()  # unhelpful votes only


@dataclass(frozen=True)
class DayCounts:
    """Replies of one day, by kind."""

    day: date
    by_kind: dict[str, int]  # every kind of KINDS, 0 when none

    @property
    def answered_share(self) -> float | None:
        """Answers among the replies that tried to answer (answer, clarify, no_answer)."""
        asked = sum(self.by_kind[kind] for kind in ("answer", "clarify", "no_answer"))
        return self.by_kind["answer"] / asked if asked else None


@dataclass(frozen=True)
class TopicCount:
    """A topic term of unanswered questions or unhelpful answers, and how many share it."""

    term: str
    conversations: int  # distinct conversations, always >= MIN_CONVERSATIONS_PER_TOPIC


@dataclass(frozen=True)
class PassageVotes:
    """How often a passage was shown, and the votes it got."""

    passage_id: str
    document_id: str
    shown: int
    helpful: int
    unhelpful: int


@dataclass(frozen=True)
class Summary:
    """Insights over the last `days` days, oldest day first; what /admin and the CLI show."""

    days: int
    first_day: date
    last_day: date
    per_day: tuple[DayCounts, ...]  # one per day from first_day to last_day, gaps as 0
    emergencies: tuple[tuple[str, int], ...]  # (category, replies), most first
    topics: tuple[TopicCount, ...]  # most conversations first
    passages: tuple[PassageVotes, ...]  # most shown first, at most 20

    @property
    def replies(self) -> int:
        """All replies in the window."""
        return sum(sum(day.by_kind.values()) for day in self.per_day)

    @property
    def answered_share(self) -> float | None:
        """Answers among the replies that tried to answer, over the whole window."""
        answered = sum(day.by_kind["answer"] for day in self.per_day)
        asked = sum(
            day.by_kind[kind]
            for day in self.per_day
            for kind in ("answer", "clarify", "no_answer")
        )
        return answered / asked if asked else None
