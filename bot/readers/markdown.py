"""Markdown: `#` headings make sections; front matter gives title, url and reviewed."""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Document, Section
from .common import decode, paragraph_spans, parse_reviewed, split_front_matter

ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """One document from a .md file, and any warnings about it."""
    warnings: list[str] = []
    meta, body = split_front_matter(decode(path, warnings))
    sections, position, heading, first_heading = [], 0, "", ""
    for match in ATX_HEADING.finditer(body):
        _add(sections, heading, paragraph_spans(body, position, match.start()))
        heading, position = match.group(2).strip(), match.end()
        first_heading = first_heading or heading
    _add(sections, heading, paragraph_spans(body, position))
    title = meta.get("title") or first_heading or document_id
    document = Document(
        document_id=document_id,
        title=title,
        url=meta.get("url") or None,
        text=body,
        sections=tuple(sections),
        reviewed=parse_reviewed(meta.get("reviewed"), warnings),
    )
    return [document], warnings


def _add(sections: list[Section], heading: str, spans: list[tuple[int, int]]) -> None:
    if spans:
        sections.append(Section(heading=heading, paragraphs=tuple(spans)))
