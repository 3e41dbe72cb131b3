"""Where Insights are kept: SQLite (a file) or PostgreSQL, through SQLAlchemy Core.

`open_store` connects to nothing: the tables are created on first use, so a store can
be opened while its database is down, and a bot that records nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    literal,
    select,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.insights import _summary
from bot.insights._tables import (
    feedback,
    metadata,
    replies,
    topic_terms,
)
from bot.insights.records import FeedbackEvent, ReplyEvent, Summary

CONNECT_TIMEOUT_SECONDS = 3  # a database that is down fails a write fast, off-thread
SQLITE_BUSY_SECONDS = 10  # gunicorn workers share one SQLite file and take turns


class Store:
    """Insights rows in one SQL database: writes, retention and the summary."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._has_tables = False

    @property
    def kind(self) -> str:
        """The database kind, "sqlite" or "postgresql": safe to log, unlike the URL."""
        return self.engine.dialect.name

    def write(self, events: Sequence[ReplyEvent | FeedbackEvent]) -> None:
        """Store a batch of events in one transaction (all or none)."""
        if not events:
            return
        self._create_tables()
        with self.engine.begin() as connection:
            _insert_replies(
                connection, [e for e in events if isinstance(e, ReplyEvent)]
            )
            votes = [e for e in events if isinstance(e, FeedbackEvent)]
            if votes:
                connection.execute(feedback.insert(), [_vote_row(v) for v in votes])
            terms = [row for e in events for row in _topic_rows(e)]
            if terms:
                connection.execute(topic_terms.insert(), terms)

    def delete_older_than(self, day: date) -> int:
        """Delete every row of a day before `day`; the number of replies and votes gone."""
        self._create_tables()
        with self.engine.begin() as connection:
            connection.execute(delete(topic_terms).where(topic_terms.c.day < day))
            gone = connection.execute(delete(replies).where(replies.c.day < day))
            voted = connection.execute(delete(feedback).where(feedback.c.day < day))
        return gone.rowcount + voted.rowcount

    def summary(self, days: int, today: date | None = None) -> Summary:
        """Insights over the `days` days ending `today` (default: the local date)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        last_day = today or date.today()
        first_day = last_day - timedelta(days=days - 1)
        self._create_tables()
        window = (first_day, last_day)
        with self.engine.connect() as connection:
            return Summary(
                days=days,
                first_day=first_day,
                last_day=last_day,
                per_day=_summary.days_by_kind(connection, *window),
                emergencies=_summary.emergencies(connection, *window),
                topics=_summary.topics(connection, *window),
                passages=_summary.passages(connection, *window),
            )

    def size_bytes(self) -> int:
        """Bytes the Insights take on disk (the SQLite file, or PostgreSQL's tables)."""
        if self.kind == "sqlite":
            path = self.engine.url.database
            files = [Path(path), Path(path + "-wal")] if path else []
            return sum(file.stat().st_size for file in files if file.exists())
        sizes = [
            func.pg_total_relation_size(func.to_regclass(literal(table.name)))
            for table in metadata.sorted_tables
        ]
        query = select(*(func.coalesce(size, 0) for size in sizes))
        with self.engine.connect() as connection:
            return sum(connection.execute(query).one())

    def close(self) -> None:
        """Close the database connections."""
        self.engine.dispose()

    def _create_tables(self) -> None:
        """Create the tables on first use (a no-op for those that exist)."""
        if self._has_tables:
            return
        if self.kind == "sqlite" and self.engine.url.database:
            Path(self.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            metadata.create_all(self.engine)
        except SQLAlchemyError:
            # Another worker may have created them between our check and our CREATE;
            # a second try sees them (or fails again for a real reason, and raises).
            metadata.create_all(self.engine)
        self._has_tables = True


def open_store(database_url: str) -> Store:
    """A Store for `sqlite:///PATH` or `postgresql://...` (psycopg 3 is the driver)."""
    try:
        url = make_url(_with_driver(database_url))
    except ArgumentError:
        # SQLAlchemy's message repeats the URL, password and all: say it without.
        raise ValueError(
            "the Insights database URL must look like sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST/DATABASE"
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return Store(_one_statement_a_batch(_sqlite_engine(url)))
    if backend == "postgresql":
        engine = create_engine(
            url,
            pool_pre_ping=True,  # a connection from before a restart is replaced
            pool_size=2,  # one writer thread, and /admin now and then
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )
        return Store(_one_statement_a_batch(engine))
    raise ValueError(
        f"the Insights database must be SQLite or PostgreSQL, not {backend}"
    )


def _one_statement_a_batch(engine: Engine) -> Engine:
    """Have SQLAlchemy send a batch of rows as one multi-row INSERT ("insertmanyvalues",
    up to 1,000 rows a statement), not one row at a time.

    The driver lets go of Python's lock (the GIL) around each statement it runs. Row by
    row, the writer thread took the lock back once a row, each time from a request
    thread in the middle of an answer: about one thread switch per chat, which cost the
    request threads some 5% more CPU. SQLAlchemy batches by itself only an INSERT ...
    RETURNING; this is the dialect's documented switch for the others.
    """
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def _with_driver(database_url: str) -> str:
    """`postgresql://` (or Heroku's `postgres://`) as SQLAlchemy's psycopg 3 URL."""
    for scheme in ("postgresql://", "postgres://"):
        if database_url.startswith(scheme):
            return "postgresql+psycopg://" + database_url[len(scheme) :]
    return database_url


def _sqlite_engine(url: URL) -> Engine:
    """An engine for one SQLite file that several processes write in turn."""
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _use_wal(dbapi_connection, _record) -> None:
        # Write-ahead logging: /admin reads while a worker writes, without waiting.
        # synchronous=NORMAL: a commit no longer waits for the disk (fsync) but at
        # checkpoints; the file is never corrupted, and a power cut may lose the last
        # batches of Insights, never a chat. It cuts the writer's time by a third.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _insert_replies(connection: Connection, events: list[ReplyEvent]) -> None:
    """Insert replies, with the passages they showed."""
    if events:
        connection.execute(replies.insert(), [_reply_row(e) for e in events])


def _reply_row(event: ReplyEvent) -> dict:
    """The replies row of a reply; its passages and their documents as JSON arrays."""
    shown = len(event.passage_ids)
    documents = [*event.document_ids, *[""] * shown][:shown]
    return {
        "day": event.day,
        "conversation_id": event.conversation_id,
        "kind": event.kind,
        "category": event.category,
        "question": event.question,
        "passage_ids": orjson.dumps(event.passage_ids).decode(),
        "document_ids": orjson.dumps(documents).decode(),
    }


def _vote_row(event: FeedbackEvent) -> dict:
    """The feedback row of a vote."""
    return {
        "day": event.day,
        "conversation_id": event.conversation_id,
        "passage_id": event.passage_id,
        "helpful": event.helpful,
    }


def _topic_rows(event: ReplyEvent | FeedbackEvent) -> list[dict]:
    """Topic-term rows, kept only where SPEC allows terms: no_answer and unhelpful."""
    if isinstance(event, ReplyEvent) and event.kind != "no_answer":
        return []
    if isinstance(event, FeedbackEvent) and event.helpful:
        return []
    return [
        {"day": event.day, "conversation_id": event.conversation_id, "term": term}
        for term in dict.fromkeys(event.topic_terms)
    ]
