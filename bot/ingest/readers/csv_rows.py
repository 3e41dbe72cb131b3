"""CSV rows read exactly as `csv.reader(strict=True)` reads a sheet's lines, in time
linear in the sheet: a broken row never makes the reader start over on the rest."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

RAN_ON = "(unexpected end of data)"  # the csv module's error for a row cut short
# Where str.splitlines() ends a line: a CSV row ends there, as when the csv module
# was given a sheet's lines (a \r is a \n by then: see common.decode).
LINE_BREAKS = "\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
LINE = re.compile(f"[^{LINE_BREAKS}]*[{LINE_BREAKS}]?")
LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
QUOTED = re.compile(r'[^"]*(?:""[^"]*)*"(?!")')  # a quoted field, after its "


def csv_records(
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
    rows = _CsvRows(text, delimiter_of(header))
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


def delimiter_of(header: str) -> str:
    """The separator a spreadsheet used: comma, semicolon or tab, by the header row."""
    return max(",;\t", key=header.count) if header.strip() else ","
