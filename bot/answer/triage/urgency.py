"""Is a message an emergency happening now, and which red flag is it about?

Three layers, each its own module: the message's concepts (words and numbers, from the
rulebook's vocabulary: rulebook.py, lexicon.py), whether each is happening now
(ConText: assertion.py), and the rulebook's categories over the concepts that are (here).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.triage.assertion import bundled_assertion
from bot.answer.triage.lexicon import Match, Token, read_tokens
from bot.answer.triage.rulebook import Category, Pattern, Rulebook, load_rulebook

# A scene-setting concept ("on chemo") counts in the past too, but not when denied, a
# what-if or a general question.
CANCELS_BACKGROUND = frozenset({"negated", "hypothetical", "general"})


@dataclass(frozen=True)
class Urgency:
    """An emergency happening now: its category, its level, and who else to call."""

    category: str
    level: str  # emergency | care_team_now
    also_call: str | None = None  # crisis_line | poison_line


@dataclass(frozen=True)
class Assessment:
    """What triage learns of a message's red flags."""

    urgency: Urgency | None  # an emergency happening now
    topic: Category | None  # else, the red flag a question is about (its safety net)


@dataclass(frozen=True)
class Mention:
    """One concept found in a message, with its place and status."""

    concept: str
    start: int
    end: int
    sentence: int
    status: frozenset[str]  # ConText kinds over it: negated, hypothetical, ...


NOTHING = Assessment(None, None)


def assess(message: str, rulebook: Rulebook | None = None) -> Assessment:
    """The emergency a message describes, or the red flag it asks about."""
    rulebook = rulebook or load_rulebook()
    tokens = read_tokens(message, rulebook.speller)
    matches = rulebook.find_concepts(tokens)
    named = {label for match in matches for label in match.labels}
    if not (rulebook.patterns_of(named) or rulebook.patterns_of(named, topics=True)):
        return NOTHING  # no pattern starts with a concept told: nothing can hold
    statuses = bundled_assertion().statuses(tokens, matches, rulebook.background)
    mentions = _mentions(tokens, matches, statuses)
    now = [m for m in mentions if _counts_now(m, rulebook)]
    urgency = _urgency(now, rulebook)
    if urgency:
        return Assessment(urgency, None)
    asked = [m for m in mentions if "negated" not in m.status]
    return Assessment(None, _topic(asked, rulebook))


def _mentions(
    tokens: list[Token], matches: list[Match], statuses: list[frozenset[str]]
) -> list[Mention]:
    return [
        Mention(concept, match.start, match.end, tokens[match.start].sentence, status)
        for match, status in zip(matches, statuses, strict=True)
        for concept in match.labels
    ]


def _counts_now(mention: Mention, rulebook: Rulebook) -> bool:
    if mention.concept in rulebook.background:
        return not mention.status & CANCELS_BACKGROUND
    if mention.concept not in rulebook.exertion:
        return not mention.status - {"exertion"}
    return not mention.status


def _urgency(now: list[Mention], rulebook: Rulebook) -> Urgency | None:
    """The best category recognised: the most specific pattern, then the higher level,
    then the one told first (the main complaint), then the rulebook's order."""
    found = {mention.concept for mention in now}
    first_told = {}
    for mention in now:
        first_told.setdefault(mention.concept, mention.start)
    best, best_rank = None, None
    for order, category, pattern in rulebook.patterns_of(found):
        if not _holds(pattern, now, found, rulebook.near):
            continue
        told = min(first_told[c] for group in pattern.groups for c in group)
        rank = (pattern.size, pattern.level == "emergency", -told, -order)
        if best_rank is None or rank > best_rank:
            best = Urgency(category.name, pattern.level, category.also_call)
            best_rank = rank
    return best


def _topic(asked: list[Mention], rulebook: Rulebook) -> Category | None:
    """The first category of the rulebook a question is about."""
    found = {mention.concept for mention in asked}
    for _, category, pattern in rulebook.patterns_of(found, topics=True):
        if _holds(pattern, asked, found, rulebook.near):
            return category
    return None


def _holds(
    pattern: Pattern, mentions: list[Mention], found: set[str], near: int
) -> bool:
    """Whether every group of the pattern is found together and no absent concept is."""
    if any(concept in found for concept in pattern.absent):
        return False
    for group in pattern.groups:
        if not found.issuperset(group):
            return False
        if len(group) > 1 and not _together(group, mentions, near):
            return False
    return True


def _together(group: tuple[str, ...], mentions: list[Mention], near: int) -> bool:
    """Whether one mention of each concept of the group lies in one sentence, all within
    `near` words of the first."""
    first, *others = group
    for anchor in (m for m in mentions if m.concept == first):
        span = [anchor]
        for concept in others:
            close = [
                m
                for m in mentions
                if m.concept == concept
                and m.sentence == anchor.sentence
                and abs(m.start - anchor.start) <= near
                and m is not anchor
            ]
            if not close:
                break
            span.append(min(close, key=lambda m: abs(m.start - anchor.start)))
        else:
            if max(m.end for m in span) - min(m.start for m in span) <= near + 2:
                return True
    return False
