"""What `faqbot insights` prints and what the CSV downloads hold, from a hand-built Summary."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from bot.insights.records import KINDS, DayCounts, PassageVotes, Summary, TopicCount
from bot.insights.report import (
    TABLES,
    summary_csv,
    summary_csv_all,
    summary_text,
    table_rows,
)

LABELS = {"folfox-1": "What is FOLFOX? — Overview"}


def day(n: int, **counts: int) -> DayCounts:
    return DayCounts(date(2026, 5, n), {kind: counts.get(kind, 0) for kind in KINDS})


SUMMARY = Summary(
    days=3,
    first_day=date(2026, 5, 1),
    last_day=date(2026, 5, 3),
    per_day=(
        day(1, answer=3, clarify=1, no_answer=1, urgent=1),
        day(2),
        day(3, answer=1, smalltalk=2, no_answer=1),
    ),
    emergencies=(("chest_pain", 1),),
    topics=(TopicCount("parking", 4), TopicCount("wifi", 3)),
    passages=(
        PassageVotes("folfox-1", "folfox", 4, 2, 1),
        PassageVotes("parking-2", "parking", 1, 0, 0),
    ),
)
EMPTY = Summary(
    days=2,
    first_day=date(2026, 5, 1),
    last_day=date(2026, 5, 2),
    per_day=(day(1), day(2)),
    emergencies=(),
    topics=(),
    passages=(),
)


def test_text_gives_the_headline_and_every_table_aligned():
    assert summary_text(SUMMARY, LABELS) == (
        "Insights, last 3 days (2026-05-01 to 2026-05-03)\n"
        "Replies: 10    Answered: 57%\n"
        "\n"
        "Replies per day, by kind\n"
        "day         answer  clarify  no_answer  smalltalk  urgent  answered_share\n"
        "2026-05-01       3        1          1          0       1             60%\n"
        "2026-05-02       0        0          0          0       0               -\n"
        "2026-05-03       1        0          1          2       0             50%\n"
        "\n"
        "Emergencies by category\n"
        "category    replies\n"
        "chest_pain        1\n"
        "\n"
        "Unanswered topics (shared by 3+ conversations)\n"
        "topic    conversations\n"
        "parking              4\n"
        "wifi                 3\n"
        "\n"
        "Most shown passages, with their votes\n"
        "passage                     shown  helpful  unhelpful\n"
        "What is FOLFOX? — Overview      4        2          1\n"
        "parking-2                       1        0          0\n"
    )


def test_text_of_an_empty_window_says_nothing_recorded_yet():
    text = summary_text(EMPTY)
    assert text.startswith("Insights, last 2 days (2026-05-01 to 2026-05-02)\n")
    assert "Replies: 0    Answered: -\n" in text
    assert text.count("  (nothing recorded yet)\n") == len(TABLES)


def test_text_cuts_a_long_passage_title():
    labels = {"folfox-1": "A" * 100}
    line = summary_text(SUMMARY, labels).splitlines()[-2]
    assert line.startswith("A" * 59 + "… ")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            "per_day",
            "day,answer,clarify,no_answer,smalltalk,urgent,answered_share\n"
            "2026-05-01,3,1,1,0,1,0.600\n"
            "2026-05-02,0,0,0,0,0,\n"
            "2026-05-03,1,0,1,2,0,0.500\n",
        ),
        ("emergencies", "category,replies\nchest_pain,1\n"),
        ("topics", "topic,conversations\nparking,4\nwifi,3\n"),
        (
            "passages",
            "passage_id,document_id,passage,shown,helpful,unhelpful\n"
            "folfox-1,folfox,What is FOLFOX? — Overview,4,2,1\n"
            "parking-2,parking,parking-2,1,0,0\n",
        ),
    ],
)
def test_csv_has_a_header_and_a_row_per_item(table, expected):
    assert summary_csv(SUMMARY, table, LABELS) == expected


def test_csv_of_an_empty_window_is_its_header_alone():
    assert summary_csv(EMPTY, "topics") == "topic,conversations\n"
    assert summary_csv(EMPTY, "per_day").splitlines()[1] == "2026-05-01,0,0,0,0,0,"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_would_start_a_formula_get_an_apostrophe(start):
    hostile = start + 'HYPERLINK("http://example.com","x")'
    summary = Summary(
        days=1,
        first_day=date(2026, 5, 1),
        last_day=date(2026, 5, 1),
        per_day=(day(1, urgent=1),),
        emergencies=((hostile, 1),),
        topics=(TopicCount(hostile, 3),),
        passages=(PassageVotes(hostile, hostile, 1, 0, 0),),
    )
    for table in ("emergencies", "topics", "passages"):
        rows = list(csv.reader(io.StringIO(summary_csv(summary, table))))
        text_cells = [cell for cell in rows[1] if not cell.isdigit()]
        assert text_cells and all(cell == "'" + hostile for cell in text_cells)


def test_csv_all_gives_each_table_after_a_comment_line():
    blocks = summary_csv_all(SUMMARY, LABELS).split("\n\n")
    for table, block in zip(TABLES, blocks, strict=True):
        expected = f"# {table}\n" + summary_csv(SUMMARY, table, LABELS)
        assert block.rstrip("\n") == expected.rstrip("\n")


def test_an_unknown_table_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="per_day, emergencies, topics, passages"):
        table_rows(SUMMARY, "questions")
