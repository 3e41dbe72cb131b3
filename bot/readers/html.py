"""HTML pages: the page's main text, `h1`-`h4` as sections, boilerplate dropped.

Paragraphs, list items (as "• item" lines in one block), tables (a line a row) and
preformatted text are written as plain text; `<br>` keeps its line break. What is main
text and what is boilerplate is decided in `html_boilerplate`.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from ..models import Document
from .common import UnreadableFile, decode_bytes, read_bytes
from .html_boilerplate import is_boilerplate, main_element
from .plain import BULLET, SUB_BULLET, PlainText, squeeze

HEADINGS = ("h1", "h2", "h3", "h4")
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
    for br in root.find_all("br"):
        br.replace_with(BREAK)
    for tag in root.find_all(is_boilerplate):
        if not tag.decomposed:
            tag.decompose()
    _write_blocks(root, plain)


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


def _write_blocks(node: Tag, plain: PlainText) -> None:
    """Write a container's children in order: headings, lists, tables and paragraphs."""
    inline: list[str] = []
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, doctypes
                inline.append(str(child))
            continue
        if not isinstance(child, Tag) or child.decomposed:
            continue
        if child.name in INLINE_TAGS and not child.find(_is_block):
            inline.append(child.get_text())
            continue
        _flush(inline, plain)
        if child.name in HEADINGS:
            plain.heading(_text(child))
        elif child.name in ("ul", "ol"):
            plain.items(_list_items(child))
        elif child.name == "pre":
            plain.block(child.get_text().replace(BREAK, "\n"))
        elif child.name == "table" and not child.find([*HEADINGS, "p", "table"]):
            plain.block("\n".join(_table_rows(child)))
        else:
            _write_blocks(child, plain)
    _flush(inline, plain)


def _flush(inline: list[str], plain: PlainText) -> None:
    """Write the running inline text as paragraphs (two <br> in a row split them)."""
    text = squeeze("".join(inline)).replace(f" {BREAK}", BREAK).replace(BREAK, "\n")
    for paragraph in re.split(r"\n\s*\n", text):
        plain.paragraph(paragraph)
    inline.clear()


def _list_items(tag: Tag) -> list[tuple[str, str]]:
    """A list's items, nested lists flattened after their parent item."""
    numbered = tag.name == "ol"
    number = int(tag["start"]) if str(tag.get("start", "")).isdigit() else 1
    items: list[tuple[str, str]] = []
    for item in tag.find_all("li", recursive=False):
        nested = [
            sub.extract()
            for sub in item.find_all(["ul", "ol"])
            if sub.find_parent(["ul", "ol"]) is tag
        ]
        items.append((f"{number}." if numbered else BULLET, _text(item)))
        number += 1
        for sub in nested:
            items.extend((SUB_BULLET, text) for _, text in _list_items(sub))
    return items


def _table_rows(table: Tag) -> list[str]:
    rows = (
        " | ".join(cell for cell in map(_text, row.find_all(["th", "td"])) if cell)
        for row in table.find_all("tr")
    )
    return [row for row in rows if row]


def _is_block(tag: Tag) -> bool:
    return tag.name not in INLINE_TAGS


def _text(tag: Tag) -> str:
    """An element's text on one line."""
    return squeeze(tag.get_text().replace(BREAK, " "))
