"""Triage result or hits -> a Reply: the lead sentence, quoted passages, highlights, suggestions.

Every medical word a patient reads is quoted from a passage; the bot's own words are the
fixed sentences below.
"""

from __future__ import annotations

from dataclasses import replace

from bot.answer.context import encode_context
from bot.answer.conversation import new_conversation_id, read_conversation
from bot.answer.highlights import highlight_spans, informative_terms
from bot.answer.reply_settings import ReplySettings
from bot.answer.retrieval import Retrieval, retrieve
from bot.answer.suggestions import follow_up_suggestions, starter_suggestions
from bot.answer.triage.decide import triage
from bot.answer.urgent import safety_net_text, urgent_reply
from bot.index import Index
from bot.models import Answer, Reply

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


def respond(
    index: Index, message: str, context: str | None, settings: ReplySettings
) -> Reply:
    """The bot's reply to one message, given the previous reply's context."""
    triaged = triage(message, settings.rulebook)
    state = read_conversation(context, settings.context_key)
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
    result = retrieve(index, triaged.question, state, top_k=settings.answers_per_reply)
    safety_net = safety_net_text(triaged.red_flag, settings) if triaged.red_flag else ""
    return compose_reply(index, result, settings, conversation_id, safety_net)


def compose_reply(
    index: Index,
    result: Retrieval,
    settings: ReplySettings,
    conversation_id: str,
    safety_net: str = "",
) -> Reply:
    """A Reply for a retrieval result: answer, clarify or no_answer; a question about a
    red flag ends with its safety net. Its context carries the conversation's id."""
    wire = result.state.to_wire() | {"i": conversation_id}
    new_context = encode_context(wire, settings.context_key)
    if result.kind == "clarify":
        return Reply(
            kind="clarify",
            reply=ending_with(CLARIFY, safety_net),
            suggestions=result.suggestions,
            context=new_context,
            conversation_id=conversation_id,
        )
    if result.kind == "no_answer" or not result.hits:
        text = NOTHING_MORE if result.is_exhausted else NO_ANSWER
        return Reply(
            kind="no_answer",
            reply=ending_with(text, safety_net),
            context=new_context,
            conversation_id=conversation_id,
        )
    informative = informative_terms(index, result.hits)
    answers = tuple(
        Answer(hit, highlight_spans(hit, informative)) for hit in result.hits
    )
    return Reply(
        kind="answer",
        reply=ending_with(lead_sentence(result.topic), safety_net),
        answers=answers,
        suggestions=follow_up_suggestions(index, result.hits),
        context=new_context,
        conversation_id=conversation_id,
    )


def ending_with(text: str, safety_net: str) -> str:
    """The reply's text, then the safety net (a lead's closing colon becomes a stop)."""
    if not safety_net:
        return text
    if text.endswith(":"):
        text = text.removesuffix(":") + "."
    return f"{text} {safety_net}"


def lead_sentence(topic: str) -> str:
    """'Here is what our documents say about X:' or without the topic when there is none."""
    if topic:
        return f"Here is what our documents say about {topic}:"
    return "Here is what our documents say:"
