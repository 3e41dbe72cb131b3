"""FAQ sheets (.jsonl, .csv): one entry a line or row, each entry its own document.

The entry's question is the heading of its answer, so it is searchable and cited as the
section. A bad row is reported with its line number and skipped; the other rows are
still read. CSV files from spreadsheets may use `;` or tabs, and capitalised headers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from ..models import Document, Section
from .common import UnreadableFile, decode, paragraph_spans

REQUIRED = ("id", "question", "answer")
OPTIONAL = ("title", "url")
Row = tuple[int, object]  # (line number, the parsed row)


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """The entries of a .jsonl or .csv FAQ sheet, and a warning for each bad row."""
    warnings: list[str] = []
    text = decode(path, warnings)
    is_jsonl = path.suffix.lower() == ".jsonl"
    rows = _jsonl_rows(text, warnings) if is_jsonl else _csv_rows(text, warnings)
    documents, first_lines = [], {}
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
    if not documents:
        raise UnreadableFile(f"has no valid FAQ entries ({'; '.join(warnings[:3])})")
    return documents, warnings


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


def _jsonl_rows(text: str, warnings: list[str]) -> Iterator[Row]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            warnings.append(
                f"line {number}: not valid JSON ({error.msg} at column {error.colno}); "
                "row skipped"
            )


def _csv_rows(text: str, warnings: list[str]) -> Iterator[Row]:
    """Each data row as a dict by lower-case column name, with its first line."""
    records = _csv_records(text, warnings)
    header_line, header = next(records, (1, []))
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


def _csv_records(text: str, warnings: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each non-blank row; rows with broken quoting skipped.

    An unclosed quote would swallow every row after it, so reading starts again on
    the line after the broken row's first line.
    """
    lines = text.splitlines(keepends=True)
    delimiter = _delimiter(next((line for line in lines if line.strip()), ""))
    start = 0  # index in `lines` where the next row begins
    while start < len(lines):
        reader = csv.reader(lines[start:], delimiter=delimiter, strict=True)
        consumed = 0
        try:
            for cells in reader:
                first, consumed = start + consumed + 1, reader.line_num
                if any(cell.strip() for cell in cells):
                    yield first, cells
            return
        except csv.Error as error:
            first = start + consumed + 1
            warnings.append(f"line {first}: broken quoting ({error}); row skipped")
            start = first


def _delimiter(header: str) -> str:
    """The separator a spreadsheet used: comma, semicolon or tab, by the header row."""
    return max(",;\t", key=header.count) if header.strip() else ","
