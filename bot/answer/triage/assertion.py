"""Is a symptom happening now? The ConText algorithm over a message's concepts.

ConText (Harkema, Dowling, Thornblade and Chapman, "ConText: an algorithm for determining
negation, experiencer, and temporal status from clinical reports", J Biomed Inform 2009),
the successor of NegEx (Chapman et al., J Biomed Inform 2001): trigger phrases ("no",
"if", "last month", "can ... cause") change the status of the concepts within their scope,
forward or backward from the trigger, up to the end of the clause, a termination phrase
("but", "now") or a number of words. Pseudo-triggers ("not sure", "cant stop") are
phrases holding a trigger word that change nothing.

The published trigger lists were written for clinical notes ("denies", "r/o", "history
of"); patients write "no fever tho", "what if", "does radiotherapy cause", "a bit",
"years ago".
So the triggers, in `data/assertion_triggers.toml`, are those of the algorithm's kinds in
the words of patients' messages, plus two kinds a chat needs: `general` (a question about
a topic, not about anyone now) and `mild` ("a bit puffed").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.answer.triage.bundled import bundled_toml
from bot.answer.triage.lexicon import (
    CLAUSE_MARKS,
    SENTENCE_MARKS,
    Match,
    PhraseMatcher,
    Token,
)

KINDS = ("negated", "hypothetical", "historical", "general", "mild", "exertion")
DIRECTIONS = ("forward", "backward", "both")
GENERAL_QUESTION_SCOPE = 30


@dataclass(frozen=True)
class Trigger:
    """A trigger phrase found in a message."""

    kind: str  # one of KINDS, or "pseudo" / "terminate"
    direction: str  # forward | backward | both; for "terminate", the kinds it ends
    scope: int  # at most this many words
    start: int
    end: int
    reach: str = "clause"  # clause | sentence: the mark that ends the scope


class Assertion:
    """The trigger lists, and the status of each concept found in a message."""

    def __init__(self, triggers: dict):
        self.matcher = PhraseMatcher()
        for kind in KINDS:
            for group in triggers[kind]:
                reach = group.get("reach", "clause")
                for direction in DIRECTIONS:
                    for phrase in group.get(direction, []):
                        label = f"{kind}:{direction}:{group['scope']}:{reach}"
                        self.matcher.add(phrase, label)
        for phrase in triggers["pseudo"]["phrases"]:
            self.matcher.add(phrase, "pseudo::0:clause")
        questions = triggers["general_question"]
        self.question_openers = frozenset(questions["openers"])
        self.not_subjects = frozenset(questions["not_subjects"])
        for group in triggers["terminate"]:
            ends = "+".join(group["ends"])
            for phrase in group["phrases"]:
                self.matcher.add(phrase, f"terminate:{ends}:0:clause")

    def statuses(
        self,
        tokens: list[Token],
        concepts: list[Match],
        scene: frozenset[str] = frozenset(),
    ) -> list[frozenset[str]]:
        """For each concept match, the kinds of the triggers whose scope covers it
        (empty: happening now). Triggers may hold the words of `scene` concepts ("at my
        last infusion", "as a baby"), never those of the others."""
        symptoms = [concept for concept in concepts if not concept.labels <= scene]
        triggers = self.find_triggers(tokens, symptoms) + self._questions(tokens)
        # Where scopes end: a clause mark (or, for a trigger reaching its sentence, a
        # sentence mark), or a termination phrase of the trigger's kind.
        marks = {
            "clause": {at for at, t in enumerate(tokens) if t.text in CLAUSE_MARKS},
            "sentence": {at for at, t in enumerate(tokens) if t.text in SENTENCE_MARKS},
        }
        ends = {kind: set() for kind in KINDS}
        for trigger in triggers:
            if trigger.kind == "terminate":
                for kind in trigger.direction.split("+"):
                    ends[kind].add(trigger.start)
        return [
            frozenset(
                trigger.kind
                for trigger in triggers
                if trigger.kind in KINDS
                and _covers(trigger, concept, marks[trigger.reach] | ends[trigger.kind])
            )
            for concept in concepts
        ]

    def _questions(self, tokens: list[Token]) -> list[Trigger]:
        """A general question: a clause opening with a question word whose subject is not
        a person ("does paracetamol hide a temperature?", "can immunotherapy cause a rash?"),
        unlike "is my temp too high" or "does he need to go in"."""
        found = []
        for at, token in enumerate(tokens[:-1]):
            if at and not tokens[at - 1].is_mark:
                continue  # not the start of a clause
            subject = tokens[at + 1]
            if (
                token.text in self.question_openers
                and not subject.is_mark
                and subject.text not in self.not_subjects
                and subject.number is None
            ):
                found.append(
                    Trigger("general", "forward", GENERAL_QUESTION_SCOPE, at, at + 1)
                )
        return found

    def find_triggers(
        self, tokens: list[Token], concepts: list[Match]
    ) -> list[Trigger]:
        """The trigger phrases of a message, none starting or ending in a concept's
        words ("can chemo cause" holds the concept "chemo" in its gap)."""
        covered = {
            at for concept in concepts for at in range(concept.start, concept.end)
        }
        found = []
        for match in self.matcher.find(tokens, skip=covered):
            if match.end - 1 in covered:
                continue
            # One phrase may be listed under several kinds: each applies.
            for label in sorted(match.labels):
                kind, direction, scope, reach = label.split(":")
                found.append(
                    Trigger(kind, direction, int(scope), match.start, match.end, reach)
                )
        return found


def _covers(trigger: Trigger, concept: Match, stops: set[int]) -> bool:
    """Whether a concept lies within the trigger's scope in its direction."""
    if trigger.direction in ("forward", "both") and concept.start >= trigger.end:
        return _within(trigger.end, concept.start, trigger.scope, stops)
    if trigger.direction in ("backward", "both") and concept.end <= trigger.start:
        return _within(concept.end, trigger.start, trigger.scope, stops)
    return False


def _within(start: int, end: int, scope: int, stops: set[int]) -> bool:
    """Whether the words between two places are at most `scope`, with no stop."""
    return end - start <= scope and not stops.intersection(range(start, end))


@cache
def bundled_assertion() -> Assertion:
    """The trigger lists shipped in the package."""
    return Assertion(bundled_toml("assertion_triggers.toml"))
