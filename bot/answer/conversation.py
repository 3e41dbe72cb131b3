"""What a reply remembers for the visitor's next message, and its compact wire form.

The state travels signed inside the reply's `context` (context.py), as a small JSON
object with one-letter keys so that the token stays short. It comes back from outside:
an old or forged one (signed with a leaked key) must never break a reply, so reading it
keeps only the fields of the shapes written here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.answer.context import decode_context

MAX_SHOWN_IDS = 12  # keeps the context small
MAX_PENDING_CHARS = 300
MAX_TOPIC_WORDS = 3


@dataclass(frozen=True)
class Conversation:
    """Where the conversation stands after a reply."""

    document_id: str = ""  # the document the last answer came from
    topic_terms: tuple[str, ...] = ()  # the terms that answer was about
    shown: tuple[str, ...] = ()  # the passages shown on that topic, oldest first
    pending_question: str = ""  # after a clarify: the question waiting for a document
    choices: tuple[tuple[str, str], ...] = ()  # after a clarify: (document_id, title)
    # The words of the answered question that its topic terms came from, as typed but
    # lowercased: what Insights keep of an answer voted unhelpful (never the message).
    topic_words: tuple[str, ...] = ()
    # Random, made at the conversation's first reply: Insights count conversations
    # with it; it says nothing about the visitor.
    conversation_id: str = ""

    def continued(self) -> Conversation:
        """What a reply without an answer passes on: the topic, not a clarify."""
        return Conversation(
            self.document_id,
            self.topic_terms,
            self.shown,
            topic_words=self.topic_words,
            conversation_id=self.conversation_id,
        )

    def to_wire(self) -> dict:
        """The compact form signed into `context`; empty fields are left out."""
        wire = {
            "d": self.document_id,
            "t": list(self.topic_terms),
            "s": list(self.shown[-MAX_SHOWN_IDS:]),
            "q": self.pending_question[:MAX_PENDING_CHARS],
            "c": [list(choice) for choice in self.choices],
            "w": list(self.topic_words[:MAX_TOPIC_WORDS]),
            "i": self.conversation_id,
        }
        return {key: value for key, value in wire.items() if value}

    @classmethod
    def from_wire(cls, wire) -> Conversation:
        """The state a decoded context holds; any field of another shape is dropped."""
        if not isinstance(wire, dict):
            return cls()
        return cls(
            document_id=_string(wire.get("d")),
            topic_terms=_strings(wire.get("t")),
            shown=_strings(wire.get("s")),
            pending_question=_string(wire.get("q")),
            choices=_choices(wire.get("c")),
            topic_words=_strings(wire.get("w"))[:MAX_TOPIC_WORDS],
            conversation_id=_string(wire.get("i"))[:32],
        )


def read_conversation(context: str | None, key: bytes) -> Conversation:
    """The state a reply's signed context carries; a new conversation when it carries
    none, or was not signed with `key`."""
    return Conversation.from_wire(decode_context(context, key))


def new_conversation_id() -> str:
    """A random id for a new conversation (16 hex digits)."""
    return secrets.token_hex(8)


def _choices(values) -> tuple[tuple[str, str], ...]:
    if not isinstance(values, list):
        return ()
    return tuple(
        (choice[0], choice[1])
        for choice in values
        if isinstance(choice, list)
        and len(choice) == 2
        and all(isinstance(part, str) for part in choice)
    )


def _string(value) -> str:
    return value if isinstance(value, str) else ""


def _strings(values) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(value for value in values if isinstance(value, str))
