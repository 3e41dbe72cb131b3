"""FAQ sheets (.jsonl, .csv): one entry a line or row, each entry its own document.

The entry's question is the heading of its answer, so it is searchable and cited as the
section. A bad row is reported with its line number and skipped; the other rows are
still read. CSV files from spreadsheets may use `;` or tabs, and capitalised headers.
A large sheet is read in parts of a few MB, each alone (see `parts`).
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.ingest.readers.common import UnreadableFile, decode, paragraph_spans
from bot.models import Document, Section

REQUIRED = ("id", "question", "answer")
OPTIONAL = ("title", "url")
Row = tuple[int, object]  # (line number, the parsed row)
PART_BYTES = 4 << 20  # a larger sheet is read in parts of about this size: see `parts`
RAN_ON = "(unexpected end of data)"  # the csv module's error for a row cut short
# Where str.splitlines() ends a line: a CSV row ends there, as when the csv module
# was given a sheet's lines (a \r is a \n by then: see common.decode).
LINE_BREAKS = "\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
LINE = re.compile(f"[^{LINE_BREAKS}]*[{LINE_BREAKS}]?")
LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
QUOTED = re.compile(r'[^"]*(?:""[^"]*)*"(?!")')  # a quoted field, after its "


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """The entries of a .jsonl or .csv FAQ sheet, and a warning for each bad row."""
    warnings: list[str] = []
    text = decode(path, warnings)
    documents = _entries(text, path.suffix.lower(), 1, {}, warnings)
    if not documents:
        raise UnreadableFile(f"has no valid FAQ entries ({'; '.join(warnings[:3])})")
    return documents, warnings


@dataclass(frozen=True)
class Part:
    """Whole rows of a large sheet: its bytes [start, end), the first on line `line`."""

    start: int
    end: int
    line: int
    header_end: int  # a CSV sheet's header is its bytes [0, header_end); JSONL: 0
    last: bool  # the part that ends the sheet


@dataclass
class PartEntries:
    """The entries of one part of a sheet, as reading the whole sheet gives them."""

    documents: list[Document]
    warnings: list[str]
    lines: list[int]  # each document's line: later parts check duplicate ids by them
    whole_rows: bool  # False: a CSV row ran on past the part's end (see `parts`)


def parts(path: Path) -> list[Part] | None:
    """Where a large sheet is cut into parts of a few MB, each read alone; None: read it
    whole (a small sheet, one not in UTF-8, or a CSV whose header is not its first line).

    A 600 MB export read whole keeps one core busy for minutes and takes gigabytes; its
    parts are read like small files, on every core, and merged in order (index_build.py),
    and no process holds the whole sheet. A part starts at a row and knows its first
    line number, so its entries, warnings and line numbers are those of the whole sheet;
    a later CSV part reads the header line first. A JSON line ends at a line break. A
    CSV row may hold line breaks in a quoted field, so a CSV part ends at a line break
    after an even number of quotes from its start. A malformed row (a stray or unclosed
    quote) can still run on past that end: reading the part says so
    (`PartEntries.whole_rows`), and the rest of the sheet is then read as one part.
    Finding the parts reads the sheet once, a part at a time.
    """
    suffix, size = path.suffix.lower(), path.stat().st_size
    if suffix not in (".jsonl", ".csv") or size <= PART_BYTES:
        return None
    found, start, line = [], 0, 1
    with path.open("rb") as sheet:
        head = sheet.read(4096)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in head:
            return None  # UTF-16 or binary: as read whole
        header_end = _header_end(sheet) if suffix == ".csv" else 0
        if header_end is None:
            return None
        while start < size:
            sheet.seek(start)
            raw = _whole_rows(sheet, size - start, suffix == ".csv")
            if not (raw.isascii() or _is_utf8(raw)):
                return None  # read whole, in the encoding of the whole sheet
            end = start + len(raw)
            found.append(Part(start, end, line, header_end, last=end >= size))
            line += _line_breaks(raw, suffix == ".csv")
            start = end
    return found if len(found) > 1 else None


def read_part(
    path: Path, part: Part, known: dict[str, int] | None = None
) -> PartEntries:
    """The entries of one part of a sheet (see `parts`); `known`: ids of earlier parts
    this part repeats, by the line they are first on."""
    text, first_line = _text(path, part.start, part.end), part.line
    if part.start and part.header_end:  # the header, as the line before the part's
        text, first_line = _text(path, 0, part.header_end) + text, first_line - 1
    warnings: list[str] = []
    first_lines = dict(known or {})
    documents = _entries(text, path.suffix.lower(), first_line, first_lines, warnings)
    lines = [first_lines[document.document_id] for document in documents]
    ran_on = path.suffix.lower() == ".csv" and any(RAN_ON in w for w in warnings)
    return PartEntries(documents, warnings, lines, part.last or not ran_on)


def _header_end(sheet: BinaryIO) -> int | None:
    """Where a CSV sheet's header ends when it is all of its first line, else None."""
    sheet.seek(0)
    first = sheet.readline(PART_BYTES)
    text = first.decode("utf-8-sig", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not first.endswith(b"\n") or not text.strip() or len(text.splitlines()) > 1:
        return None
    try:
        [_] = csv.reader([text], delimiter=_delimiter(text), strict=True)
    except (csv.Error, ValueError):  # a quoted field runs on to the next line
        return None
    return len(first)


def _whole_rows(sheet: BinaryIO, left: int, is_csv: bool) -> bytes:
    """From where `sheet` is (`left` bytes before its end), its bytes up to the end of
    the last whole row in about PART_BYTES (more when no row ends there), or all."""
    raw = sheet.read(PART_BYTES)
    while len(raw) < left:
        end = raw.rfind(b"\n") + 1
        quotes = raw.count(b'"', 0, end) if is_csv else 0
        while quotes % 2:  # a line break inside a quoted field: look further back
            previous = raw.rfind(b"\n", 0, end - 1) + 1
            quotes -= raw.count(b'"', previous, end)
            end = previous
        if end:
            return raw[:end]
        more = sheet.read(len(raw))
        if not more:
            break
        raw += more
    return raw


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _line_breaks(raw: bytes, is_csv: bool) -> int:
    """How many lines `raw` ends, as its reader counts them once `decode` has made
    every \\r\\n and \\r a \\n: a JSON line ends at \\n, a CSV line at LINE_BREAKS."""
    breaks = LINE_BREAKS if is_csv else "\n"
    single = "".join(char for char in breaks if char.isascii()).encode() + b"\r"
    count = len(raw) - len(raw.translate(None, single))
    if b"\r" in raw:
        count -= raw.count(b"\r\n")
    if not raw.isascii():
        count += sum(raw.count(char.encode()) for char in breaks if not char.isascii())
    return count


def _text(path: Path, start: int, end: int) -> str:
    """Bytes [start, end) of a UTF-8 sheet as text with \\n line ends, as `decode` gives."""
    try:
        with path.open("rb") as sheet:
            sheet.seek(start)
            raw = sheet.read(end - start)
    except OSError as error:
        raise UnreadableFile(f"cannot be read ({error.strerror})") from error
    text = raw.decode("utf-8-sig" if start == 0 else "utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _entries(
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
    records = _csv_records(text, warnings, first_line)
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


def _csv_records(
    text: str, warnings: list[str], first_line: int = 1
) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each non-blank row of a text that starts on line
    `first_line`; rows with broken quoting skipped.

    An unclosed quote would swallow every row after it, so reading starts again on
    the line after the broken row's first line. The rows are those csv.reader(strict=
    True) reads from the text's lines (str.splitlines), read by `_CsvRows` in time
    linear in the text's size, however many rows are broken.
    """
    header = next((m.group() for m in LINE.finditer(text) if m.group().strip()), "")
    rows = _CsvRows(text, _delimiter(header))
    start, line = 0, first_line  # where the next row begins
    while start < len(text):
        try:
            cells, end = rows.row(start)
        except _BrokenRow as error:
            warnings.append(f"line {line}: broken quoting ({error}); row skipped")
            after = LINE_BREAK.search(text, start)
            start, line = after.end() if after else len(text), line + 1
            continue
        if any(cell.strip() for cell in cells):
            yield line, cells
        line += len(LINE_BREAK.findall(text, start, end))
        start = end


class _BrokenRow(Exception):
    """A row's quoting is broken; the message says how, as the csv module's does."""


class _CsvRows:
    """The rows of a CSV text, each read from where it starts, as csv.reader(strict=
    True) reads them.

    Only a quoted field runs on past a line break. When a row breaks after such a
    field, every row that reaches the field breaks the same way: it is remembered, so
    that a stretch of text is not read again for each of many broken rows (restarting
    a reader after each, as before, took minutes for a few MB).
    """

    def __init__(self, text: str, delimiter: str):
        self.text, self.delimiter = text, delimiter
        self.unquoted = re.compile(f"[^{re.escape(delimiter)}{LINE_BREAKS}]*")
        self.limit = csv.field_size_limit()
        self.breaks: dict[int, str] = {}  # a quoted field's start -> how its row breaks

    def row(self, start: int) -> tuple[list[str], int]:
        """The cells of the row at `start` and where the next row starts; _BrokenRow
        when its quoting is broken."""
        text, delimiter, limit = self.text, self.delimiter, self.limit
        cells: list[str] = []
        spanning: list[int] = []  # the row's quoted fields that run past a line break
        try:
            while True:
                quoted = text.startswith('"', start)
                if quoted:
                    end = self._closing_quote(start, spanning)
                    cell = text[start + 1 : end - 1].replace('""', '"')
                    follower = text[end : end + 1]
                else:
                    end = self.unquoted.match(text, start).end()
                    follower = text[end : end + 1]
                    if follower not in (delimiter, "\n", ""):  # a line break: kept
                        end, follower = end + 1, ""
                    cell = text[start:end]
                if len(cell) > limit:
                    raise _BrokenRow(f"field larger than field limit ({limit})")
                if quoted and follower not in (delimiter, "\n", ""):
                    raise _BrokenRow(f"'{delimiter}' expected after '\"'")
                cells.append(cell)
                start = end + len(follower)
                if follower != delimiter:
                    return cells, start
        except _BrokenRow as error:
            self.breaks.update(dict.fromkeys(spanning, str(error)))
            raise

    def _closing_quote(self, start: int, spanning: list[int]) -> int:
        """Where the quoted field at `start` ends, just after its closing quote."""
        if start in self.breaks:
            raise _BrokenRow(self.breaks[start])
        text = self.text
        closed = QUOTED.match(text, start + 1)
        if not closed or LINE_BREAK.search(text, start, closed.end()):
            spanning.append(start)
        if not closed:  # every quote after it is a doubled one
            size = len(text) - start - 1 - text.count('"', start + 1) // 2
            raise _BrokenRow(
                f"field larger than field limit ({self.limit})"
                if size > self.limit
                else "unexpected end of data"
            )
        return closed.end()


def _delimiter(header: str) -> str:
    """The separator a spreadsheet used: comma, semicolon or tab, by the header row."""
    return max(",;\t", key=header.count) if header.strip() else ","
