"""The plain-text rendering of a structured document, built block by block.

Markdown, HTML and PDF readers do not quote their source: they write what a person
reads (headings, paragraphs, "• " list lines) into one clean text and keep the span of
every paragraph, so passages quote plain text and cite the nearest heading.
"""

from __future__ import annotations

import re

from bot.models import Section

BULLET = "•"
SUB_BULLET = "◦"  # an item of a list inside a list item
SPACES = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """The text on one line, each run of white space made a single space."""
    return SPACES.sub(" ", text).strip()


class PlainText:
    """A document's text and its sections, written in reading order."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._sections: list[Section] = []
        self._label = ""
        self._spans: list[tuple[int, int]] = []
        self.first_heading = ""

    def heading(self, heading: str, label: str | None = None) -> None:
        """Write a heading and start its section, cited as `label` (default: itself)."""
        heading = squeeze(heading)
        if not heading:
            return
        self.first_heading = self.first_heading or heading
        self._write(heading)
        self.section(heading if label is None else label)

    def section(self, label: str) -> None:
        """Start a section without writing a heading (a PDF page going on)."""
        self._close()
        self._label = label

    def paragraph(self, text: str) -> None:
        """Write a paragraph: its line breaks kept, other white space squeezed."""
        lines = [squeeze(line) for line in text.split("\n")]
        self._add("\n".join(line for line in lines if line))

    def items(self, items: list[tuple[str, str]]) -> None:
        """Write a list as one block of "• item" (or "1. item") lines."""
        lines = [(mark, squeeze(text)) for mark, text in items]
        self._add("\n".join(f"{mark} {text}" for mark, text in lines if text))

    def block(self, text: str) -> None:
        """Write preformatted text (code, a table) with its lines as they are."""
        lines = [line.rstrip() for line in text.split("\n")]
        self._add("\n".join(lines).strip("\n"))

    @property
    def text(self) -> str:
        """Everything written so far."""
        return "".join(self._parts)

    def sections(self) -> tuple[Section, ...]:
        """The sections that have paragraphs, in reading order."""
        self._close()
        return tuple(self._sections)

    def first_line(self) -> str:
        """The first line written, for a title when there is nothing better."""
        return self.text.split("\n", 1)[0].strip()

    def _add(self, block: str) -> None:
        if block.strip():
            self._spans.append(self._write(block))

    def _write(self, block: str) -> tuple[int, int]:
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(block)
        self._length += len(block)
        return start, self._length

    def _close(self) -> None:
        if self._spans:
            self._sections.append(Section(self._label, tuple(self._spans)))
        self._spans = []
