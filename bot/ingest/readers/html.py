"""HTML pages: the page's main text, `h1`-`h4` as sections, boilerplate dropped.

Paragraphs, list items (as "• item" lines in one block), tables (a line a row) and
preformatted text are written as plain text; `<br>` keeps its line break. What is main
text and what is boilerplate is decided in `html_boilerplate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from bot.ingest.readers.common import UnreadableFile, decode_bytes, read_bytes
from bot.ingest.readers.html_boilerplate import dropped_elements, holders, main_element
from bot.ingest.readers.plain import BULLET, SUB_BULLET, PlainText, squeeze
from bot.models import Document

HEADINGS = ("h1", "h2", "h3", "h4")
NOT_IN_TABLES = (*HEADINGS, "p", "table")  # a table holding one is walked, not a block
LISTS = ("ul", "ol")
CELLS = ("th", "td")
ROWS_AND_CELLS = ("tr", *CELLS)
INLINE_TAGS = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em font i img ins kbd label mark q s "
    "samp small span strike strong sub sup time tt u var wbr".split()
)
DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
SITE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|»)\s+")
BREAK = "\ue000"  # stands for <br> until white space is squeezed


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """One document from an .html or .htm page, and any warnings about it."""
    warnings: list[str] = []
    raw = read_bytes(path)
    declared = DECLARED_CHARSET.search(raw[:4096])
    text = decode_bytes(raw, warnings, declared and declared.group(1).decode("ascii"))
    soup = BeautifulSoup(text, "html.parser")
    title, url = page_title(soup), canonical_url(soup)
    plain = PlainText()
    write_main_text(soup, plain)
    sections = plain.sections()
    if not sections:
        raise UnreadableFile("has no main text (only navigation or boilerplate)")
    title = title or plain.first_heading or plain.first_line() or document_id
    return [Document(document_id, title, url, plain.text, sections)], warnings


def write_main_text(soup: BeautifulSoup, plain: PlainText) -> None:
    """Write the main text of a parsed page into `plain`, boilerplate left out."""
    _write_content(main_element(soup), plain)


def write_fragment(markup: str, plain: PlainText) -> None:
    """Write the text of an HTML fragment (a block inside Markdown) into `plain`."""
    _write_content(BeautifulSoup(markup, "html.parser"), plain)


def fragment_text(markup: str) -> str:
    """The words of an HTML fragment on one line, boilerplate left out."""
    plain = PlainText()
    write_fragment(markup, plain)
    return squeeze(plain.text)


def _write_content(root: Tag, plain: PlainText) -> None:
    """Write what `root` holds, boilerplate left out.

    The tree is walked with stacks, not recursion (elements may nest deeper than
    Python's recursion limit: unclosed <p> or <li> tags nest), and it is not changed:
    bs4 finds an element among its siblings to take it out, so dropping thousands of
    them, or replacing thousands of <br>, takes the square of the time. For the same
    reason what elements hold is found in one pass each, not asked of every element.
    """
    _write_blocks(root, plain, dropped_elements(root))


def page_title(soup: BeautifulSoup) -> str:
    """The <title> without an obvious site-name suffix, else the first <h1>, or ""."""
    title = squeeze(soup.title.get_text()) if soup.title else ""
    site = _meta(soup, "og:site_name").lower()
    separators = list(SITE_SEPARATOR.finditer(title))
    if separators:
        first, last = separators[0], separators[-1]
        if last.group().strip() == "|" or title[last.end() :].lower() == site:
            title = title[: last.start()]
        elif title[: first.start()].lower() == site:
            title = title[first.end() :]
    heading = soup.find("h1")
    return title or (_text(heading) if heading else "")


def canonical_url(soup: BeautifulSoup) -> str | None:
    """The page's canonical (or og:url) address when it is an absolute http(s) URL."""
    link = soup.find("link", rel="canonical")
    url = (link.get("href") if link else "") or _meta(soup, "og:url")
    return (
        url.strip() if url and url.strip().startswith(("http://", "https://")) else None
    )


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find(
        "meta", attrs={"name": name}
    )
    return squeeze(tag.get("content") or "") if tag else ""


def _write_blocks(root: Tag, plain: PlainText, dropped: set[int]) -> None:
    """Write a container's children in order: headings, lists, tables and paragraphs;
    the elements in `dropped` (by id) left out."""
    holds_block = holders(root, _is_block, dropped)
    holds_no_table = holders(root, lambda tag: tag.name in NOT_IN_TABLES, dropped)
    # Each open container's children still to write, and its running inline text.
    stack = [(iter(root.contents), [])]
    while stack:
        children, inline = stack[-1]
        child = next(children, None)
        if child is None:
            _flush(inline, plain)
            stack.pop()
        elif isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, doctypes
                inline.append(str(child))
        elif not isinstance(child, Tag) or id(child) in dropped:
            continue
        elif child.name == "br":
            inline.append(BREAK)
        elif child.name in INLINE_TAGS and id(child) not in holds_block:
            inline.append(_all_text(child, dropped))
        else:
            _flush(inline, plain)
            if child.name in HEADINGS:
                plain.heading(_line(child, dropped))
            elif child.name in LISTS:
                plain.items(_list_items(child, dropped))
            elif child.name == "pre":
                plain.block(_all_text(child, dropped).replace(BREAK, "\n"))
            elif child.name == "table" and id(child) not in holds_no_table:
                plain.block("\n".join(_table_rows(child, dropped)))
            else:
                stack.append((iter(child.contents), []))


def _flush(inline: list[str], plain: PlainText) -> None:
    """Write the running inline text as paragraphs (two <br> in a row split them)."""
    text = squeeze("".join(inline)).replace(f" {BREAK}", BREAK).replace(BREAK, "\n")
    for paragraph in re.split(r"\n\s*\n", text):
        plain.paragraph(paragraph)
    inline.clear()


def _list_items(tag: Tag, dropped: set[int]) -> list[tuple[str, str]]:
    """A list's items, nested lists flattened after their parent item."""
    numbered = tag.name == "ol"
    number = int(tag["start"]) if str(tag.get("start", "")).isdigit() else 1
    items: list[tuple[str, str]] = []
    lists = [_items(tag, dropped)]  # each open list's items still to write
    while lists:
        item = next(lists[-1], None)
        if item is None:
            lists.pop()
            continue
        text = _line(item, dropped, LISTS)
        if len(lists) > 1:
            items.append((SUB_BULLET, text))
        else:
            items.append((f"{number}." if numbered else BULLET, text))
            number += 1
        nested = _elements(item, LISTS, dropped, LISTS)
        lists.extend(_items(sub, dropped) for sub in reversed(nested))
    return items


def _items(tag: Tag, dropped: set[int]) -> Iterator[Tag]:
    """A list's own items."""
    return (
        child
        for child in tag.contents
        if isinstance(child, Tag) and child.name == "li" and id(child) not in dropped
    )


def _table_rows(table: Tag, dropped: set[int]) -> list[str]:
    """A table's rows, a line each. A row or cell left unclosed holds the next one
    (html.parser): each has only its own cells and text."""
    rows = (
        " | ".join(
            text
            for text in (
                _line(cell, dropped, ROWS_AND_CELLS)
                for cell in _elements(row, CELLS, dropped, ("tr",))
            )
            if text
        )
        for row in _elements(table, ("tr",), dropped)
    )
    return [row for row in rows if row]


def _elements(
    tag: Tag, names: tuple[str, ...], dropped: set[int], not_into: tuple[str, ...] = ()
) -> list[Tag]:
    """The elements named `names` under `tag`, in document order, the elements in
    `dropped` (by id) and those inside elements named `not_into` left out."""
    found, stack = [], list(reversed(tag.contents))
    while stack:
        node = stack.pop()
        if not isinstance(node, Tag) or id(node) in dropped:
            continue
        if node.name in names:
            found.append(node)
        if node.name not in not_into:
            stack.extend(reversed(node.contents))
    return found


def _all_text(tag: Tag, dropped: set[int], not_into: tuple[str, ...] = ()) -> str:
    """An element's text as tag.get_text() gives it once the elements in `dropped` (by
    id) and those named `not_into` are gone, and each <br> is BREAK."""
    wanted = tag.interesting_string_types
    if wanted is None:
        wanted = Tag.MAIN_CONTENT_STRING_TYPES
    parts, stack = [], list(reversed(tag.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in wanted:
                parts.append(node)
        elif not isinstance(node, Tag) or id(node) in dropped or node.name in not_into:
            continue
        elif node.name == "br":
            if NavigableString in wanted:
                parts.append(BREAK)
        else:
            stack.extend(reversed(node.contents))
    return "".join(parts)


def _line(tag: Tag, dropped: set[int], not_into: tuple[str, ...] = ()) -> str:
    """An element's text on one line (see `_all_text`)."""
    return squeeze(_all_text(tag, dropped, not_into).replace(BREAK, " "))


def _is_block(tag: Tag) -> bool:
    return tag.name not in INLINE_TAGS


def _text(tag: Tag) -> str:
    """An element's text on one line."""
    return squeeze(tag.get_text().replace(BREAK, " "))
