"""Insights: what patients asked, for the clinic, kept without their words.

The seam: `Recorder(lambda: open_store(url), days)` queues events off the request path;
`open_store(url).summary(days)` gives the figures; `topic_terms` and `scrub` decide what
of a message may be kept at all.
"""

from bot.insights.recorder import Recorder
from bot.insights.records import (
    KINDS,
    MIN_CONVERSATIONS_PER_TOPIC,
    DayCounts,
    FeedbackEvent,
    PassageVotes,
    ReplyEvent,
    Summary,
    TopicCount,
)
from bot.insights.store import Store, open_store
from bot.insights.topics import scrub, topic_terms

__all__ = [
    "KINDS",
    "MIN_CONVERSATIONS_PER_TOPIC",
    "DayCounts",
    "FeedbackEvent",
    "PassageVotes",
    "Recorder",
    "ReplyEvent",
    "Store",
    "Summary",
    "TopicCount",
    "open_store",
    "scrub",
    "topic_terms",
]
