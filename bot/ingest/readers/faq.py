"""FAQ sheets (.jsonl, .csv): one entry a line or row, each entry its own document.

The entry's question is the heading of its answer, so it is searchable and cited as the
section. A bad row is reported with its line number and skipped; the other rows are
still read. CSV files from spreadsheets may use `;` or tabs, and capitalised headers.
A large sheet is read in parts of a few MB, each alone (see faq_parts.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from bot.ingest.readers.common import UnreadableFile, decode, paragraph_spans
from bot.ingest.readers.csv_rows import csv_records
from bot.models import Document, Section

REQUIRED = ("id", "question", "answer")
OPTIONAL = ("title", "url")
Row = tuple[int, object]  # (line number, the parsed row)


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """The entries of a .jsonl or .csv FAQ sheet, and a warning for each bad row."""
    warnings: list[str] = []
    text = decode(path, warnings)
    documents = entries_of_text(text, path.suffix.lower(), 1, {}, warnings)
    if not documents:
        raise UnreadableFile(f"has no valid FAQ entries ({'; '.join(warnings[:3])})")
    return documents, warnings


def entries_of_text(
    text: str,
    suffix: str,
    first_line: int,
    first_lines: dict[str, int],
    warnings: list[str],
) -> list[Document]:
    """The entries of a sheet's text that starts on line `first_line`; `first_lines`:
    each id taken so far and its line, filled in here."""
    if suffix == ".jsonl":
        rows = _jsonl_rows(text, warnings, first_line)
    else:
        rows = _csv_rows(text, warnings, first_line)
    documents = []
    for line, row in rows:
        problem = _row_problem(row, first_lines)
        if problem:
            warnings.append(f"line {line}: {problem}; row skipped")
            continue
        entry = {name: str(row[name]).strip() for name in REQUIRED} | {
            name: (row.get(name) or "").strip() for name in OPTIONAL
        }
        first_lines[entry["id"]] = line
        documents.append(entry_document(entry))
    return documents


def entry_document(entry: dict[str, str]) -> Document:
    """One FAQ entry as a document whose only section is headed by its question."""
    answer = entry["answer"]
    question = " ".join(entry["question"].split())
    # An answer's lines are its paragraphs, whether or not blank lines separate them.
    spans = tuple(_line_spans(answer))
    return Document(
        document_id=entry["id"],
        title=entry["title"] or question,
        url=entry["url"] or None,
        text=answer,
        sections=(Section(heading=question, paragraphs=spans),),
    )


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for line in text.split("\n"):
        spans.extend(paragraph_spans(text, position, position + len(line)))
        position += len(line) + 1
    return spans


def _row_problem(row: object, first_lines: dict[str, int]) -> str | None:
    """Why a row cannot be an entry, or None when it can."""
    if not isinstance(row, dict):
        return "not an object with id, question and answer"
    for name in REQUIRED:
        value = row.get(name)
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None:
            return f"'{name}' is missing"
        if not isinstance(value, str):
            return f"'{name}' is not text"
        if not value.strip():
            return f"'{name}' is empty"
    for name in OPTIONAL:
        if row.get(name) is not None and not isinstance(row[name], str):
            return f"'{name}' is not text"
    url = (row.get("url") or "").strip()
    if url and not url.startswith(("http://", "https://")):
        return f"'url' is not a web address: {url!r}"
    entry_id = str(row["id"]).strip()
    if entry_id in first_lines:
        return f"duplicate id {entry_id!r} (first on line {first_lines[entry_id]})"
    return None


def _jsonl_rows(text: str, warnings: list[str], first_line: int) -> Iterator[Row]:
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            warnings.append(
                f"line {number}: not valid JSON ({error.msg} at column {error.colno}); "
                "row skipped"
            )


def _csv_rows(text: str, warnings: list[str], first_line: int) -> Iterator[Row]:
    """Each data row as a dict by lower-case column name, with its first line."""
    records = csv_records(text, warnings, first_line)
    header_line, header = next(records, (first_line, []))
    columns = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        found = ", ".join(name for name in columns if name) or "nothing"
        raise UnreadableFile(
            f"has no {', '.join(repr(name) for name in missing)} column "
            f"(line {header_line} has: {found})"
        )
    for line, cells in records:
        extra = [cell for cell in cells[len(columns) :] if cell.strip()]
        if extra:
            warnings.append(
                f"line {line}: {len(cells)} values for {len(columns)} columns "
                "(text with a comma must be in double quotes); row skipped"
            )
            continue
        yield line, dict(zip(columns, cells, strict=False))
