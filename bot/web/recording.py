"""What the web stage hands to Insights for each reply and each vote: never the message.

A reply keeps its day, kind, urgent category, the documents and passages shown and the
conversation's random id; a `no_answer` keeps a few topic terms of the message (words of
the index or of everyday English, see insights/topics.py). A vote keeps the passage and
the vote; an unhelpful one, the topic words of the answered question, which its context
carries. The message itself only with FAQBOT_LOG_QUESTIONS on, scrubbed.
"""

from __future__ import annotations

from datetime import date

from bot.answer import Conversation
from bot.config import Settings
from bot.index import Index
from bot.ingest.tokenization import normalize, words
from bot.insights import (
    FeedbackEvent,
    Recorder,
    ReplyEvent,
    open_store,
    scrub,
    topic_terms,
)
from bot.models import Reply


class InsightsRecording:
    """Turns replies and votes into Insights events, queued off the request path."""

    def __init__(self, settings: Settings):
        url = settings.insights_url  # the store makes an SQLite file's folder itself
        self.recorder = Recorder(lambda: open_store(url), settings.insights_days)
        self.keep_questions = settings.log_questions

    def reply(self, index: Index, message: str, reply: Reply) -> None:
        """Queue what Insights keep of one reply."""
        passages = [answer.hit.passage for answer in reply.answers]
        topics: tuple[str, ...] = ()
        if reply.kind == "no_answer":
            topics = topic_terms(
                (word for word, _, _ in words(message)),
                lambda word: _in_index(index, word),
                message=message,
            )
        self.recorder.record(
            ReplyEvent(
                day=date.today(),
                conversation_id=reply.conversation_id,
                kind=reply.kind,
                category=reply.urgency.category if reply.urgency else None,
                document_ids=tuple(passage.document_id for passage in passages),
                passage_ids=tuple(passage.passage_id for passage in passages),
                topic_terms=topics,
                question=scrub(message) if self.keep_questions else None,
            )
        )

    def vote(
        self, index: Index, passage_id: str, helpful: bool, state: Conversation
    ) -> bool:
        """Queue a vote on a passage the conversation was shown; False (nothing kept)
        for any other passage, so that votes count only for real replies."""
        if passage_id not in state.shown:
            return False
        topics = ()
        if not helpful:
            topics = topic_terms(state.topic_words, lambda word: _in_index(index, word))
        self.recorder.record(
            FeedbackEvent(
                day=date.today(),
                conversation_id=state.conversation_id,
                passage_id=passage_id,
                helpful=helpful,
                topic_terms=topics,
            )
        )
        return True


def _in_index(index: Index, word: str) -> bool:
    term = normalize(word)
    return term is not None and term in index.vocabulary
