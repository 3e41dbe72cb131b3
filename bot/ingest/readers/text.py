"""Plain text: blank lines separate paragraphs; a short unpunctuated line before a
paragraph is a heading; two or more blank lines in a row end a section even without a
heading.

Web extracts lose headings but keep the wider gap where the heading was, so the gap is
the honest place to stop a section (its passages then carry no heading, never a wrong
one).
"""

from __future__ import annotations

from pathlib import Path

from bot.ingest.readers.common import (
    UnreadableFile,
    decode,
    paragraph_spans,
    parse_reviewed,
    parse_url,
    split_front_matter,
)
from bot.models import Document, Section

MAX_HEADING_CHARS = 80
MAX_HEADING_WORDS = 10
SECTION_GAP_NEWLINES = 3  # two blank lines in a row


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """One document from a .txt file, and any warnings about it."""
    warnings: list[str] = []
    meta, body = split_front_matter(decode(path, warnings))
    document = parse(body, document_id, meta, warnings)
    if not any(section.paragraphs for section in document.sections):
        raise UnreadableFile("has no text (only front matter)")
    return [document], warnings


def parse(
    text: str, document_id: str, meta: dict[str, str], warnings: list[str]
) -> Document:
    """A Document from plain text and its front matter."""
    sections: list[Section] = []
    heading, paragraphs = "", []
    spans = paragraph_spans(text)
    previous_end = 0
    for number, (start, end) in enumerate(spans):
        follows_gap = text.count("\n", previous_end, start) >= SECTION_GAP_NEWLINES
        previous_end = end
        next_span = spans[number + 1] if number + 1 < len(spans) else None
        if (
            is_heading(text[start:end])
            and next_span
            and not is_heading(text[slice(*next_span)])
        ):
            _close(sections, heading, paragraphs)
            heading, paragraphs = text[start:end].strip(), []
        elif follows_gap and paragraphs:
            _close(sections, heading, paragraphs)
            heading, paragraphs = "", [(start, end)]
        else:
            paragraphs.append((start, end))
    _close(sections, heading, paragraphs)
    title = (
        meta.get("title")
        or _first_heading(sections)
        or _first_line(text)
        or document_id
    )
    return Document(
        document_id=document_id,
        title=title,
        url=parse_url(meta.get("url"), warnings),
        text=text,
        sections=tuple(sections),
        reviewed=parse_reviewed(meta.get("reviewed"), warnings),
    )


def is_heading(block: str) -> bool:
    """A single short line that does not end like a sentence."""
    line = block.strip()
    return (
        "\n" not in line
        and 0 < len(line) <= MAX_HEADING_CHARS
        and len(line.split()) <= MAX_HEADING_WORDS
        and line[-1] not in ".!?:;,"
        and not line.startswith(("•", "-", "*"))
    )


def _close(sections: list[Section], heading: str, paragraphs: list) -> None:
    if heading or paragraphs:
        sections.append(Section(heading=heading, paragraphs=tuple(paragraphs)))


def _first_heading(sections: list[Section]) -> str:
    return next((section.heading for section in sections if section.heading), "")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
