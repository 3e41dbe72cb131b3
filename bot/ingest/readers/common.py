"""What every reader shares: decoding files, front matter, paragraph spans."""

from __future__ import annotations

import codecs
import logging
import re
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
BLANK_LINES = re.compile(r"\n[ \t]*\n")


class UnreadableFile(Exception):
    """The file cannot become any document; the message says why."""


def decode(path: Path, warnings: list[str]) -> str:
    """A text file's contents with \\n line ends; see `decode_bytes`."""
    return decode_bytes(read_bytes(path), warnings)


def read_bytes(path: Path) -> bytes:
    """A file's bytes; UnreadableFile when the system will not give them."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot be read ({error.strerror})") from error


def decode_bytes(raw: bytes, warnings: list[str], declared: str | None = None) -> str:
    """Text from bytes in UTF-8 or UTF-16 with a BOM, else with a warning."""
    text = _decoded(raw, warnings, declared)
    if not text.strip():
        raise UnreadableFile("is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decoded(raw: bytes, warnings: list[str], declared: str | None) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    if b"\x00" in raw[:4096]:
        raise UnreadableFile("is binary, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fallback = _fallback_codec(declared)
        name = "Windows-1252" if fallback == "cp1252" else fallback
        warnings.append(f"is not UTF-8; read as {name}")
        return raw.decode(fallback, errors="replace")


def _fallback_codec(declared: str | None) -> str:
    """The codec for a file that is not UTF-8: what it declares, else Windows-1252.

    Like browsers, a declared Latin-1 or a declared (but false) UTF-8 is read as
    Windows-1252, the superset that Windows editors actually write.
    """
    try:
        codec = codecs.lookup(declared).name if declared else "cp1252"
    except LookupError:
        codec = "cp1252"
    return "cp1252" if codec in ("utf-8", "latin-1", "iso8859-1", "ascii") else codec


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """`title`, `url` and `reviewed` from a leading --- block, and the text after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("title", "url", "reviewed"):
            meta[key.strip()] = value.strip().strip("'\"")
    return meta, text[match.end() :]


def parse_url(value: str | None, warnings: list[str]) -> str | None:
    """The front matter's `url` when it is a web address (http or https): anything else
    (`javascript:`, `file:`) must never reach a patient's screen as a link."""
    if not value:
        return None
    if value.lower().startswith(("http://", "https://")):
        return value
    warnings.append(f"front matter 'url: {value}' is not a web address; ignored")
    return None


def parse_reviewed(value: str | None, warnings: list[str]) -> date | None:
    """The front matter's `reviewed` date (YYYY-MM-DD), or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        warnings.append(f"front matter 'reviewed: {value}' is not a YYYY-MM-DD date")
        return None


def paragraph_spans(
    text: str, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Spans of the blocks of `text[start:end]` separated by blank lines, trimmed."""
    end = len(text) if end is None else end
    spans = []
    position = start
    for match in BLANK_LINES.finditer(text, start, end):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, end))
    return [trimmed for span in spans if (trimmed := trim(text, *span))]


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without surrounding white space, or None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
