"""Triage result or hits -> a Reply: the lead sentence, quoted passages, highlights, suggestions.

Every medical word a patient reads is quoted from a passage; the bot's own words are the
fixed sentences below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from bot.answer.context import context_key, decode_context, encode_context
from bot.answer.conversation import Conversation, new_conversation_id
from bot.answer.retrieval import Retrieval, retrieve
from bot.answer.triage.decide import triage
from bot.answer.triage.rulebook import Category, Rulebook, RulebookError, load_rulebook
from bot.answer.triage.urgency import Urgency
from bot.config import Settings
from bot.errors import ConfigError
from bot.index import Index
from bot.ingest.tokenization import passage_tokens
from bot.models import Answer, Call, Hit, Reply, Urgent

MAX_SUGGESTIONS = 3
MAX_MARKED_SHARE = 0.25  # a term in more of the passages than this is not highlighted
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
    """The values replies need: how many passages, the numbers to call, the rulebook."""

    context_key: bytes
    answers_per_reply: int = 3
    emergency_number: str = "911"
    crisis_line: str = "988"
    poison_line: str = "1-800-222-1222"
    care_line: str | None = None
    rulebook: Rulebook | None = None  # None: the bundled one

    @classmethod
    def from_settings(cls, settings: Settings) -> ReplySettings:
        """The reply values of the bot's settings; ConfigError when the clinic's
        rulebook (FAQBOT_TRIAGE_RULES) does not load.

        The context key comes from FAQBOT_SECRET_KEY, or else is made on first start
        and kept in the instance folder (context.py): never from anything public.
        """
        try:
            rulebook = load_rulebook(settings.triage_rules)
        except RulebookError as error:
            raise ConfigError(f"FAQBOT_TRIAGE_RULES: {error}") from None
        return cls(
            context_key=context_key(settings.secret_key, settings.instance_dir),
            answers_per_reply=settings.answers_per_reply,
            emergency_number=settings.emergency_number,
            crisis_line=settings.crisis_line,
            poison_line=settings.poison_line,
            care_line=settings.care_line,
            rulebook=rulebook,
        )


def respond(
    index: Index, message: str, context: str | None, settings: ReplySettings
) -> Reply:
    """The bot's reply to one message, given the previous reply's context."""
    triaged = triage(message, settings.rulebook)
    state = Conversation.from_wire(decode_context(context, settings.context_key))
    conversation_id = state.conversation_id or new_conversation_id()
    if triaged.kind == "urgent":
        reply = urgent_reply(triaged.urgency, settings)
        return replace(reply, conversation_id=conversation_id)
    if triaged.kind == "smalltalk":
        return Reply(
            kind="smalltalk",
            reply=SMALLTALK.get(triaged.category, SMALLTALK["greeting"]),
            suggestions=starter_suggestions(index),
            context=context or "",  # small talk keeps the conversation where it was
            conversation_id=conversation_id,
        )
    state = replace(state, conversation_id=conversation_id)
    result = retrieve(index, triaged.question, state, top_k=settings.answers_per_reply)
    result = replace(
        result, state=replace(result.state, conversation_id=conversation_id)
    )
    safety_net = safety_net_text(triaged.red_flag, settings) if triaged.red_flag else ""
    reply = compose_reply(index, result, settings, safety_net)
    return replace(reply, conversation_id=conversation_id)


def compose_reply(
    index: Index, result: Retrieval, settings: ReplySettings, safety_net: str = ""
) -> Reply:
    """A Reply for a retrieval result: answer, clarify or no_answer; a question about a
    red flag ends with its safety net."""
    wire = result.state.to_wire()
    new_context = encode_context(wire, settings.context_key) if wire else ""
    if result.kind == "clarify":
        return Reply(
            kind="clarify",
            reply=ending_with(CLARIFY, safety_net),
            suggestions=result.suggestions,
            context=new_context,
        )
    if result.kind == "no_answer" or not result.hits:
        text = NOTHING_MORE if result.is_exhausted else NO_ANSWER
        return Reply(
            kind="no_answer", reply=ending_with(text, safety_net), context=new_context
        )
    informative = _informative_terms(index, result.hits)
    answers = tuple(
        Answer(hit, highlight_spans(hit, informative)) for hit in result.hits
    )
    return Reply(
        kind="answer",
        reply=ending_with(lead_sentence(result.topic), safety_net),
        answers=answers,
        suggestions=follow_up_suggestions(index, result.hits),
        context=new_context,
    )


def ending_with(text: str, safety_net: str) -> str:
    """The reply's text, then the safety net (a lead's closing colon becomes a stop)."""
    if not safety_net:
        return text
    if text.endswith(":"):
        text = text.removesuffix(":") + "."
    return f"{text} {safety_net}"


def urgent_reply(urgency: Urgency, settings: ReplySettings) -> Reply:
    """Whom to call now, first and plain, and the numbers as calls for the widget.

    `emergency`: emergency services, with the crisis line for suicidal thoughts and
    poison control for a swallowed medicine. `care_team_now`: the clinic's 24-hour line
    (FAQBOT_CARE_LINE), or, unset, a sentence that holds without it.
    """
    emergency = settings.emergency_number
    if urgency.level == "emergency":
        text = (
            f"This sounds like an emergency. Call {emergency} now, or go to the nearest "
            "emergency department."
        )
        calls = [Call("Emergency services", emergency)]
        if urgency.also_call == "crisis_line":
            text += (
                f" You can also call or text {settings.crisis_line}, the crisis line, "
                "any time, day or night, to talk to someone now."
            )
            calls.append(Call("Crisis line", settings.crisis_line))
        elif urgency.also_call == "poison_line":
            text += (
                f" Call Poison Control at {settings.poison_line} too, with the medicine's "
                "box or bottle to hand."
            )
            calls.append(Call("Poison Control", settings.poison_line))
    elif settings.care_line:
        text = (
            f"This needs your cancer care team now. Call their 24-hour line, "
            f"{settings.care_line}, now. If you cannot reach them, go to the nearest "
            f"emergency department, or call {emergency} if it gets worse."
        )
        calls = [Call("Cancer care team, 24-hour line", settings.care_line)]
    else:
        text = (
            "This needs your cancer care team now. Call your cancer care team's 24-hour "
            "number now, or go to the nearest emergency department. If it gets worse, "
            f"call {emergency}."
        )
        calls = []
    text += " Please do not wait for an answer from this chat."
    return Reply(
        kind="urgent",
        reply=text,
        urgency=Urgent(urgency.level, urgency.category, tuple(calls)),
    )


def safety_net_text(red_flag: Category, settings: ReplySettings) -> str:
    """The rulebook's safety-net sentence of a red flag, with the settings' numbers."""
    care_line = "your cancer care team's 24-hour line"
    if settings.care_line:
        care_line += f" ({settings.care_line})"
    return red_flag.safety_net.format(
        care_line=care_line,
        emergency_number=settings.emergency_number,
        crisis_line=settings.crisis_line,
        poison_line=settings.poison_line,
    )


def lead_sentence(topic: str) -> str:
    """'Here is what our documents say about X:' or without the topic when there is none."""
    if topic:
        return f"Here is what our documents say about {topic}:"
    return "Here is what our documents say:"


def _informative_terms(index: Index, hits: tuple[Hit, ...]) -> frozenset[str]:
    """The matched terms worth marking: not those found in a large share of the
    passages ("cancer", "use" in a cancer clinic's documents)."""
    matched = [
        term
        for term in {term for hit in hits for term in hit.matched_terms}
        if term in index.vocabulary
    ]
    frequency = index.document_frequency[[index.vocabulary[t] for t in matched]]
    limit = MAX_MARKED_SHARE * len(index.passages)
    return frozenset(
        t for t, f in zip(matched, frequency.tolist(), strict=True) if f <= limit
    )


def highlight_spans(
    hit: Hit, informative: frozenset[str] | None = None
) -> tuple[tuple[int, int], ...]:
    """Character spans of the passage's words that matched the question (only the
    informative ones, when given), merged."""
    spans_by_term = _term_spans(hit.passage.text)
    marked = (
        hit.matched_terms if informative is None else hit.matched_terms & informative
    )
    spans = [span for term in marked for span in spans_by_term.get(term, ())]
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
    for token in passage_tokens(text):
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
