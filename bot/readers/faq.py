"""FAQ sheets (.jsonl, .csv): one entry a line or row, each entry its own document.

The entry's question is the heading of its answer, so it is searchable and cited as the
section; a bad row is reported with its line number and the other rows are still read.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..models import Document, Section
from .common import UnreadableFile, decode, paragraph_spans

REQUIRED = ("id", "question", "answer")


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """The entries of a .jsonl or .csv FAQ sheet, and a warning for each bad row."""
    warnings: list[str] = []
    text = decode(path, warnings)
    rows = _jsonl_rows(text, warnings) if path.suffix.lower() == ".jsonl" else _csv_rows(text)
    documents, seen = [], set()
    for line, row in rows:
        problem = _row_problem(row, seen)
        if problem:
            warnings.append(f"line {line}: {problem}; row skipped")
            continue
        seen.add(row["id"].strip())
        documents.append(entry_document(row))
    if not documents:
        raise UnreadableFile("has no valid FAQ entries (" + "; ".join(warnings[:3]) + ")")
    return documents, warnings


def entry_document(row: dict) -> Document:
    """One FAQ entry as a document whose only section is headed by its question."""
    answer = row["answer"].strip()
    question = " ".join(row["question"].split())
    # An answer's lines are its paragraphs, whether or not blank lines separate them.
    spans = tuple(_line_spans(answer))
    return Document(
        document_id=row["id"].strip(),
        title=(row.get("title") or "").strip() or question,
        url=(row.get("url") or "").strip() or None,
        text=answer,
        sections=(Section(heading=question, paragraphs=spans),),
    )


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for line in text.split("\n"):
        spans.extend(paragraph_spans(text, position, position + len(line)))
        position += len(line) + 1
    return spans


def _row_problem(row: object, seen: set[str]) -> str | None:
    if not isinstance(row, dict):
        return "not an object with id, question and answer"
    for name in REQUIRED:
        value = row.get(name)
        if not isinstance(value, str) or not value.strip():
            return f"missing '{name}'"
    for name in ("title", "url"):
        if row.get(name) is not None and not isinstance(row.get(name), str):
            return f"'{name}' is not text"
    if row["id"].strip() in seen:
        return f"duplicate id {row['id'].strip()!r}"
    return None


def _jsonl_rows(text: str, warnings: list[str]):
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            warnings.append(f"line {number}: not valid JSON ({error.msg}); row skipped")


def _csv_rows(text: str):
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not set(REQUIRED) <= {n.strip() for n in reader.fieldnames}:
        missing = set(REQUIRED) - {n.strip() for n in reader.fieldnames or []}
        raise UnreadableFile(f"has no column {', '.join(sorted(missing))} in its header row")
    for row in reader:
        cleaned = {(key or "").strip(): value for key, value in row.items()}
        yield reader.line_num, cleaned
