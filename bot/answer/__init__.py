"""The answer stage: message -> `Reply`.

triage/ (red flags, small talk) -> query.py (words, spelling, vocabulary) -> ranking.py
-> retrieval.py (answer, clarify or no_answer, with the conversation's state) ->
replies.py (the wording). Values in, values out: nothing here reads the environment or
knows about HTTP.
"""

from bot.answer.conversation import Conversation
from bot.answer.query import Query, understand
from bot.answer.ranking import rank_documents, search
from bot.answer.replies import ReplySettings, respond
from bot.index import Index
from bot.models import Hit


def passages_for(index: Index, question: str, top_k: int = 3) -> list[Hit]:
    """The passages that best answer a question, best first (`faqbot search`)."""
    return search(index, understand(index, question), top_k)


def documents_for(
    index: Index, question: str, top_k: int = 10
) -> list[tuple[str, float]]:
    """Documents ranked by their best passage for a question (`faqbot eval`)."""
    return rank_documents(index, understand(index, question), top_k)


__all__ = [
    "Conversation",
    "Query",
    "ReplySettings",
    "documents_for",
    "passages_for",
    "respond",
    "understand",
]
