"""Insights as plain figures: the tables of `faqbot insights`, its CSV, and /admin's CSV.

Every table is built once by `table_rows` (raw values), then written as text for a
terminal or as CSV for a spreadsheet; /admin's number tables use the same rows, so the
page, the download and the CLI can never disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from bot.insights.records import KINDS, MIN_CONVERSATIONS_PER_TOPIC, Summary

TABLES = ("per_day", "emergencies", "topics", "passages")
TITLES = {
    "per_day": "Replies per day, by kind",
    "emergencies": "Emergencies by category",
    "topics": f"Unanswered topics (shared by {MIN_CONVERSATIONS_PER_TOPIC}+ conversations)",
    "passages": "Most shown passages, with their votes",
}
NOTHING_YET = "nothing recorded yet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula
LABEL_CHARS = 60  # a passage label is cut to this in a terminal

Cell = str | int | float | None
Rows = list[tuple[Cell, ...]]


def table_rows(
    summary: Summary, table: str, passage_labels: Mapping[str, str] | None = None
) -> tuple[tuple[str, ...], Rows]:
    """The header and rows of one of TABLES, values raw (a share is 0..1 or None)."""
    if table == "per_day":
        header = ("day", *KINDS, "answered_share")
        rows = [
            (day.day.isoformat(), *(day.by_kind[kind] for kind in KINDS))
            + (day.answered_share,)
            for day in summary.per_day
        ]
    elif table == "emergencies":
        header, rows = ("category", "replies"), list(summary.emergencies)
    elif table == "topics":
        header = ("topic", "conversations")
        rows = [(topic.term, topic.conversations) for topic in summary.topics]
    elif table == "passages":
        labels = passage_labels or {}
        header = (
            "passage_id",
            "document_id",
            "passage",
            "shown",
            "helpful",
            "unhelpful",
        )
        rows = [
            (p.passage_id, p.document_id, labels.get(p.passage_id, p.passage_id))
            + (p.shown, p.helpful, p.unhelpful)
            for p in summary.passages
        ]
    else:
        raise ValueError(f"table must be one of {', '.join(TABLES)}, not {table!r}")
    return header, rows


def has_rows(summary: Summary, table: str) -> bool:
    """Whether a table has anything to show; days without replies count as nothing."""
    if table == "per_day":
        return summary.replies > 0
    return bool(table_rows(summary, table)[1])


def summary_csv(
    summary: Summary, table: str, passage_labels: Mapping[str, str] | None = None
) -> str:
    """One of TABLES as CSV: a header row, then one row per day, category, topic or passage."""
    header, rows = table_rows(summary, table, passage_labels)
    out = io.StringIO()
    # "\n" rather than csv's "\r\n": the CLI prints these, and spreadsheets read both.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([tuple(_csv_cell(cell) for cell in row) for row in rows])
    return out.getvalue()


def summary_csv_all(
    summary: Summary, passage_labels: Mapping[str, str] | None = None
) -> str:
    """All TABLES as CSV, each after a `# table` line, separated by a blank line."""
    parts = [
        f"# {table}\n" + summary_csv(summary, table, passage_labels) for table in TABLES
    ]
    return "\n".join(parts)


def summary_text(
    summary: Summary, passage_labels: Mapping[str, str] | None = None
) -> str:
    """What `faqbot insights` prints: a headline, then every table, aligned for a terminal."""
    share = _percent(summary.answered_share)
    lines = [
        f"Insights, last {summary.days} days "
        f"({summary.first_day.isoformat()} to {summary.last_day.isoformat()})",
        f"Replies: {summary.replies}    Answered: {share}",
    ]
    for table in TABLES:
        header, rows = table_rows(summary, table, passage_labels)
        if table == "passages":  # the ids are for machines; a person reads the label
            header, rows = header[2:], [row[2:] for row in rows]
        lines += ["", TITLES[table]]
        if has_rows(summary, table):
            lines += _aligned(header, rows)
        else:
            lines.append(f"  ({NOTHING_YET})")
    return "\n".join(lines) + "\n"


def _aligned(header: Sequence[str], rows: Rows) -> list[str]:
    """Columns padded to their widest cell: text to the left, figures to the right."""
    is_text = [any(isinstance(row[i], str) for row in rows) for i in range(len(header))]
    cells = [tuple(header), *(tuple(map(_text_cell, row)) for row in rows)]
    widths = [max(len(cell) for cell in column) for column in zip(*cells, strict=True)]
    return [
        "  ".join(
            cell.ljust(width) if left else cell.rjust(width)
            for cell, width, left in zip(line, widths, is_text, strict=True)
        ).rstrip()
        for line in cells
    ]


def _text_cell(cell: Cell) -> str:
    if cell is None:
        return "-"
    if isinstance(cell, float):
        return _percent(cell)
    text = str(cell)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _csv_cell(cell: Cell) -> str | int:
    """A cell a spreadsheet shows as written: text that would start a formula gets an
    apostrophe first (OWASP's CSV injection advice)."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell:.3f}"
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
