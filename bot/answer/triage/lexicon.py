"""A message as triage reads it: words, numbers and sentences, and phrase lists found in it.

Triage compares stems, so "vomit", "vomits", "vomiting" and "vomited" are one word, and a
misspelt word ("bleading", "siezure") is read as the one word of the phrase lists it is
one edit away from, unless it is itself a common English word ("fewer" is not "fever").
Phrases are token sequences of stems, with three wildcards: `{group}` (any phrase of a
named word group, such as `{cant}` for "cant", "cannot", "unable to"), `*` (up to three
words of any kind) and `#` (a number; `#year` a year such as 2019); a word written
`=word` matches that word exactly, not its stem ("=confusing" is not "confused").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from nltk.stem.snowball import SnowballStemmer
from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

SENTENCE_MARKS = frozenset(".!?;\n")
CLAUSE_MARKS = SENTENCE_MARKS | {",", ":", "-"}
# Numbers ("38.6", "38,6"), letters (any script), degree signs and punctuation marks
# (brackets are not: an aside belongs to its clause).
TOKEN = re.compile(r"\d+(?:[.,]\d{1,2}(?!\d))?|[^\W\d_]+|°|[.!?;,:\n-]")
APOSTROPHES = str.maketrans("", "", "'’‘`")
JOINED = re.compile(r"(?<=\w)-(?=\w)")  # "crimean-congo", "well-being": one clause
NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"dozen": 12, "half": 0.5}
MAX_GAP = 3  # the words a `*` may stand for
COMMON_WORD_ZIPF = 3.0  # a word this common in English is never taken for a misspelling
MIN_SPELLED_LENGTH = 5  # shorter words have too many neighbours to correct safely
_stemmer = SnowballStemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A lowercase word's Snowball stem (kept: the same words come again and again)."""
    return _stemmer.stem(word)


class Token(NamedTuple):
    """One word, number or mark of a message (a named tuple: a message makes dozens)."""

    text: str  # lowercase, without apostrophes ("can't" -> "cant")
    stem: str  # the stem of the word meant (a misspelling corrected); marks as they are
    number: float | None  # the value of a number ("38.6", "ten"), else None
    sentence: int  # the sentence's position in the message
    is_mark: bool
    keys: tuple[str, ...] = ()  # what it matches in a phrase: "=word", its stem, "#"


def read_tokens(message: str, speller: Speller | None = None) -> list[Token]:
    """The message's tokens, in order, each knowing its sentence."""
    text = JOINED.sub(" ", message.lower().translate(APOSTROPHES))
    tokens, sentence = [], 0
    for word in TOKEN.findall(text):
        if word in SENTENCE_MARKS:  # marks match no phrase word: no keys
            tokens.append(Token(word, word, None, sentence, True))
            sentence += 1
        elif word in CLAUSE_MARKS:
            tokens.append(Token(word, word, None, sentence, True))
        elif word[0].isdecimal():  # "¹" is a digit but not a number
            value = float(word.replace(",", "."))
            # A year ("in 2019") is told apart from other numbers: `#year` in phrases.
            kind = "#year" if len(word) == 4 and word[:2] in ("19", "20") else "#"
            keys = ("#year", "#") if kind == "#year" else ("#",)
            tokens.append(Token(word, kind, value, sentence, False, keys))
        else:
            word_stem, number, keys = _read_word(word, speller)
            tokens.append(Token(word, word_stem, number, sentence, False, keys))
    return tokens


@lru_cache(maxsize=100_000)  # the same words come again and again
def _read_word(
    word: str, speller: Speller | None
) -> tuple[str, float | None, tuple[str, ...]]:
    """A word's stem (of the word meant, a misspelling corrected), its value as a
    number word, and its keys in phrases: the exact word first (it wins ties)."""
    meant = speller.correct(word) if speller else word
    number = NUMBER_WORDS.get(word)
    keys = ("=" + word, stem(meant)) + (() if number is None else ("#",))
    return keys[1], number, keys


