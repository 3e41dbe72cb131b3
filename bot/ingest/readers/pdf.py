"""PDF: the text of each page, with headings recovered from the layout (pypdf).

Passages cite their page: each page is a section of its own, labelled with the
nearest heading and the page, "Side effects (page 3)", or "page 3" before the first
heading. A paragraph that runs on to the next page stays whole, cited at its start.
"""

from __future__ import annotations

import io
import logging
import math
from pathlib import Path

from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError, PyPdfError

from bot.ingest.readers.common import UnreadableFile, read_bytes
from bot.ingest.readers.pdf_layout import (
    Block,
    Line,
    body_style,
    drop_page_furniture,
    page_blocks,
)
from bot.ingest.readers.plain import PlainText, squeeze
from bot.models import Document

log = logging.getLogger(__name__)

NOT_PDF = {
    b"\xff\xd8\xff": "a JPEG image",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (a Word or Excel file?)",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file",
    b"<": "a web page or XML",
}
BOLD_FONTS = ("bold", "black", "heavy", "semibold", "demi")
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """One document from a .pdf file, and a warning for each page left out."""
    warnings: list[str] = []
    reader = _open(read_bytes(path))
    pages = drop_page_furniture(
        [
            _page_lines(page, number, warnings)
            for number, page in enumerate(reader.pages, start=1)
        ]
    )
    if not any(pages):
        raise UnreadableFile("has no text layer (scanned?)")
    body = body_style(pages)
    blocks = _join_across_pages([page_blocks(lines, body) for lines in pages])
    title = _metadata_title(reader) or _first_heading(blocks) or document_id
    plain = PlainText()
    heading = ""
    for number, page in enumerate(blocks, start=1):
        plain.section(_label(heading, title, number))
        for block in page:
            if block.kind == "heading":
                heading = block.text
                plain.heading(heading, _label(heading, title, number))
            elif block.kind == "list":
                plain.items(list(block.items))
            else:
                plain.paragraph(block.text)
    sections = plain.sections()
    if not sections:
        raise UnreadableFile("has only headings, no text to quote")
    return [Document(document_id, title, None, plain.text, sections)], warnings


def _open(raw: bytes) -> PdfReader:
    """A reader for the PDF's bytes; UnreadableFile when they are no readable PDF."""
    if not raw.strip():
        raise UnreadableFile("is empty")
    if b"%PDF-" not in raw[:1024]:
        kind = next((k for m, k in NOT_PDF.items() if raw.lstrip().startswith(m)), "")
        raise UnreadableFile(f"is not a PDF{f' but {kind}' if kind else ''}")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("is protected by a password")
        len(reader.pages)
    except UnreadableFile:
        raise
    except DependencyError as error:
        raise UnreadableFile(f"is encrypted and cannot be opened ({error})") from error
    except Exception as error:  # pypdf meets every kind of broken file
        raise UnreadableFile(f"is a damaged PDF ({error})") from error
    return reader


def _page_lines(page: PageObject, number: int, warnings: list[str]) -> list[Line]:
    """The page's lines; a warning when a page with images has no text."""
    try:
        lines = page_lines(page)
    except Exception as error:  # pypdf meets every kind of broken file; go on
        log.debug("page %d: %r", number, error)
        warnings.append(f"page {number} cannot be read ({error}); page skipped")
        return []
    if not lines and _has_images(page):
        warnings.append(f"page {number} has no text layer (scanned?); page skipped")
    return lines


def page_lines(page: PageObject) -> list[Line]:
    """The text lines of a page with their font size, boldness and position."""
    lines: list[Line] = []
    pieces: list[tuple[str, tuple | None]] = []

    def visit(text, cm, tm, font, font_size) -> None:
        for number, chunk in enumerate(text.split("\n")):
            if number:
                _end_line(pieces, lines)
            style = _style(cm, tm, font, font_size) if chunk.strip() else None
            pieces.append((chunk, style))

    page.extract_text(visitor_text=visit)
    _end_line(pieces, lines)
    return lines


def _style(cm, tm, font, font_size) -> tuple[float, bool, float, float]:
    """(size in points, bold, x, y) of text set with these matrices and font."""
    a, b, c, d, e, f = (float(value) for value in tm)
    m = [a * cm[0] + b * cm[2], a * cm[1] + b * cm[3]]
    m += [c * cm[0] + d * cm[2], c * cm[1] + d * cm[3]]
    x, y = e * cm[0] + f * cm[2] + cm[4], e * cm[1] + f * cm[3] + cm[5]
    name = str(font.get("/BaseFont", "")).lower() if isinstance(font, dict) else ""
    size = abs(float(font_size)) * math.hypot(m[2], m[3])
    return size, any(word in name for word in BOLD_FONTS), x, y


def _end_line(pieces: list, lines: list[Line]) -> None:
    text = squeeze("".join(chunk for chunk, _ in pieces)).translate(LIGATURES)
    styles = [style for _, style in pieces if style]
    if text and styles:
        size = max(style[0] for style in styles)
        bold = all(style[1] for style in styles)
        lines.append(Line(text, size, bold, styles[0][2], styles[0][3]))
    pieces.clear()


def _has_images(page: PageObject) -> bool:
    try:
        return len(page.images) > 0
    except Exception:  # an image we cannot even list is still an image
        return True


def _join_across_pages(pages: list[list[Block]]) -> list[list[Block]]:
    """Pages where a paragraph cut by a page break is whole on its first page."""
    for before, after in zip(pages, pages[1:], strict=False):
        if (
            before
            and after
            and before[-1].kind == after[0].kind == "paragraph"
            and not before[-1].text.endswith((".", "!", "?", ":"))
        ):
            before[-1] = Block("paragraph", f"{before[-1].text} {after.pop(0).text}")
    return pages


def _metadata_title(reader: PdfReader) -> str:
    """The title in the PDF's properties, unless it is only a file name."""
    try:
        title = squeeze(str(reader.metadata.title or "")) if reader.metadata else ""
    except PyPdfError:
        return ""
    looks_like_file = title.lower().endswith((".doc", ".docx", ".pdf", ".indd"))
    title = title.removeprefix("Microsoft Word - ")
    return "" if looks_like_file or title.lower() == "untitled" else title


def _first_heading(pages: list[list[Block]]) -> str:
    blocks = (block for page in pages for block in page)
    return next((block.text for block in blocks if block.kind == "heading"), "")


def _label(heading: str, title: str, page: int) -> str:
    """How a passage on `page` under `heading` is cited."""
    return (
        f"{heading} (page {page})" if heading and heading != title else f"page {page}"
    )
