"""Triage result or hits -> a Reply: the lead sentence, quoted passages, highlights, suggestions.

Every medical word a patient reads is quoted from a passage; the bot's own words are the
fixed sentences below.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from .config import Settings
from .context import decode_context, encode_context
from .index import Index
from .models import Answer, Hit, Reply
from .retrieval import Retrieval, retrieve
from .tokenization import tokenize
from .triage import triage

MAX_SUGGESTIONS = 3
NOT_ADVICE = (
    "These answers are quoted from our clinic's documents; they are not medical advice "
    "for you. Your care team can answer questions about your own care."
)
NO_ANSWER = "I'm sorry, our documents don't answer that. Please ask your care team; they can help."
NOTHING_MORE = (
    "That is all our documents say about this. Your care team can tell you more."
)
CLARIFY = "Our documents cover this for more than one subject. Which one do you mean?"
SMALLTALK = {
    "greeting": "Hello! I can answer questions from our clinic's patient documents.",
    "thanks": "You're welcome! Ask me anything else about our patient documents.",
    "goodbye": "Goodbye, and take care.",
    "identity": (
        "I'm the clinic's FAQ assistant, a program that finds answers in our clinic's "
        "patient documents and quotes them with their source."
    ),
    "capabilities": (
        "I can find answers in our clinic's patient documents and quote them with their "
        "source. Try asking about a treatment, a drug or a test."
    ),
    "affirmation": "Glad to help. Ask me anything else about our patient documents.",
}


@dataclass(frozen=True)
class ReplySettings:
    """The values replies need: how many passages, and the numbers to call."""

    context_key: bytes
    answers_per_reply: int = 3
    emergency_number: str = "911"
    crisis_line: str = "988"

    @classmethod
    def from_settings(cls, settings: Settings, index: Index) -> ReplySettings:
        """The reply values of the bot's settings.

        The context key comes from FAQBOT_SECRET_KEY or else from the corpus, so every
        worker and host serving the same corpus accepts the others' contexts.
        """
        secret = settings.secret_key or index.manifest["corpus_fingerprint"]
        return cls(
            context_key=hashlib.sha256(b"faqbot-context\0" + secret.encode()).digest(),
            answers_per_reply=settings.answers_per_reply,
            emergency_number=settings.emergency_number,
            crisis_line=settings.crisis_line,
        )


def respond(
    index: Index, message: str, context: str | None, settings: ReplySettings
) -> Reply:
    """The bot's reply to one message, given the previous reply's context."""
    triaged = triage(message)
    if triaged.kind == "urgent":
        return Reply(kind="urgent", reply=urgent_text(triaged.category, settings))
    if triaged.kind == "smalltalk":
        return Reply(
            kind="smalltalk",
            reply=SMALLTALK.get(triaged.category, SMALLTALK["greeting"]),
            suggestions=starter_suggestions(index),
            context=context or "",  # small talk keeps the conversation where it was
        )
    state = decode_context(context, settings.context_key)
    result = retrieve(index, triaged.question, state, top_k=settings.answers_per_reply)
    return compose_reply(index, result, settings)


def compose_reply(index: Index, result: Retrieval, settings: ReplySettings) -> Reply:
    """A Reply for a retrieval result: answer, clarify or no_answer."""
    new_context = (
        encode_context(result.state, settings.context_key) if result.state else ""
    )
    if result.kind == "clarify":
        return Reply(
            kind="clarify",
            reply=CLARIFY,
            suggestions=result.suggestions,
            context=new_context,
        )
    if result.kind == "no_answer" or not result.hits:
        text = NOTHING_MORE if result.is_exhausted else NO_ANSWER
        return Reply(kind="no_answer", reply=text, context=new_context)
    answers = tuple(Answer(hit, highlight_spans(hit)) for hit in result.hits)
    return Reply(
        kind="answer",
        reply=lead_sentence(result.topic),
        answers=answers,
        suggestions=follow_up_suggestions(index, result.hits),
        context=new_context,
    )


def urgent_text(category: str, settings: ReplySettings) -> str:
    """The emergency instruction, first and plain; a crisis line for self-harm."""
    text = (
        f"This sounds like an emergency. Call {settings.emergency_number} now, or go to "
        "the nearest emergency department. Do not wait for an answer from this chat."
    )
    if category == "self_harm":
        text += (
            f" If you are thinking about hurting yourself, you can call or text "
            f"{settings.crisis_line} any time to talk to someone right now."
        )
    return text


def lead_sentence(topic: str) -> str:
    """'Here is what our documents say about X:' or without the topic when there is none."""
    if topic:
        return f"Here is what our documents say about {topic}:"
    return "Here is what our documents say:"


def highlight_spans(hit: Hit) -> tuple[tuple[int, int], ...]:
    """Character spans of the passage's words that matched the question, merged."""
    spans_by_term = _term_spans(hit.passage.text)
    spans = [span for term in hit.matched_terms for span in spans_by_term.get(term, ())]
    spans.sort()
    merged: list[tuple[int, int]] = []
    last_end = -1
    for start, end in spans:
        if start > last_end:  # apart from the span before, as words nearly always are
            merged.append((start, end))
            last_end = end
        elif end > last_end:  # overlapping: a hyphenated word's parts and its whole
            merged[-1] = (merged[-1][0], end)
            last_end = end
    return tuple(merged)


def follow_up_suggestions(index: Index, hits: tuple[Hit, ...]) -> tuple[str, ...]:
    """Other sections of the best passage's document, as follow-up questions."""
    answered = {hit.passage.section for hit in hits}
    headings = index.sections.get(hits[0].passage.document_id, [])
    unanswered = [heading for heading in headings if heading not in answered]
    return tuple(_as_question(heading) for heading in unanswered[:MAX_SUGGESTIONS])


@lru_cache(maxsize=4096)
def _term_spans(text: str) -> dict[str, list[tuple[int, int]]]:
    """A passage's terms and the character spans of each, kept: the same passages
    answer many questions."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for token in tokenize(text):
        spans.setdefault(token.term, []).append((token.start, token.end))
    return spans


def starter_suggestions(index: Index) -> tuple[str, ...]:
    """A few things a visitor could ask first: the titles of the first documents."""
    titles: list[str] = []
    for title in index.passages.document_titles():  # not every passage of a long one
        if title not in titles:
            titles.append(title)
        if len(titles) == MAX_SUGGESTIONS:
            break
    return tuple(titles)


@lru_cache(maxsize=4096)  # the same documents' headings are offered again and again
def _as_question(heading: str) -> str:
    """A heading as something to ask: 'Targeted Therapy' -> 'What about targeted therapy?'.

    A heading that is already a question (an FAQ entry's) is kept; acronyms keep their case.
    """
    if heading.rstrip().endswith("?"):
        return heading.strip()
    words = [
        w if w.isupper() or any(c.isdigit() for c in w) else w.lower()
        for w in heading.split()
    ]
    return f"What about {' '.join(words)}?"
