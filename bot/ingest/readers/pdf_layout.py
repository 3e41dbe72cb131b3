"""Turn the text lines of PDF pages back into headings, paragraphs and lists.

A PDF holds positioned lines, not paragraphs. A paragraph ends where the gap to the next
line is wider than the body text's line spacing, where the style changes, or after a
short line that ends a sentence. A heading is a line or two in a larger or bold font
that does not end like a sentence (or, as in plain text, a short unpunctuated line
standing alone before a paragraph). Running headers, footers and page numbers, which
repeat at the top or bottom of the pages, are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from bot.ingest.readers.plain import BULLET, squeeze

LIST_MARK = re.compile(r"^(?:([•●▪◦‣∙·*\-–\uf0a7\uf0b7\uf0d8])|(\d{1,2}[.)]))\s+")
PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–]?\s*\d+\s*[-–]?(?:\s*(?:of|/)\s*\d+)?$", re.I
)
SENTENCE_END = ".!:;,"  # and "?", except for a large or bold heading
HEADING_SCALE = 1.15  # a line this much larger than the body text is a heading
PARAGRAPH_GAP = 1.4  # a gap this many body line spacings wide ends a paragraph
MAX_HEADING_WORDS = 12
EDGE_LINES = 2  # running headers and footers are among a page's first or last lines


@dataclass(frozen=True)
class Line:
    """One line of a page, with its font size in points and its position."""

    text: str
    size: float
    bold: bool
    x: float
    y: float  # baseline height above the bottom of the page


@dataclass(frozen=True)
class Block:
    """A heading, paragraph or list of one page."""

    kind: str  # heading | paragraph | list
    text: str = ""
    items: tuple[tuple[str, str], ...] = ()  # (mark, text) of each list item


@dataclass(frozen=True)
class BodyStyle:
    """The size and line spacing of the document's body text."""

    size: float
    leading: float


def drop_page_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """The pages without running headers, footers and page numbers."""
    counts = Counter(
        key
        for lines in pages
        for key in {_furniture_key(line) for line in _edge(lines)}
    )
    half = max(2, sum(1 for lines in pages if lines) / 2)
    repeated = {key for key, count in counts.items() if count >= half}
    return [
        [
            line
            for line in lines
            if not (
                line in _edge(lines)
                and (PAGE_NUMBER.match(line.text) or _furniture_key(line) in repeated)
            )
        ]
        for lines in pages
    ]


def body_style(pages: list[list[Line]]) -> BodyStyle:
    """The font size most of the text is set in, and its usual line spacing."""
    sizes = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    size = sizes.most_common(1)[0][0] if sizes else 0.0
    gaps = Counter(
        round(above.y - below.y, 1)
        for lines in pages
        for above, below in pairwise(lines)
        if above.y > below.y and abs(above.size - size) < 0.5
    )
    return BodyStyle(size, gaps.most_common(1)[0][0] if gaps else size * 1.2)


def page_blocks(lines: list[Line], body: BodyStyle) -> list[Block]:
    """The headings, paragraphs and lists of one page, in reading order."""
    groups = _groups(lines, body)
    blocks = []
    for number, group in enumerate(groups):
        following = groups[number + 1] if number + 1 < len(groups) else None
        if _is_heading(group, following, body):
            blocks.append(Block("heading", squeeze(" ".join(g.text for g in group))))
        elif LIST_MARK.match(group[0].text):
            blocks.append(Block("list", items=_items(group)))
        else:
            blocks.append(Block("paragraph", join_lines([g.text for g in group])))
    return blocks


def join_lines(texts: list[str]) -> str:
    """Wrapped lines as one paragraph; a word broken by a hyphen is made whole."""
    joined = ""
    for text in texts:
        if joined.endswith("\xad"):
            joined = joined[:-1] + text
        elif joined[-2:-1].isalpha() and joined.endswith("-") and text[:1].islower():
            joined += text
        else:
            joined += " " + text
    return squeeze(joined)


def _groups(lines: list[Line], body: BodyStyle) -> list[list[Line]]:
    """Runs of lines that belong together: one paragraph, list or heading each."""
    longest = max((len(line.text) for line in lines), default=0)
    groups: list[list[Line]] = []
    for line in lines:
        previous = groups[-1][-1] if groups else None
        if previous is None or _starts_block(previous, line, groups[-1], body, longest):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _starts_block(
    previous: Line, line: Line, group: list[Line], body: BodyStyle, longest: int
) -> bool:
    """True when `line` cannot continue the block that `previous` is in."""
    gap = previous.y - line.y
    if gap < 0 or gap > body.leading * PARAGRAPH_GAP:
        return True
    if _emphasis(previous, body) != _emphasis(line, body):
        return True
    in_list = LIST_MARK.match(group[0].text)
    if LIST_MARK.match(line.text):
        return not in_list
    if in_list:  # an item's next line is indented past its mark
        return line.x <= group[0].x + 1
    ends_sentence = previous.text.endswith((".", "!", "?", ":"))
    return ends_sentence and len(previous.text) < 0.75 * longest


def _emphasis(line: Line, body: BodyStyle) -> tuple[bool, bool]:
    return line.size >= body.size * HEADING_SCALE, line.bold


def _is_heading(
    group: list[Line], following: list[Line] | None, body: BodyStyle
) -> bool:
    """A line or two, short, not a sentence, set large or bold or standing alone.

    A large or bold heading may be numbered ("2. Side effects") or be a question.
    """
    text = squeeze(" ".join(line.text for line in group))
    if (
        len(group) > 2
        or len(text.split()) > MAX_HEADING_WORDS
        or text.endswith(tuple(SENTENCE_END))
        or not any(character.isalpha() for character in text)
    ):
        return False
    mark = LIST_MARK.match(text)
    if all(any(_emphasis(line, body)) for line in group):
        return not (mark and mark.group(1))
    return (
        len(group) == 1
        and not mark
        and not text.endswith("?")
        and following is not None
        and not _is_heading_like(following)
    )


def _is_heading_like(group: list[Line]) -> bool:
    return len(group) == 1 and not group[0].text.endswith((*SENTENCE_END, "?"))


def _items(group: list[Line]) -> tuple[tuple[str, str], ...]:
    """A list's items: each marked line starts one, the lines after it go on it."""
    items: list[tuple[str, list[str]]] = []
    for line in group:
        match = LIST_MARK.match(line.text)
        if match:
            items.append((match.group(2) or BULLET, [line.text[match.end() :]]))
        else:
            items[-1][1].append(line.text)
    return tuple((mark, join_lines(texts)) for mark, texts in items)


def _edge(lines: list[Line]) -> list[Line]:
    return lines[:EDGE_LINES] + lines[EDGE_LINES:][-EDGE_LINES:]


def _furniture_key(line: Line) -> str:
    return re.sub(r"\d+", "#", line.text.lower())
