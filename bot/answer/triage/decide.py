"""Before retrieval: is a message an emergency, small talk, or a question to search for?

Emergencies are recognised in urgency.py, with the red-flag rulebook; small talk counts
only when the whole message is small talk ("hello, what is FOLFOX?" is a question,
without its "hello").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.triage.rulebook import Category, Rulebook
from bot.answer.triage.urgency import Urgency, assess


@dataclass(frozen=True)
class Triage:
    """What a message is before any retrieval."""

    kind: str  # urgent | smalltalk | question
    # urgent: the red flag (fever, chest_pain, ...); smalltalk: greeting, thanks, ...
    category: str
    question: str  # kind "question": the message without pleasantries; "" otherwise
    urgency: Urgency | None = None  # kind "urgent": its level and whom else to call
    red_flag: Category | None = None  # a question about a red flag: its safety net


def any_phrase(lines: str) -> str:
    """Regex alternatives, one or more per line -> one non-capturing group."""
    return "(?:" + "|".join(line.strip() for line in lines.strip().splitlines()) + ")"


HELLO = (
    r"(?:hi+|hello|hey|heya|hiya|howdy|greetings|good (?:morning|afternoon|evening"
    r"|day))(?: there| bot| everyone| all| team| doc| doctor| again| friend)?"
)
SMALLTALK = {
    "identity": any_phrase(r"""
        who are you|who'?s this|what are you|what(?:'?s| is) your name
        are you (?:a |an )?(?:bot|robot|human|real|real person|person|ai|machine)
        are you (?:a |an )?(?:chatbot|chat bot|computer|doctor|nurse)
        (?:am i|are we) (?:talking|speaking|chatting) (?:to|with) (?:a )?(?:real )?\w+
        is this (?:a )?(?:bot|robot|real person|human|chatbot)|who (?:made|built) you
    """),
    "capabilities": any_phrase(r"""
        what (?:can|do) you do|what can you help (?:me )?with
        how (?:can|do|could) you help(?: me)?|(?:can|could) you help(?: me)?
        (?:please )?help(?: me)?(?: please)?|i need (?:some )?help
        what can i ask(?: you)?|what do you know(?: about)?|how does this work
        i have (?:a|some) questions?|(?:can|may) i ask (?:you )?(?:a|some) questions?
        what (?:kind of )?questions can (?:i ask|you answer)
    """),
    "goodbye": any_phrase(r"""
        bye(?: bye| now)?|goodbye|good bye|see (?:you|ya)(?: later| soon)?|take care
        have a (?:nice|good|great) (?:day|one|evening|weekend)|good ?night|farewell
        talk (?:to you )?later|that'?s all(?: for now)?|later
    """),
    "greeting": any_phrase(rf"""
        {HELLO}|how are you(?: doing| today)?|how'?s it going|nice to meet you
    """),
    "thanks": any_phrase(r"""
        thanks?(?: you| u)? for (?:your |the |this |all the )?(?:help|info\w*|answers?)
        thanks?(?: you| u)? for helping(?: me)?|no thanks?(?: you)?
        thanks?(?: you| u)?(?: (?:so|very) much| a lot| a million| again)?
        many thanks|thx|ty|tysm|cheers|much appreciated
        (?:i )?appreciate (?:it|that|your help)
    """),
    "affirmation": any_phrase(r"""
        ok(?:ay|ie)?|k|kk|great|got it|cool|perfect|sounds good|alright|all right|i see
        understood|nice|awesome|good|fine|sure|yes|yeah|yep|yup|makes sense|good to know
        noted|excellent|wonderful|brilliant|fantastic|will do|i understand|oh|ah
        that(?:'?s| is) (?:very )?(?:helpful|great|good|perfect|clear)|(?:very )?helpful
        that help(?:s|ed)|yes please
    """),
}
ANY_SMALLTALK = "(?:" + "|".join(SMALLTALK.values()) + ")"
WHOLE_SMALLTALK = re.compile(rf"{ANY_SMALLTALK}(?: (?:and |so )?{ANY_SMALLTALK})*")
NAMED = "|".join(f"(?P<{name}>{phrases})" for name, phrases in SMALLTALK.items())
SMALLTALK_PARTS = re.compile(rf"\b(?:{NAMED})\b")
# Greetings and thanks open a question even without punctuation ("hi what is FOLFOX").
LEADING = re.compile(
    rf"\s*(?:{HELLO}|{SMALLTALK['thanks']})\b[\s,.;:!-]*"
    rf"|\s*{ANY_SMALLTALK}\s*[,.;:!?-]+\s*",
    re.I,
)
# Small talk closing a message, right after a mark (only those places are tried).
TRAILING = re.compile(rf"\s*{ANY_SMALLTALK}[\s,.;:!]*$", re.I)
MARK = re.compile(r"[,.;:!?]")
NOT_A_WORD = re.compile(r"[^a-z0-9']+")


def triage(message: str, rulebook: Rulebook | None = None) -> Triage:
    """Sort a message into urgent, small talk or a question (urgent wins); the bundled
    rulebook unless another is given."""
    assessment = assess(message, rulebook)
    if assessment.urgency:
        return Triage("urgent", assessment.urgency.category, "", assessment.urgency)
    category = smalltalk_category(message)
    if category:
        return Triage("smalltalk", category, "")
    question = strip_pleasantries(message)
    return Triage("question", "", question, red_flag=assessment.topic)


def warm_up(rulebook: Rulebook | None = None) -> None:
    """Load what triage reads lazily (the rulebook, the ConText triggers, the English
    word frequencies that guard spelling correction), so no patient waits for it."""
    triage("my temprature is 38.5 and i had chemo last week", rulebook)


def smalltalk_category(message: str) -> str:
    """The small-talk category when the whole message is small talk, else ""."""
    text = NOT_A_WORD.sub(" ", message.lower().replace("’", "'")).strip()
    if not text or not WHOLE_SMALLTALK.fullmatch(text):
        return ""
    found = [match.lastgroup for match in SMALLTALK_PARTS.finditer(text)]
    for category in ("identity", "capabilities", "goodbye"):
        if category in found:
            return category
    return found[0] if found else "affirmation"


def strip_pleasantries(message: str) -> str:
    """The message without the greetings, thanks and small talk around its question."""
    text = message.replace("’", "'")
    start, end = 0, len(text)
    while (match := LEADING.match(text, start, end)) and match.end() > start:
        start = match.end()
    while (closing := _closing_small_talk(text, start, end)) is not None:
        end = closing
    return message[start:end].strip(" \t\n,;:-") or message.strip()


def _closing_small_talk(text: str, start: int, end: int) -> int | None:
    """Where small talk closing text[start:end] starts (before `end`): the first place
    right after a mark from which TRAILING matches to the end; None when there is none."""
    for mark in MARK.finditer(text, max(start - 1, 0), end - 1):
        if mark.end() >= start and TRAILING.match(text, mark.end(), end):
            return mark.end()
    return None
