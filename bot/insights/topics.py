"""What Insights may keep of a message: a few topic terms, or its text scrubbed.

Topic terms are ordinary words only: a word of the index's vocabulary, or one common in
general English that is not used as a name in the message. Numbers, e-mail addresses,
rare words (most surnames, identifiers) and stopwords never are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from wordfreq import zipf_frequency

from bot.ingest.tokenization import STOPWORDS

# Zipf 3.0 is once per million words. Plain words of patients' questions are above it
# (chemo 3.3, biopsy 3.3, catheter 3.2, nausea 3.5), and so are common first names and
# surnames (john 5.4, smith 4.9: see NAME_CUES), while most surnames, spelling slips and
# identifiers are below it (pemberton 2.9, kowalski 2.7, siobhan 2.8, anything made up 0).
MIN_ZIPF = 3.0
MIN_CHARS, MAX_CHARS = 3, 30

# The tokenizer's stopwords, and the words it keeps for their meaning that name no topic:
# negations, and the pieces of contractions typed without an apostrophe ("didn").
NOT_TOPICS = STOPWORDS | frozenset(
    """not nor against off out ain aren couldn didn doesn don hadn hasn haven isn mightn
    mustn needn shan shouldn wasn weren won wouldn""".split()
)
# Words of chat rather than of a topic, and pieces of addresses
FILLER = frozenset(
    """hello hey hiya thanks thank thankyou please pls plz okay yes yeah yep nope sorry
    bot chatbot question questions ask asking asked answer answers know knew want wanted
    wants need needs needed tell told help get got getting gets going goes went make
    makes made take taking call could would might must shall may also really actually
    maybe perhaps something anything everything nothing someone anyone everyone thing
    things stuff lot lots much many still even well like sure fine kind sort way say
    said says mean means think thought find near today tomorrow yesterday name names
    named called com org net www http https gmail hotmail yahoo outlook icloud email
    mail tel fax ext""".split()
)
# Words a name follows, lowercase or not; the NAME_REACH words after one are taken as
# a name (a first name and a surname). Whole words ("doctor", "nurse") are no cues, as
# "the nurse said ..." is common, and "Nurse Joy" is caught by its capital letter. A
# word a cue names is still kept when it is in the index: "I'm pregnant" keeps
# "pregnant" only then, the price of "im sarah" keeping no "sarah".
NAME_CUES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "named", "called", "im"})
NAME_CUE_PAIRS = {
    ("name", "is"),
    ("name", "s"),
    ("names", "are"),
    ("i", "am"),
    ("i", "m"),
}
NAME_REACH = 2

_LETTERS = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?\b"
_YEAR = r"(?:\d{4}|'?\d{2})(?![/.\-]?\d)"  # not the 12 of "December 7th, 12/7"
EMAIL = re.compile(r"[\w!#$%&'*+/=?^`{|}~.-]+@[\w-]+(?:\.[\w-]+)*")
DATE = re.compile(
    # Not within a longer run of numbers (000-0-0-00 is a phone number)
    r"(?<!\d)(?<!\d[-/.])\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?![-/.]?\d)"  # 2026-12-07
    r"|(?<!\d)(?<!\d[-/.])\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?![-/.]?\d)"  # 07/12/2026
    r"|(?<![\d/])\d{1,2}/\d{1,2}(?![\d/])"  # 12/7 (and so 1/2: better lost than kept)
    rf"|\b{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?"  # 7 Dec 2026, 7th of December
    rf"|\b{_MONTH}\s*{_DAY}(?:,?\s+{_YEAR})?"  # December 7th, Dec 7, 2026
    rf"|\b{_MONTH},?\s+\d{{4}}\b",  # December 2026
    re.IGNORECASE,
)
# Seven digits or more, each group apart by at most four of space ( ) . - /
PHONE = re.compile(r"(?<!\d)(?:\+\s?)?(?:\(\s?)?\d(?:[ \t().\-/]{0,4}\d){6,}(?!\d)")
# On a tie, the first names the span: 2026-12-07 is a date, though it has 8 digits.
PLACEHOLDERS = ((EMAIL, "[email]"), (DATE, "[date]"), (PHONE, "[phone]"))


def scrub(text: str) -> str:
    """The text with e-mail addresses, dates and phone numbers replaced by placeholders."""
    parts, end = [], 0
    for start, stop, placeholder in _private_spans(text):
        parts += [text[end:start], placeholder]
        end = stop
    return "".join(parts) + text[end:]


def topic_terms(
    words: Iterable[str],
    in_index: Callable[[str], bool],
    limit: int = 3,
    message: str | None = None,
) -> tuple[str, ...]:
    """At most `limit` content words of `words`, lowercase, fit to keep as topic terms.

    `message`, the text the words came from, lets names and the pieces of addresses and
    dates be told apart; without it only the vocabulary keeps names out. (No small,
    maintained package tells names: names-dataset needs 3 GB of memory, wordfreq none.)
    """
    private = _private_words(message) if message else set()
    names = _name_like_words(message) if message else set()
    terms: dict[str, None] = {}
    for word in words:
        if len(terms) >= limit:
            break
        term = unicodedata.normalize("NFKC", word).casefold()
        if not (term.isalpha() and MIN_CHARS <= len(term) <= MAX_CHARS):
            continue
        if term in NOT_TOPICS or term in FILLER or term in private or term in terms:
            continue
        if in_index(term) or (term not in names and _is_common(term)):
            terms[term] = None
    return tuple(terms)


def _is_common(word: str) -> bool:
    """Whether the word is common in general English."""
    return zipf_frequency(word, "en") >= MIN_ZIPF


def _private_words(message: str) -> set[str]:
    """Lowercase words inside the message's e-mail addresses, dates and phone numbers."""
    spans = [message[start:stop] for start, stop, _ in _private_spans(message)]
    return {word.casefold() for span in spans for word in _LETTERS.findall(span)}


def _private_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, placeholder) of what any pattern matched, overlaps made one span.

    A span is named by its earliest, then longest match: in (0)-00-00-00 the phone number
    starts before the date 00-00-00 within it, and all of it goes.
    """
    if "@" not in text and not _DIGIT.search(text):
        return []  # every pattern needs an @ or a digit: most messages have neither
    matches = sorted(
        (match.start(), -match.end(), rank, placeholder)
        for rank, (pattern, placeholder) in enumerate(PLACEHOLDERS)
        for match in pattern.finditer(text)
    )
    spans: list[tuple[int, int, str]] = []
    for start, negative_end, _, placeholder in matches:
        if spans and start < spans[-1][1]:
            first, end, name = spans[-1]
            spans[-1] = (first, max(end, -negative_end), name)
        else:
            spans.append((start, -negative_end, placeholder))
    return spans


def _name_like_words(message: str) -> set[str]:
    """Lowercase words the message uses as names: Capitalised mid-sentence, or cued."""
    matches = list(_LETTERS.finditer(message))
    words = [match.group().casefold() for match in matches]
    names = {
        words[i]
        for i, match in enumerate(matches)
        if match.group()[0].isupper() and not _starts_sentence(message, match.start())
    }
    for i, word in enumerate(words):
        if word in NAME_CUES or (i and (words[i - 1], word) in NAME_CUE_PAIRS):
            names.update(words[i + 1 : i + 1 + NAME_REACH])
    return names


def _starts_sentence(message: str, start: int) -> bool:
    """Whether the word at `start` begins the message, a line or a sentence."""
    before = message[:start].rstrip(" \t\"'(*-")
    return not before or before[-1] in ".!?\n\r"
