"""The figures of a Summary, each counted by one GROUP BY query over a window of days.

Ties are ordered in Python, not with ORDER BY: PostgreSQL sorts text by the database's
locale and SQLite byte by byte, and the two must agree.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import orjson
from sqlalchemy import Connection, case, distinct, func, select

from bot.insights._tables import feedback, replies, topic_terms
from bot.insights.records import (
    KINDS,
    MIN_CONVERSATIONS_PER_TOPIC,
    DayCounts,
    PassageVotes,
    TopicCount,
)

TOP_PASSAGES = 20


def days_by_kind(
    connection: Connection, first_day: date, last_day: date
) -> tuple[DayCounts, ...]:
    """Replies per day and kind, every day of the window, gaps as 0."""
    query = (
        select(replies.c.day, replies.c.kind, func.count())
        .where(replies.c.day.between(first_day, last_day))
        .group_by(replies.c.day, replies.c.kind)
    )
    counts = {(day, kind): count for day, kind, count in connection.execute(query)}
    return tuple(
        DayCounts(day=day, by_kind={kind: counts.get((day, kind), 0) for kind in KINDS})
        for day in _days(first_day, last_day)
    )


def emergencies(
    connection: Connection, first_day: date, last_day: date
) -> tuple[tuple[str, int], ...]:
    """Urgent replies by red-flag category, most first."""
    query = (
        select(replies.c.category, func.count())
        .where(
            replies.c.day.between(first_day, last_day),
            replies.c.kind == "urgent",
            replies.c.category.is_not(None),
        )
        .group_by(replies.c.category)
    )
    rows = connection.execute(query).all()
    return tuple(sorted(((c, n) for c, n in rows), key=lambda row: (-row[1], row[0])))


def topics(
    connection: Connection, first_day: date, last_day: date
) -> tuple[TopicCount, ...]:
    """Topic terms shared by at least MIN_CONVERSATIONS_PER_TOPIC conversations."""
    conversations = func.count(distinct(topic_terms.c.conversation_id))
    query = (
        select(topic_terms.c.term, conversations)
        .where(topic_terms.c.day.between(first_day, last_day))
        .group_by(topic_terms.c.term)
        .having(conversations >= MIN_CONVERSATIONS_PER_TOPIC)
    )
    rows = sorted(connection.execute(query).all(), key=lambda row: (-row[1], row[0]))
    return tuple(TopicCount(term=term, conversations=n) for term, n in rows)


def passages(
    connection: Connection, first_day: date, last_day: date
) -> tuple[PassageVotes, ...]:
    """The most shown passages (once per reply that showed them) and their votes."""
    query = select(replies.c.passage_ids, replies.c.document_ids).where(
        replies.c.day.between(first_day, last_day), replies.c.passage_ids != "[]"
    )
    shown: Counter[str] = Counter()
    documents: dict[str, str] = {}
    for passage_ids, document_ids in connection.execute(query):
        pairs = dict(
            zip(orjson.loads(passage_ids), orjson.loads(document_ids), strict=False)
        )
        shown.update(pairs.keys())  # a passage twice in one reply counts once
        documents.update(pairs)
    top = sorted(shown.items(), key=lambda item: (-item[1], item[0]))[:TOP_PASSAGES]
    votes = _votes(connection, first_day, last_day, [passage for passage, _ in top])
    return tuple(
        PassageVotes(passage, documents[passage], count, *votes.get(passage, (0, 0)))
        for passage, count in top
    )


def _votes(
    connection: Connection, first_day: date, last_day: date, passage_ids: list[str]
) -> dict[str, tuple[int, int]]:
    """passage_id -> (helpful, unhelpful) votes within the window."""
    if not passage_ids:
        return {}
    query = (
        select(
            feedback.c.passage_id,
            func.sum(case((feedback.c.helpful, 1), else_=0)),
            func.sum(case((feedback.c.helpful, 0), else_=1)),
        )
        .where(
            feedback.c.day.between(first_day, last_day),
            feedback.c.passage_id.in_(passage_ids),
        )
        .group_by(feedback.c.passage_id)
    )
    return {pid: (int(up), int(down)) for pid, up, down in connection.execute(query)}


def _days(first_day: date, last_day: date) -> list[date]:
    """Every day from first_day to last_day."""
    return [
        date.fromordinal(n)
        for n in range(first_day.toordinal(), last_day.toordinal() + 1)
    ]
