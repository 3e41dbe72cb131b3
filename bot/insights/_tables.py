"""The Insights tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

A reply's shown passages are a column of its row. Topic terms of no_answer replies and of unhelpful votes share one flat table:
the summary counts a term by distinct conversation, whichever event brought it.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Strings have no length: PostgreSQL would reject a longer value and lose a whole batch.


def _events(name: str, *columns: Column) -> Table:
    """A table of dated events of conversations, indexed by day (retention, summaries)."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("day", Date, nullable=False),
        Column("conversation_id", String, nullable=False),
        *columns,
        Index(f"{name}_day", "day"),
    )


replies = _events(
    "insights_replies",
    Column("kind", String, nullable=False),
    Column("category", String, nullable=True),  # urgent replies only
    Column("question", Text, nullable=True),  # only with FAQBOT_LOG_QUESTIONS, scrubbed
    # The passages shown, in order, and their documents: JSON arrays of strings. One row
    # a reply keeps the writer cheap (it shares the workers' CPU); the summary counts
    # the passages in Python.
    Column("passage_ids", Text, nullable=False),
    Column("document_ids", Text, nullable=False),
)

feedback = _events(
    "insights_feedback",
    Column("passage_id", String, nullable=False),
    Column("helpful", Boolean, nullable=False),
)

topic_terms = _events(
    "insights_topic_terms",
    Column("term", String, nullable=False),
)