class Speller:
    """Reads a misspelt word as the word of a vocabulary it is one edit away from.

    Only words of at least five letters that are not common English words are corrected,
    and only to a word of the vocabulary (the phrase lists' own words): an edit away from
    "bleeding", "bleading" is corrected; "breeding", a common word, is not.
    """

    def __init__(self, vocabulary: set[str]):
        self.words = {word for word in vocabulary if len(word) >= MIN_SPELLED_LENGTH}
        self.stems = {stem(word) for word in vocabulary}
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.words:
            for variant in {word, *_deletions(word)}:
                self._by_deletion.setdefault(variant, set()).add(word)
        self.correct = lru_cache(maxsize=50_000)(self._correct)

    def _correct(self, word: str) -> str:
        """The vocabulary word meant by `word`, or `word` itself."""
        if (
            len(word) < MIN_SPELLED_LENGTH
            or word in self.words
            or stem(word) in self.stems
            or not word.isalpha()
        ):
            return word
        candidates = set()
        for variant in {word, *_deletions(word)}:
            candidates |= self._by_deletion.get(variant, set())
        # One insertion, deletion, substitution or swap of neighbours away.
        close = sorted(c for c in candidates if OSA.distance(word, c) <= 1)
        if not close or zipf_frequency(word, "en") >= COMMON_WORD_ZIPF:
            return word
        return max(close, key=lambda c: zipf_frequency(c, "en"))


def _deletions(word: str) -> set[str]:
    """The word with one letter left out, each way."""
    return {word[:at] + word[at + 1 :] for at in range(len(word))}


class Match(NamedTuple):
    """A phrase found in a message: tokens [start, end) and what the phrase stands for."""

    start: int
    end: int
    labels: frozenset[str]


class PhraseMatcher:
    """Finds the longest phrase starting at each token, left to right, not overlapping.

    Phrases are kept as a trie of stems; each phrase carries labels (the concept or
    trigger it stands for). A phrase a matched phrase covers is not looked for inside it:
    "blood test" is not "blood".
    """

    def __init__(self, groups: dict[str, list[str]] | None = None):
        self.groups = groups or {}
        self.root: dict = {}
        self.words: set[str] = set()

    def add(self, phrase: str, label: str) -> None:
        """Add one phrase (words, `{group}`, `*`, `#`) standing for `label`."""
        for words in self._expansions(phrase.lower().translate(APOSTROPHES).split()):
            if not words or words[0] == "*":
                raise ValueError(f"phrase {phrase!r} must start with a word or number")
            node = self.root
            for word in words:
                if word in ("*", "#", "#year"):
                    key = word
                elif word.startswith("="):
                    key = word
                    self.words.add(word[1:])
                else:
                    key = stem(word)
                    self.words.add(word)
                node = node.setdefault(key, {})
            node.setdefault("", set()).add(label)

    def _expansions(self, words: list[str]) -> list[list[str]]:
        """Every word sequence a phrase stands for, its groups spelled out."""
        sequences: list[list[str]] = [[]]
        for word in words:
            if word.startswith("{") and word.endswith("}"):
                name = word[1:-1]
                if name not in self.groups:
                    raise ValueError(f"unknown word group {word}")
                options = [option.split() for option in self.groups[name]]
            else:
                options = [[word]]
            sequences = [done + option for done in sequences for option in options]
        return sequences

    def find(
        self,
        tokens: list[Token],
        skip: set[int] = frozenset(),
        wholes: dict[int, int] | None = None,
    ) -> list[Match]:
        """The longest phrase starting at each token, left to right, not overlapping and
        not starting on a token of `skip`; a `*` stands for all of a span of `wholes`
        (start -> end) or none of it."""
        found, at, first_words = [], 0, self.root.keys()
        while at < len(tokens):
            best = None
            # Most tokens start no phrase: only those whose keys the trie's root holds.
            if at not in skip and not first_words.isdisjoint(tokens[at].keys):
                best = self._longest(tokens, at, self.root, wholes or {})
            if best:
                found.append(Match(at, best[0], frozenset(best[1])))
                at = best[0]
            else:
                at += 1
        return found

    def longest(self, tokens: list[Token], at: int) -> tuple[int, set[str]] | None:
        """(end, labels) of the longest phrase starting at tokens[at], or None."""
        return self._longest(tokens, at, self.root, {})

    def _longest(
        self, tokens, at: int, node: dict, wholes: dict[int, int]
    ) -> tuple[int, set[str]] | None:
        """(end, labels) of the longest phrase from `node` matching from tokens[at]."""
        best = (at, node[""]) if "" in node else None
        if at < len(tokens):
            for key in tokens[at].keys:
                if key in node:
                    longer = self._longest(tokens, at + 1, node[key], wholes)
                    if longer and (best is None or longer[0] > best[0]):
                        best = longer
        if "*" in node:  # up to MAX_GAP words, never across a mark nor into a whole
            end = at
            while True:
                cut = any(at <= start < end < stop for start, stop in wholes.items())
                longer = None if cut else self._longest(tokens, end, node["*"], wholes)
                if longer and longer[0] > end and (best is None or longer[0] > best[0]):
                    best = longer
                if end - at == MAX_GAP or end == len(tokens) or tokens[end].is_mark:
                    break
                end += 1
        return best
