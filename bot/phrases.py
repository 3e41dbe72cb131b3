"""Word-bounded phrase alternations, searched with only the phrases a text can hold.

Python's regex engine tries every alternative of `\\b(?:one|two|...)\\b` at every word of
a text: with the dozens of emergency phrases in urgency.py, that was an eighth of the
work of answering a question, and almost every question holds none of them. Each
alternative needs some words to be present ("chest", "bleeding"), worked out once from
its parsed regex. Before a search, an alternative whose words are missing from the text
is left out, and the alternatives left are searched as one alternation in their order:
an alternative that cannot match anywhere changes no match, so every match is the one
the full alternation finds (tests compare the two).

Texts are lowercase words and the marks .!?; split by single spaces (urgency.py's
`_urgent_text`): a word that a phrase needs whole is then one of `text.split()`.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from re import _constants as sre  # the parsed form `re` itself compiles from
from re import _parser as sre_parser

REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
WORD = re.compile(r"[a-z0-9]+")
SHORTEST_PART = 3  # a part of a word shorter than this is in almost every text


class Phrases:
    """`\\b(?:alternatives)\\b` for a `(?:...)` group of alternatives, over texts of
    space-separated words. `narrowed(text)` is a pattern that finds in `text` what the
    whole alternation finds, made of only the alternatives the text can hold."""

    def __init__(self, group: str):
        if not (group.startswith("(?:") and group.endswith(")")):
            raise ValueError("phrases must be one (?:...) group")
        self.group = group
        self.alternatives = tuple(top_level_alternatives(group[3:-1]))
        # Per alternative, what it cannot match without: one of some whole words (looked
        # up in the text's words) or else one of some strings (looked for in the text).
        self._by_word: dict[str, list[int]] = {}
        self._by_string: list[tuple[str, int]] = []
        for number, alternative in enumerate(self.alternatives):
            kind, needed = _key(alternative)
            for string in sorted(needed):
                if kind == "words":
                    self._by_word.setdefault(string, []).append(number)
                else:
                    self._by_string.append((string, number))
        self._words = frozenset(self._by_word)  # a set: intersecting walks the smaller

    def narrowed(self, text: str, words: set[str] | None = None) -> re.Pattern | None:
        """The alternation of the alternatives `text` can hold, None when there are none.

        `words`: `set(text.split())`, when the caller narrows several phrase sets for
        one text.
        """
        words = set(text.split()) if words is None else words
        kept = {number for string, number in self._by_string if string in text}
        for word in words.intersection(self._words):
            kept.update(self._by_word[word])
        if not kept:
            return None
        if len(kept) == len(self.alternatives):
            return self.pattern
        return self._compiled(tuple(sorted(kept)))

    @cached_property
    def pattern(self) -> re.Pattern:
        """The whole alternation (compiled when first needed: most texts need a few)."""
        return re.compile(rf"\b{self.group}\b")

    @lru_cache(maxsize=1024)  # noqa: B019 (phrase sets live as long as the program)
    def _compiled(self, kept: tuple[int, ...]) -> re.Pattern:
        return re.compile(rf"\b(?:{'|'.join(self.alternatives[i] for i in kept)})\b")


def top_level_alternatives(source: str) -> list[str]:
    """A regex split at its `|` outside groups and character classes."""
    parts, depth, start, at, in_class = [], 0, 0, 0, False
    while at < len(source):
        char = source[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            at += 2 if source[at + 1 : at + 2] == "]" else 1  # "[]...]" holds a "]"
            continue
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(source[start:at])
            start = at + 1
        at += 1
    return [*parts, source[start:]]


def _key(alternative: str) -> tuple[str, frozenset[str]]:
    """("words", W): every match holds one of the words W whole; or ("strings", S):
    every match holds one of the strings S. The rarer-looking of what the regex gives."""
    parsed = sre_parser.parse(alternative)
    if parsed.state.flags & re.IGNORECASE:
        raise ValueError(f"case-insensitive phrases are not narrowed: {alternative!r}")
    needed = _needed(list(parsed), True, True)  # the alternation's \b on either side
    if not needed:
        raise ValueError(f"nothing narrows {alternative!r}")
    return max(needed, key=_selectivity)


def _selectivity(need: tuple[str, frozenset[str]]) -> tuple[bool, int, int]:
    """Whole words of four letters or more first (a set lookup, rarely all present),
    then the longest strings (a search each)."""
    kind, strings = need
    shortest = min(map(len, strings))
    return kind == "words" and shortest >= 4, shortest, -len(strings)


def _needed(items: list, starts_word: bool, ends_word: bool) -> list:
    """("words" | "strings", set) pairs: every match of the parsed items holds one of the
    set's words whole, or one of its strings. `starts_word`, `ends_word`: whether a word
    boundary is known to come before and after the items."""
    items = [*items, (None, None)]  # the sentinel ends the last run
    needed, run, run_starts_word = [], "", starts_word
    for at, (op, value) in enumerate(items):
        if op is sre.LITERAL:
            run += chr(value)
            continue
        needed += _literal_needs(run, run_starts_word, _bounds(items, at, ends_word))
        run = ""
        run_starts_word = op is sre.AT and value is sre.AT_BOUNDARY
        before = _bounds(items, at - 1, starts_word)
        after = _bounds(items, at + 1, ends_word)
        if op is sre.SUBPATTERN:
            if value[1] & re.IGNORECASE:
                raise ValueError("case-insensitive phrases are not narrowed")
            needed += _needed(list(value[-1]), before, after)
        elif op in REPEATS and value[0] >= 1:
            needed += _needed(list(value[2]), False, False)
        elif op is sre.BRANCH:
            needed += _branch_needs([_needed(list(b), before, after) for b in value[1]])
    return needed


def _bounds(items: list, at: int, at_the_ends: bool) -> bool:
    """Whether items[at], next to an item, bounds a word there: a space, a \\b, or the
    end of the items (`at_the_ends`: whether a word boundary is known there)."""
    if at < 0 or at >= len(items) or items[at][0] is None:
        return at_the_ends
    op, value = items[at]
    return (op is sre.LITERAL and value == ord(" ")) or (
        op is sre.AT and value is sre.AT_BOUNDARY
    )


def _literal_needs(run: str, starts_word: bool, ends_word: bool) -> list:
    """What a run of literal characters needs: its whole words (those between spaces,
    or at an end known to be a word boundary) and, failing those, itself."""
    pieces = run.split(" ")
    whole = [
        piece
        for at, piece in enumerate(pieces)
        if WORD.fullmatch(piece)
        and (at > 0 or starts_word)
        and (at < len(pieces) - 1 or ends_word)
    ]
    needs = [("words", frozenset([word])) for word in whole]
    if len(run.strip()) >= SHORTEST_PART:
        needs.append(("strings", frozenset([run])))
    return needs


def _branch_needs(per_branch: list[list]) -> list:
    """A group of branches needs, of each kind, one of the branches' best needs."""
    needs = []
    for kind in ("words", "strings"):
        best = []
        for branch in per_branch:
            # A whole word is a string too.
            choices = [need for need in branch if kind in (need[0], "strings")]
            if not choices:
                break
            best.append(max(choices, key=_selectivity)[1])
        else:
            needs.append((kind, frozenset().union(*best)))
    return needs
