"""What a short question names, written as the answering passage writes it: the topic
of the lead sentence ("Here is what our documents say about FOLFOX:")."""

from __future__ import annotations

import re

from bot.answer.query import Query
from bot.ingest.tokenization import passage_tokens, terms, tokenize
from bot.models import Hit

MAX_TOPIC_WORDS = 4
# What may come before the topic of a topic question; the topic runs to the end.
TOPIC_OPENING = re.compile(
    r"(?:(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?|what\s+about\s+|how\s+about\s+"
    r"|tell\s+me\s+(?:more\s+)?about\s+)?",
    re.I,
)
# Words that make a phrase a sentence or a pointer rather than the name of something.
NOT_A_NAME = frozenset(
    "how why when where which who what whom whose can could is are was were do does did "
    "will would should shall may might must it its they them this that these those one "
    "i me my we our you your he she his her the".split()
)


def topic_words(question: str) -> str:
    """What a short question names: "What is FOLFOX?" -> "FOLFOX", "chemo?" -> "chemo".

    Only "What is/are X", "What about X", "Tell me about X" and bare names of at most four
    words give a topic; any other question gets the plain lead sentence, which always reads
    well.
    """
    question = question.strip()
    if "?" in question[:-1]:
        return ""  # not a name: more than one question, or a question mark inside
    topic = question[TOPIC_OPENING.match(question).end() :].removesuffix("?").rstrip()
    topic = topic.strip(" ?.!,")
    words = topic.lower().split()
    if not words or len(words) > MAX_TOPIC_WORDS or NOT_A_NAME.intersection(words):
        return ""
    return topic if tokenize(topic) else ""  # the costliest test last


def topic_as_written(query: Query, topic: str, hit: Hit) -> str:
    """The topic as the answering passage writes it ("chemoterapy" -> "chemotherapy",
    "folfox" -> "FOLFOX"), or "" when the passage does not name it in those words: the
    lead sentence never echoes a fragment or a typo of the question."""
    wanted = [query.corrections.get(term, term) for term in terms(topic)]
    if not wanted:
        return ""
    passage = hit.passage
    for text in (passage.text, passage.section, passage.title):
        tokens = passage_tokens(text)
        for at in range(len(tokens) - len(wanted) + 1):
            window = tokens[at : at + len(wanted)]
            if [token.term for token in window] == wanted:
                # A hyphenated word gives its whole and its parts: the widest span.
                return text[window[0].start : max(token.end for token in window)]
    return ""
