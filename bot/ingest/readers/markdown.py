"""Markdown: headings make sections; the text is what a reader sees, not the markup.

Parsed with markdown-it-py (CommonMark plus tables). Emphasis, links and inline code
keep their words and lose their syntax; images are dropped; a list becomes one block of
"• item" lines (nested items follow their parent) so it stays with its lead sentence;
code blocks keep their lines; HTML blocks are read like an HTML page's text.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from bot.ingest.readers import html
from bot.ingest.readers.common import (
    UnreadableFile,
    decode,
    parse_reviewed,
    parse_url,
    split_front_matter,
)
from bot.ingest.readers.plain import BULLET, SUB_BULLET, PlainText, squeeze
from bot.models import Document

_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def read(path: Path, document_id: str) -> tuple[list[Document], list[str]]:
    """One document from a .md file, and any warnings about it."""
    warnings: list[str] = []
    meta, body = split_front_matter(decode(path, warnings))
    plain = PlainText()
    _write_blocks(SyntaxTreeNode(_parser.parse(body)), plain)
    sections = plain.sections()
    if not sections:
        raise UnreadableFile("has no text (only front matter or markup)")
    document = Document(
        document_id=document_id,
        title=meta.get("title") or plain.first_heading or plain.first_line(),
        url=parse_url(meta.get("url"), warnings),
        text=plain.text,
        sections=sections,
        reviewed=parse_reviewed(meta.get("reviewed"), warnings),
    )
    return [document], warnings


def _write_blocks(node: SyntaxTreeNode, plain: PlainText) -> None:
    """Write each block of a Markdown tree into `plain`, in order."""
    for child in node.children:
        if child.type == "heading":
            plain.heading(inline_text(child.children[0]))
        elif child.type == "paragraph":
            plain.paragraph(inline_text(child.children[0]))
        elif child.type in ("bullet_list", "ordered_list"):
            plain.items(_list_items(child))
        elif child.type in ("fence", "code_block"):
            plain.block(child.content)
        elif child.type == "html_block":
            html.write_fragment(child.content, plain)
        elif child.type == "table":
            plain.block("\n".join(_table_rows(child)))
        else:  # blockquote and anything else that holds blocks
            _write_blocks(child, plain)


def inline_text(node: SyntaxTreeNode) -> str:
    """The words of an inline run: emphasis, links and code without their syntax."""
    parts = []
    for child in node.children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak" or (
            child.type == "html_inline" and child.content.lower().startswith("<br")
        ):
            parts.append("\n")
        elif child.type not in ("image", "html_inline"):
            parts.append(inline_text(child))
    return "".join(parts)


def _list_items(node: SyntaxTreeNode) -> list[tuple[str, str]]:
    """A list's (mark, text) items; nested lists follow their parent item, bulleted."""
    items: list[tuple[str, str]] = []
    for item in node.children:
        mark = f"{item.info}." if node.type == "ordered_list" else BULLET
        words, nested = [], []
        for part in item.children:
            if part.type in ("bullet_list", "ordered_list"):
                nested.extend((SUB_BULLET, text) for _, text in _list_items(part))
            else:
                words.append(_node_text(part))
        items.append((mark, " ".join(words)))
        items.extend(nested)
    return items


def _node_text(node: SyntaxTreeNode) -> str:
    """All the words under a block node, on one line."""
    if node.type == "inline":
        return squeeze(inline_text(node))
    if node.type == "html_block":
        return html.fragment_text(node.content)
    if not node.children:
        return squeeze(node.content)
    return " ".join(_node_text(child) for child in node.children)


def _table_rows(node: SyntaxTreeNode) -> list[str]:
    """Each table row as one line, cells separated by " | "."""
    if node.type == "tr":
        cells = (_node_text(cell) for cell in node.children)
        return [" | ".join(cell for cell in cells if cell)]
    return [row for child in node.children for row in _table_rows(child) if row]
