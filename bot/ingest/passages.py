"""Cut a document into passages that each stand alone as an answer in a chat bubble.

A passage is whole paragraphs (or whole sentences of a long one) of one section. A
sentence that introduces a list keeps its list; link teasers ("Find out more about ..."),
empty labels ("Related Posts:") and reference sections are not answers and are left out.
"""

from __future__ import annotations

import re

from nltk.tokenize.punkt import PunktSentenceTokenizer

from bot.models import Document, Passage

MIN_PASSAGE_CHARS = 200  # a passage shorter than this takes in the next paragraph ...
MAX_PASSAGE_CHARS = 800  # ... as long as the two stay within this
LIST_ITEM = re.compile(r"^\s*(?:[•●▪◦‣*\-–]|\d{1,2}[.)])\s+")
LINK_TEASER = re.compile(
    r"^(find out more|read more|learn more|click here|see also)\b", re.I
)
BOILERPLATE_HEADING = re.compile(
    r"\b(references|related (posts|articles|links)|share this|expert review)\b", re.I
)
MAX_LABEL_CHARS = 40

_sentences = PunktSentenceTokenizer()

Span = tuple[int, int]


def split_into_passages(document: Document) -> list[Passage]:
    """The document's passages in reading order, with stable ids and citations."""
    passages = []
    for section in document.sections:
        if BOILERPLATE_HEADING.search(section.heading):
            continue
        units = _answer_units(document.text, list(section.paragraphs))
        for start, end in _pack(document.text, units):
            passages.append(
                Passage(
                    passage_id=f"{document.document_id}#{len(passages) + 1}",
                    document_id=document.document_id,
                    title=document.title,
                    url=document.url,
                    section=_section_label(section.heading, document.title),
                    text=document.text[start:end],
                    start=start,
                    end=end,
                )
            )
    return passages


def is_list(block: str) -> bool:
    """True when every line of the block is a list item."""
    return all(LIST_ITEM.match(line) for line in block.splitlines() if line.strip())


def _answer_units(text: str, paragraphs: list[Span]) -> list[list[Span]]:
    """Runs of adjacent spans that must stay together, boilerplate left out.

    A unit is a list of spans that are adjacent in the text; a boilerplate paragraph between
    two kept ones ends the run, so a passage never quotes what was left out.
    """
    units: list[list[Span]] = []
    for number, (start, end) in enumerate(paragraphs):
        block = text[start:end].strip()
        next_is_list = number + 1 < len(paragraphs) and is_list(
            text[slice(*paragraphs[number + 1])]
        )
        if LINK_TEASER.match(block) and len(block) < 160:
            units.append([])  # a gap: nothing may be packed across it
        elif block.endswith(":") and len(block) <= MAX_LABEL_CHARS and not next_is_list:
            units.append([])
        elif (
            is_list(block)
            and units
            and units[-1]
            and text[units[-1][-1][0] : units[-1][-1][1]].rstrip().endswith(":")
        ):
            units[-1][-1] = (
                units[-1][-1][0],
                end,
            )  # the list stays with its lead sentence
        else:
            units.append(_sentence_pieces(text, start, end))
    return units


def _sentence_pieces(text: str, start: int, end: int) -> list[Span]:
    """A paragraph as one span, or as sentence runs when it is too long for one bubble."""
    if end - start <= MAX_PASSAGE_CHARS or is_list(text[start:end]):
        return [(start, end)]
    pieces: list[Span] = []
    for sentence_start, sentence_end in _sentences.span_tokenize(text[start:end]):
        span = (start + sentence_start, start + sentence_end)
        if pieces and span[1] - pieces[-1][0] <= MAX_PASSAGE_CHARS // 2:
            pieces[-1] = (pieces[-1][0], span[1])
        else:
            pieces.append(span)
    return pieces


def _pack(text: str, units: list[list[Span]]) -> list[Span]:
    """Passages from units: short neighbours are joined, never across a gap."""
    passages: list[Span] = []
    joinable = False
    for unit in units:
        if not unit:
            joinable = False
            continue
        for start, end in unit:
            if (
                joinable
                and passages[-1][1] - passages[-1][0] < MIN_PASSAGE_CHARS
                and end - passages[-1][0] <= MAX_PASSAGE_CHARS
            ):
                passages[-1] = (passages[-1][0], end)
            else:
                passages.append((start, end))
            joinable = True
    return passages


def _section_label(heading: str, title: str) -> str:
    """The heading a passage is cited under; the document's own title is no section."""
    return "" if heading.strip().lower() == title.strip().lower() else heading.strip()
