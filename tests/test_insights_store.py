"""Insights storage: events in, Summary out, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine.interfaces import ExecuteStyle
from sqlalchemy.exc import OperationalError

from bot.insights import (
    KINDS,
    FeedbackEvent,
    PassageVotes,
    Recorder,
    ReplyEvent,
    TopicCount,
    open_store,
    scrub,
    topic_terms,
)
from bot.insights._tables import metadata

TODAY = date(2026, 3, 10)


@pytest.fixture
def store(database_url):
    store = open_store(database_url)
    yield store
    store.close()


def reply(days_ago=0, kind="answer", conversation="c1", **fields) -> ReplyEvent:
    fields.setdefault("category", None)
    fields.setdefault("document_ids", ())
    fields.setdefault("passage_ids", ())
    day = TODAY - timedelta(days=days_ago)
    return ReplyEvent(day=day, conversation_id=conversation, kind=kind, **fields)


def vote(passage, helpful, days_ago=0, conversation="c1", terms=()) -> FeedbackEvent:
    return FeedbackEvent(
        day=TODAY - timedelta(days=days_ago),
        conversation_id=conversation,
        passage_id=passage,
        helpful=helpful,
        topic_terms=terms,
    )


def row_counts(store) -> dict[str, int]:
    """Rows of every Insights table."""
    with store.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in metadata.sorted_tables
        }


def test_replies_are_counted_by_day_and_kind_with_gaps_as_zero(store):
    store.write(
        [reply(0), reply(0), reply(0, "no_answer"), reply(0, "clarify")]
        + [reply(2, "smalltalk"), reply(2, "urgent", category="chest_pain")]
        + [reply(7, "answer")]  # a day before the window
    )
    summary = store.summary(days=7, today=TODAY)
    assert (summary.first_day, summary.last_day) == (TODAY - timedelta(6), TODAY)
    assert [day.day for day in summary.per_day] == [
        TODAY - timedelta(days=n) for n in range(6, -1, -1)
    ]
    by_day = {day.day: day.by_kind for day in summary.per_day}
    zero = dict.fromkeys(KINDS, 0)
    assert by_day[TODAY] == zero | {"answer": 2, "no_answer": 1, "clarify": 1}
    assert by_day[TODAY - timedelta(2)] == zero | {"smalltalk": 1, "urgent": 1}
    assert by_day[TODAY - timedelta(1)] == zero
    assert summary.replies == 6
    assert summary.answered_share == pytest.approx(2 / 4)
    assert summary.per_day[-1].answered_share == pytest.approx(2 / 4)
    assert summary.per_day[0].answered_share is None


def test_emergencies_are_urgent_replies_by_category_most_first(store):
    urgent = [("sepsis", 0), ("chest_pain", 1), ("sepsis", 2), ("bleeding", 3)]
    store.write(
        [reply(n, "urgent", category=category) for category, n in urgent]
        + [reply(0, "urgent", category="bleeding"), reply(9, "urgent", category="x")]
    )
    summary = store.summary(days=7, today=TODAY)
    assert summary.emergencies == (("bleeding", 2), ("sepsis", 2), ("chest_pain", 1))


def test_topics_count_distinct_conversations_of_no_answer_and_unhelpful_votes(store):
    store.write(
        [reply(0, "no_answer", "a", topic_terms=("parking", "wig"))]
        + [reply(1, "no_answer", "a", topic_terms=("parking",))]  # a again
        + [reply(0, "no_answer", "b", topic_terms=("parking", "wig", "beard"))]
        + [vote("p1", False, 0, "c", terms=("wig", "beard"))]
        + [reply(2, "no_answer", "d", topic_terms=("wig", "beard"))]
        + [reply(0, "answer", "e", topic_terms=("parking",))]  # answered: no topic
        + [vote("p1", True, 0, "f", terms=("parking",))]  # helpful: no topic
        + [reply(30, "no_answer", "g", topic_terms=("parking",))]  # too old
    )
    summary = store.summary(days=7, today=TODAY)
    assert summary.topics == (TopicCount("wig", 4), TopicCount("beard", 3))


def test_passages_are_counted_once_per_reply_with_their_votes(store):
    store.write(
        [reply(0, passage_ids=("p1", "p2", "p1"), document_ids=("d1", "d2", "d1"))]
        + [reply(1, passage_ids=("p2", "p3"), document_ids=("d2", "d3"))]
        + [reply(2, passage_ids=("p2",), document_ids=("d2",))]
        + [reply(30, passage_ids=("p3",), document_ids=("d3",))]  # too old
        + [vote("p1", True), vote("p1", False), vote("p1", False), vote("p2", True)]
        + [vote("p3", True, days_ago=30)]  # too old
    )
    summary = store.summary(days=7, today=TODAY)
    assert summary.passages == (
        PassageVotes("p2", "d2", shown=3, helpful=1, unhelpful=0),
        PassageVotes("p1", "d1", shown=1, helpful=1, unhelpful=2),
        PassageVotes("p3", "d3", shown=1, helpful=0, unhelpful=0),
    )


def test_passages_are_the_twenty_most_shown(store):
    shown = [f"p{n:02}" for n in range(25) for _ in range(n + 1)]
    store.write([reply(passage_ids=(p,), document_ids=("d",)) for p in shown])
    passages = store.summary(days=1, today=TODAY).passages
    assert [p.passage_id for p in passages] == [f"p{n:02}" for n in range(24, 4, -1)]
    assert passages[0].shown == 25


def test_a_batch_of_replies_is_one_insert_statement(store):
    # Row by row, the driver would let go of the GIL once a row and take it back from a
    # request thread each time (store.py, _one_statement_a_batch).
    store.write([reply()])  # creates the tables
    inserts = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def count(_connection, _cursor, statement, _parameters, context, _executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(context.execute_style)

    shown = {"passage_ids": ("p1", "p2"), "document_ids": ("d1", "d1")}
    store.write([reply(conversation=f"c{n}", **shown) for n in range(200)])
    # One multi-row statement, not the driver's executemany (a statement a row).
    assert inserts == [ExecuteStyle.INSERTMANYVALUES]
    assert row_counts(store)["insights_replies"] == 201


def test_an_empty_database_gives_an_empty_summary(store):
    summary = store.summary(days=3, today=TODAY)
    assert summary.replies == 0 and summary.answered_share is None
    assert (summary.emergencies, summary.topics, summary.passages) == ((), (), ())
    assert len(summary.per_day) == 3


def test_retention_deletes_old_rows_of_every_table(store):
    def day_events(days_ago):
        return [
            reply(days_ago, "no_answer", topic_terms=("wig",)),
            reply(days_ago, passage_ids=("p1",), document_ids=("d1",)),
            vote("p1", False, days_ago, terms=("wig",)),
        ]

    store.write(day_events(91) + day_events(90) + day_events(89))
    assert row_counts(store) == {
        "insights_replies": 6,
        "insights_feedback": 3,
        "insights_topic_terms": 6,  # a no_answer reply's and an unhelpful vote's
    }
    assert store.delete_older_than(TODAY - timedelta(days=90)) == 3
    assert row_counts(store) == {
        "insights_replies": 4,
        "insights_feedback": 2,
        "insights_topic_terms": 4,
    }
    assert store.delete_older_than(TODAY + timedelta(days=1)) == 6
    assert set(row_counts(store).values()) == {0}


def test_questions_are_kept_only_as_given(store):
    store.write([reply(question="where do I park"), reply(question=None)])
    with store.engine.connect() as connection:
        query = text("SELECT question FROM insights_replies")
        kept = connection.execute(query).scalars().all()
    assert sorted(kept, key=str) == [None, "where do I park"]  # ids are random


def test_size_is_measured_once_there_are_rows(store):
    store.write([reply(passage_ids=("p1",), document_ids=("d1",))])
    assert store.size_bytes() > 0


def test_tables_are_created_on_first_use_not_on_open(tmp_path):
    path = tmp_path / "instance" / "insights.sqlite3"
    store = open_store(f"sqlite:///{path}")
    assert not path.exists()
    store.summary(days=1)
    assert path.exists()
    store.close()


def test_a_postgresql_url_is_driven_by_psycopg_3():
    store = open_store("postgresql://bot:secret@db.example/faqbot")
    assert store.engine.url.drivername == "postgresql+psycopg"
    assert store.kind == "postgresql"


@pytest.mark.parametrize(
    "url", ["mysql://bot:s3cret@db/faqbot", "not a url s3cret", "postgresql:/s3cret"]
)
def test_a_bad_url_is_refused_without_repeating_it(url):
    with pytest.raises(ValueError) as refused:
        open_store(url).summary(days=1)
    assert "s3cret" not in str(refused.value)


MARKER = "Quillfeather Vantablack asked about the orchard"
PHONE, EMAIL = "+44 20 7946 0958", "jo.quillfeather@example.org"
MESSAGE = f"{MARKER}. Call me on {PHONE} or mail {EMAIL} about my wig, thanks."


def privacy_events(log_questions: bool) -> list:
    """The events a no_answer reply and an unhelpful vote make of MESSAGE."""
    terms = topic_terms(re.findall(r"\w+", MESSAGE), lambda w: False, message=MESSAGE)
    assert "wig" in terms
    question = scrub(MESSAGE) if log_questions else None
    no_answer = reply(0, "no_answer", topic_terms=terms, question=question)
    return [no_answer, vote("p1", False, terms=terms)]


def stored_text(request, store) -> str:
    """Everything the database holds, as text: the raw SQLite files, or a pg_dump."""
    if store.kind == "sqlite":
        path = Path(store.engine.url.database)
        files = path.parent.glob(path.name + "*")  # the file, and a WAL if any
        return b"".join(file.read_bytes() for file in files).decode("latin-1")
    server = request.getfixturevalue("postgres")
    return server.run("pg_dump", "-d", store.engine.url.database, "--data-only")


@pytest.mark.parametrize("log_questions", [False, True])
def test_no_message_text_phone_or_email_reaches_the_database(
    request, store, log_questions
):
    store.write(privacy_events(log_questions))
    store.close()  # SQLite writes its WAL back into the file
    stored = stored_text(request, store).casefold()
    assert "wig" in stored  # the search finds what is kept
    assert "7946" not in stored and "example" not in stored
    if log_questions:  # the operator asked for the text: all of it but the addresses
        assert f"{MARKER}. Call me on [phone] or mail [email]".casefold() in stored
    else:
        assert "quillfeather" not in stored and "vantablack" not in stored
        assert "orchard" in stored  # a common word: a topic term of its own


def test_sqlite_files_are_shared_by_several_stores(tmp_path):
    url = f"sqlite:///{tmp_path / 'insights.sqlite3'}"
    first, second = open_store(url), open_store(url)
    first.write([reply(0)])
    second.write([reply(0)])
    assert first.summary(1, TODAY).replies == 2
    first.close()
    second.close()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
    engine.dispose()


# The recorder: a queue and one writer thread between the chat and the database


class HeldStore:
    """A real store whose writes wait for `release`, noting each batch and its thread."""

    def __init__(self, store) -> None:
        self.store = store
        self.kind = store.kind
        self.engine = store.engine
        self.release = threading.Event()
        self.entered = threading.Event()
        self.batches: list[int] = []
        self.threads: set[str] = set()

    def write(self, events) -> None:
        self.entered.set()
        self.release.wait(10)
        self.batches.append(len(events))
        self.threads.add(threading.current_thread().name)
        self.store.write(events)

    def delete_older_than(self, day) -> int:
        return self.store.delete_older_than(day)

    def close(self) -> None:
        self.store.close()


class FlakyStore(HeldStore):
    """A real store that acts as a database that is down while `down` is set."""

    def __init__(self, store) -> None:
        super().__init__(store)
        self.release.set()
        self.down = threading.Event()
        self.down.set()

    def write(self, events) -> None:
        self.fail_if_down()
        super().write(events)

    def delete_older_than(self, day) -> int:
        self.fail_if_down()
        return super().delete_older_than(day)

    def fail_if_down(self) -> None:
        if self.down.is_set():
            refused = ConnectionRefusedError("Connection refused")
            statement = "INSERT INTO insights_replies VALUES (%(conversation_id)s)"
            raise OperationalError(statement, {"conversation_id": "conv-7"}, refused)


@pytest.fixture
def sqlite_store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    yield store
    store.close()


@pytest.fixture
def recorders():
    """Recorders made by a test, closed after it."""
    made = []
    yield lambda *args, **kwargs: made.append(Recorder(*args, **kwargs)) or made[-1]
    for recorder in made:
        recorder.close(timeout=1)


def test_record_returns_at_once_while_the_database_is_slow(sqlite_store, recorders):
    held = HeldStore(sqlite_store)
    recorder = recorders(lambda: held, 90, batch_seconds=0.01)
    recorder.record(reply(0))
    assert held.entered.wait(5)  # the writer holds the first event, waiting
    started = time.perf_counter()
    for _ in range(1000):
        recorder.record(reply(0))
    assert time.perf_counter() - started < 0.5
    held.release.set()
    assert recorder.flush(5)
    assert sqlite_store.summary(1, TODAY).replies == 1001
    assert held.threads == {"insights-writer"}


def test_events_are_written_in_batches_off_the_request_thread(sqlite_store, recorders):
    held = HeldStore(sqlite_store)
    held.release.set()
    recorder = recorders(lambda: held, 90, batch_events=50, batch_seconds=5)
    for _ in range(120):
        recorder.record(reply(0))
    assert recorder.flush(5)
    assert sum(held.batches) == 120 and max(held.batches) <= 50
    assert threading.current_thread().name not in held.threads


def test_events_beyond_the_queue_are_dropped_and_counted(sqlite_store, recorders):
    held = HeldStore(sqlite_store)
    recorder = recorders(lambda: held, 90, max_queued=10, batch_seconds=0.01)
    recorder.record(reply(0))
    assert held.entered.wait(5)
    for _ in range(15):
        recorder.record(reply(0))
    assert recorder.dropped == 5
    held.release.set()
    assert recorder.flush(5)
    assert sqlite_store.summary(1, TODAY).replies == 11


def test_a_database_that_is_down_is_logged_once_and_its_return_once(
    sqlite_store, recorders, caplog
):
    flaky = FlakyStore(sqlite_store)
    recorder = recorders(lambda: flaky, 90, batch_seconds=0.01, retry_seconds=0.01)
    with caplog.at_level(logging.WARNING, logger="bot.insights.recorder"):
        for _ in range(3):
            recorder.record(reply(0))
        assert not recorder.flush(5)  # tried, and failed
        for _ in range(5):
            recorder.record(reply(0))
            time.sleep(0.02)  # retries go on meanwhile
        flaky.down.clear()
        assert recorder.flush(5)
        recorder.record(reply(0))
        assert recorder.flush(5)
    assert sqlite_store.summary(1, TODAY).replies == 9
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "Insights: the sqlite database is unreachable (ConnectionRefusedError); up "
        "to 10000 events wait in memory and are retried every 0.01 s",
        "Insights: the sqlite database is reachable again (0 events dropped meanwhile)",
    ]
    assert "conv-7" not in caplog.text


def test_a_batch_the_database_refuses_is_dropped_and_the_next_stored(
    sqlite_store, recorders, caplog
):
    held = HeldStore(sqlite_store)
    held.release.set()
    recorder = recorders(lambda: held, 90, batch_seconds=0.01)
    with caplog.at_level(logging.WARNING, logger="bot.insights.recorder"):
        recorder.record(reply(0, conversation=None))  # NOT NULL refuses it
        recorder.record(reply(0, conversation=None))
        assert not recorder.flush(5)
        recorder.record(reply(0))
        assert recorder.flush(5)
    assert recorder.dropped == 2
    assert sqlite_store.summary(1, TODAY).replies == 1
    assert [record.getMessage() for record in caplog.records] == [
        "Insights: the sqlite database refused a batch (IntegrityError)"
    ]


def test_a_postgresql_server_that_is_not_there_is_logged_once_without_secrets(
    recorders, caplog
):
    url = "postgresql://bot:s3cret@/faqbot?host=/nonexistent-faqbot-folder"
    recorder = recorders(lambda: open_store(url), 90, retry_seconds=0.01)
    with caplog.at_level(logging.WARNING, logger="bot.insights.recorder"):
        started = time.perf_counter()
        recorder.record(reply(0, conversation="conv-marker"))
        assert time.perf_counter() - started < 0.5
        assert not recorder.flush(5)
        time.sleep(0.2)  # retries go on, silently
    assert len(caplog.records) == 1
    assert "the postgresql database is unreachable" in caplog.text
    assert "s3cret" not in caplog.text and "conv-marker" not in caplog.text


def test_nothing_is_written_when_nothing_was_recorded(tmp_path, recorders):
    path = tmp_path / "insights.sqlite3"
    opened = []
    recorder = recorders(
        lambda: opened.append(1) or open_store(f"sqlite:///{path}"), 90
    )
    assert recorder.flush(1)
    assert recorder.close(1)
    assert opened == [] and not path.exists()


def test_an_idle_recorder_writes_no_empty_batches(sqlite_store, recorders):
    held = HeldStore(sqlite_store)
    held.release.set()
    recorder = recorders(lambda: held, 90, batch_seconds=0.01)
    recorder.record(reply(0))
    assert recorder.flush(5)
    time.sleep(0.2)
    assert held.batches == [1]


def test_the_recorder_deletes_rows_older_than_its_days_at_start(
    sqlite_store, recorders
):
    sqlite_store.write([reply(31), reply(30), reply(1)])
    recorder = recorders(lambda: sqlite_store, 30, today=lambda: TODAY)
    recorder.record(reply(0))
    assert recorder.flush(5)
    summary = sqlite_store.summary(days=365, today=TODAY)
    assert summary.replies == 3  # 30 days ago, yesterday, today


ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str) -> None:
    """Run a Python program in a new interpreter, from the repository."""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_what_is_queued_at_exit_is_written(tmp_path):
    url = f"sqlite:///{tmp_path / 'insights.sqlite3'}"
    run_python(
        "from datetime import date\n"
        "from bot.insights import Recorder, ReplyEvent, open_store\n"
        f"recorder = Recorder(lambda: open_store({url!r}), 90, batch_seconds=60)\n"
        "recorder.record(ReplyEvent(date.today(), 'c', 'answer', None, (), ()))\n"
    )
    assert open_store(url).summary(days=1).replies == 1


def test_a_forked_worker_writes_through_its_own_thread(tmp_path):
    url = f"sqlite:///{tmp_path / 'insights.sqlite3'}"
    run_python(
        "import os\n"
        "from datetime import date\n"
        "from bot.insights import Recorder, ReplyEvent, open_store\n"
        f"recorder = Recorder(lambda: open_store({url!r}), 90, batch_seconds=60)\n"
        "event = ReplyEvent(date.today(), 'c', 'answer', None, (), ())\n"
        "recorder.record(event)\n"
        "assert recorder.flush(5)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    recorder.record(event)\n"
        "    os._exit(0 if recorder.flush(5) else 1)\n"
        "assert os.waitpid(pid, 0)[1] == 0\n"
    )
    assert open_store(url).summary(days=1).replies == 2
