"""Insights' database size and summary time: 100,000 chats written through the real store.

    .venv/bin/python bench/insights_size.py [--chats 100000] [--days 90]
        [--database-url postgresql://USER@HOST/DB]

Makes a deterministic mix of events, as the web stage would queue them: of the replies,
70% answer (1-3 passages shown, of 200 passage ids in 40 documents, the popular ones
shown more), 20% no_answer (0-3 topic terms of a 300-word vocabulary), 5% clarify, 3%
smalltalk, 2% urgent (a red-flag category of the rulebook); about 3 replies per
conversation, conversations spread over the last 90 days, and a vote on about 10% of the
answers (70% helpful; an unhelpful one carries 0-3 topic terms). A chat is one reply.
The events are written in order, in batches of 200 as the recorder does, through
`open_store(url).write`, into a fresh SQLite file in a temporary folder (deleted at the
end). Prints the rows of each table, the write time, the file's size (with its WAL;
after the store closed; after a VACUUM) in MB and per 100,000 chats, and how long
`store.summary(90)` takes (the first call, then the median of five).

With `--database-url`, the same events go to that PostgreSQL database too, which must
hold no Insights tables yet (the store creates them; they are dropped at the end); its size is
`store.size_bytes()` (pg_total_relation_size of the tables: data, indexes, TOAST),
before and after VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tomllib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.insights import FeedbackEvent, ReplyEvent, Store, open_store  # noqa: E402
from bot.insights._tables import metadata  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
RULEBOOK = ROOT / "bot" / "answer" / "triage" / "data" / "triage_rules.toml"
OUT = ROOT / "bench" / "out"
KIND_SHARES = {
    "answer": 0.70,
    "no_answer": 0.20,
    "clarify": 0.05,
    "smalltalk": 0.03,
    "urgent": 0.02,
}
DOCUMENTS = 40
PASSAGES_PER_DOCUMENT = 5  # 200 passage ids
VOCABULARY = 300
REPLIES_PER_CONVERSATION = 3  # on average: 1 to 5, evenly
VOTE_SHARE = 0.10  # of answers
HELPFUL_SHARE = 0.70
BATCH_EVENTS = 200  # as bot/insights/recorder.py
SUMMARY_RUNS = 5
MB = 1_000_000
STOP_WORDS = set(
    "about after also been before being could does from have into just more most "
    "only other should some such than that their them then there these they this "
    "those very what when where which while will with would your".split()
)


def popular(rng: random.Random, items: list, count: int) -> list:
    """`count` different items, the first ones of the list more often (Zipf-like)."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(items))]
    chosen: list = []
    while len(chosen) < count:
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def vocabulary(rng: random.Random) -> list[str]:
    """VOCABULARY words patients use: the shared sets' and the corpus's most common,
    made-up words of the same lengths when they run short."""
    texts = [path.read_text("utf-8") for path in sorted((ROOT / "corpus").glob("*"))]
    for path in sorted(EVAL.glob("*.jsonl")) if EVAL.exists() else []:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(str(row.get("message") or row.get("question") or ""))
    counts = Counter(
        word
        for text in texts
        for word in re.findall(r"[a-z]{4,14}", text.lower())
        if word not in STOP_WORDS
    )
    words = [word for word, _ in counts.most_common(VOCABULARY)]
    while len(words) < VOCABULARY:
        length = rng.randint(4, 11)
        words.append("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=length)))
    rng.shuffle(words)  # popularity in the chats is not the corpus's
    return words


def categories() -> list[str]:
    """The rulebook's red-flag categories."""
    with RULEBOOK.open("rb") as file:
        return sorted(tomllib.load(file)["categories"])


def make_events(chats: int, days: int, today: date, seed: int = 7) -> list:
    """The events of `chats` replies and their votes, in the order they happen."""
    rng = random.Random(seed)
    documents = [f"{n:03d}_{rng.getrandbits(64):016x}" for n in range(DOCUMENTS)]
    passages = [
        (f"{document}#{n}", document)
        for document in documents
        for n in range(PASSAGES_PER_DOCUMENT)
    ]
    rng.shuffle(passages)
    words = vocabulary(rng)
    flags = categories()
    kinds, shares = list(KIND_SHARES), list(KIND_SHARES.values())
    conversations = []
    made = 0
    while made < chats:
        length = min(rng.randint(1, 2 * REPLIES_PER_CONVERSATION - 1), chats - made)
        day = today - timedelta(days=rng.randrange(days))
        conversations.append((day, f"{rng.getrandbits(64):016x}", length))
        made += length
    conversations.sort()  # a day's conversations in turn, as the recorder sees them
    events: list = []
    for day, conversation_id, length in conversations:
        for _ in range(length):
            kind = rng.choices(kinds, shares)[0]
            shown = []
            if kind == "answer":
                shown = popular(rng, passages, rng.randint(1, 3))
            terms = ()
            if kind == "no_answer":
                terms = tuple(popular(rng, words, rng.randint(0, 3)))
            events.append(
                ReplyEvent(
                    day=day,
                    conversation_id=conversation_id,
                    kind=kind,
                    category=rng.choice(flags) if kind == "urgent" else None,
                    document_ids=tuple(document for _, document in shown),
                    passage_ids=tuple(passage for passage, _ in shown),
                    topic_terms=terms,
                )
            )
            if shown and rng.random() < VOTE_SHARE:
                helpful = rng.random() < HELPFUL_SHARE
                events.append(
                    FeedbackEvent(
                        day=day,
                        conversation_id=conversation_id,
                        passage_id=rng.choice(shown)[0],
                        helpful=helpful,
                        topic_terms=()
                        if helpful
                        else tuple(popular(rng, words, rng.randint(0, 3))),
                    )
                )
    return events


def write(store: Store, events: list) -> float:
    """Write the events in batches of BATCH_EVENTS; the seconds it took."""
    started = time.perf_counter()
    for start in range(0, len(events), BATCH_EVENTS):
        store.write(events[start : start + BATCH_EVENTS])
    return time.perf_counter() - started


def time_summary(store: Store, days: int, today: date) -> tuple[float, float, int]:
    """Seconds of the first summary(days), the median of the next SUMMARY_RUNS, and
    the replies it counted."""
    started = time.perf_counter()
    summary = store.summary(days, today)
    first = time.perf_counter() - started
    runs = []
    for _ in range(SUMMARY_RUNS):
        started = time.perf_counter()
        store.summary(days, today)
        runs.append(time.perf_counter() - started)
    return first, statistics.median(runs), summary.replies


def row_counts(store: Store) -> dict[str, int]:
    """Rows of each Insights table."""
    from sqlalchemy import func, select

    with store.engine.connect() as connection:
        return {
            table.name: connection.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
            for table in metadata.sorted_tables
        }


def size_line(what: str, size: int, chats: int) -> str:
    """A size in MB, and per 100,000 chats."""
    per = size / chats * 100_000
    return f"{what}: {size / MB:.2f} MB ({per / MB:.2f} MB per 100,000 chats)"


def report_common(store: Store, events: list, seconds: float, args) -> None:
    """Rows per table and the write time."""
    counts = row_counts(store)
    print("rows: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    batches = -(-len(events) // BATCH_EVENTS)
    print(
        f"write: {len(events)} events in {batches} batches of {BATCH_EVENTS}: "
        f"{seconds:.1f} s ({len(events) / seconds:.0f} events/s, "
        f"{1000 * seconds / batches:.1f} ms per batch)"
    )


def report_summary(store: Store, args, today: date, label: str = "") -> None:
    first, median, replies = time_summary(store, args.days, today)
    print(
        f"summary({args.days}){label}: first {1000 * first:.0f} ms, then median "
        f"{1000 * median:.0f} ms of {SUMMARY_RUNS} ({replies} replies counted)"
    )


def sqlite_run(events: list, args, today: date) -> None:
    """The events in a fresh SQLite file: sizes, then the summary's time."""
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="insights-size-", dir=OUT))
    path = folder / "insights.sqlite3"
    try:
        store = open_store(f"sqlite:///{path}")
        seconds = write(store, events)
        print(f"SQLite ({path.name}, WAL, as the bot opens it)")
        report_common(store, events, seconds, args)
        wal = path.with_name(path.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        print(
            size_line("size_bytes(), file and WAL", store.size_bytes(), args.chats)
            + f" [WAL {wal_size / MB:.2f} MB]"
        )
        report_summary(store, args, today)
        store.close()  # the last connection checkpoints the WAL into the file
        print(size_line("file, store closed", path.stat().st_size, args.chats))
        connection = sqlite3.connect(path)
        connection.execute("VACUUM")
        connection.close()
        print(size_line("file, after VACUUM", path.stat().st_size, args.chats))
        store = open_store(f"sqlite:///{path}")
        report_summary(store, args, today, " after VACUUM")
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postgres_run(url: str, events: list, args, today: date) -> None:
    """The events in an empty PostgreSQL database: sizes and the summary's time."""
    from sqlalchemy import inspect, text

    store = open_store(url)
    if any(inspect(store.engine).has_table(t.name) for t in metadata.sorted_tables):
        store.close()
        raise SystemExit("the PostgreSQL database holds Insights tables already")
    try:
        seconds = write(store, events)
        print("PostgreSQL")
        report_common(store, events, seconds, args)
        print(size_line("size_bytes()", store.size_bytes(), args.chats))
        report_summary(store, args, today)
        with store.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            for table in metadata.sorted_tables:
                connection.execute(text(f"VACUUM ANALYZE {table.name}"))
        print(
            size_line(
                "size_bytes(), after VACUUM ANALYZE", store.size_bytes(), args.chats
            )
        )
        report_summary(store, args, today, " after VACUUM ANALYZE")
    finally:
        metadata.drop_all(store.engine)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=100_000, help="replies")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database with no Insights rows, measured after SQLite",
    )
    args = parser.parse_args()
    today = date.today()
    events = make_events(args.chats, args.days, today)
    replies = [e for e in events if isinstance(e, ReplyEvent)]
    kinds = Counter(e.kind for e in replies)
    votes = len(events) - len(replies)
    print(
        f"{args.chats} chats (replies) in "
        f"{len({e.conversation_id for e in replies})} conversations over "
        f"{args.days} days, {votes} votes; "
        + ", ".join(f"{kind} {kinds[kind] / len(replies):.0%}" for kind in KIND_SHARES)
    )
    sqlite_run(events, args, today)
    if args.database_url:
        postgres_run(args.database_url, events, args, today)


if __name__ == "__main__":
    main()
