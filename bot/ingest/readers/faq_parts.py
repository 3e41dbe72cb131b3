"""A large FAQ sheet cut into parts of a few MB at row boundaries, each read alone."""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.ingest.readers.common import UnreadableFile
from bot.ingest.readers.csv_rows import LINE_BREAKS, RAN_ON, delimiter_of
from bot.ingest.readers.faq import entries_of_text
from bot.models import Document

PART_BYTES = 4 << 20  # a larger sheet is read in parts of about this size: see `parts`


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
    documents = entries_of_text(
        text, path.suffix.lower(), first_line, first_lines, warnings
    )
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
        [_] = csv.reader([text], delimiter=delimiter_of(text), strict=True)
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
