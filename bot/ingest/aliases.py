"""Aliases the documents define themselves, learnt when the index is built.

Documents name things two ways in one breath: "pembrolizumab (Keytruda)", "Herceptin®
(trastuzumab)", "high microsatellite instability (MSI-H)", "HER2 (human epidermal growth
factor receptor 2)", "5-fluorouracil (also called 5-FU or fluorouracil)". A patient may use
either name; learning the pairs from the corpus keeps the list right for each clinic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.ingest.tokenization import terms

Alias = tuple[tuple[str, ...], tuple[str, ...]]  # (terms a question has, terms to add)

WORD = r"[A-Za-z0-9][\w\-]*"
PARENTHESIS = re.compile(
    rf"((?:{WORD}[®™]?\s+){{0,6}}{WORD})[®™]?\s+\(([^()]{{2,80}})\)"
)
# "also called" names the word before it; a bare "called" often names a whole phrase
# ("a blockage in the intestine (called a bowel obstruction)"), so it is not trusted.
ALSO_CALLED = re.compile(r"^also\s+(?:called|known\s+as)\s+(.+)$", re.I)
ACRONYM = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z0-9\-]{2,10}$")
COMMON_MIN_PASSAGES = 100  # a side only of words each found in more passages than this
COMMON_SHARE = 0.01  # and in more than this share of them is not a name


def learn_aliases(texts: Iterable[str]) -> list[Alias]:
    """Alias pairs found in the texts, both ways."""
    pairs: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for text in texts:
        for match in PARENTHESIS.finditer(text):
            for left, right in _pairs_in(
                match.group(1).split(), match.group(2).strip()
            ):
                _add_both_ways(pairs, terms(left), terms(right))
    return sorted(pairs)


def without_common_sides(
    aliases: list[Alias], frequency: Callable[[str], int], passage_count: int
) -> list[Alias]:
    """The aliases both of whose sides hold a word that is not all over a large corpus.

    "Hansen disease (also called leprosy)" reads as disease <-> leprosy: a name is rare,
    so an alias of "disease" is a misreading, and searching it would only add noise (and
    the longest posting lists). A small clinic corpus keeps all its aliases.
    `frequency` gives a term's number of passages.
    """
    limit = max(COMMON_MIN_PASSAGES, COMMON_SHARE * passage_count)

    def common(side: tuple[str, ...]) -> bool:
        return all(frequency(term) > limit for term in side)

    return [
        (asked, added)
        for asked, added in aliases
        if not (common(asked) or common(added))
    ]


def _pairs_in(before: list[str], inside: str) -> list[tuple[str, str]]:
    """The name pairs one 'words (inside)' match states, if any."""
    called = ALSO_CALLED.match(inside)
    if called:
        names = re.split(r",\s*|\s+or\s+", called.group(1))
        return [(before[-1], name) for name in names if name and len(name.split()) <= 4]
    if ACRONYM.match(inside):
        expansion = _expansion_for(inside, before)
        return [(expansion, inside)] if expansion else []
    if len(before) >= 1 and ACRONYM.match(before[-1]) and len(inside.split()) > 1:
        if _initials_fit(before[-1], inside.split()):
            return [(before[-1], inside)]
        return []
    if len(inside.split()) == 1 and _is_brand_pair(before[-1], inside):
        return [(before[-1], inside)]
    return []


def _expansion_for(acronym: str, before: list[str]) -> str:
    """The words before '(ACRONYM)' whose initials spell it: 'mismatch repair deficiency'."""
    letters = {c.lower() for c in acronym if c.isalpha()}
    taken: list[str] = []
    for word in reversed(before):
        if word[0].lower() not in letters or len(taken) >= len(letters):
            break
        taken.insert(0, word)
    return " ".join(taken) if len(taken) >= 2 else ""


def _initials_fit(acronym: str, words: list[str]) -> bool:
    letters = {c.lower() for c in acronym if c.isalnum()}
    return sum(1 for w in words if w[0].lower() in letters) >= max(2, len(words) - 2)


def _is_brand_pair(left: str, inside: str) -> bool:
    """'capecitabine (Xeloda)' or 'Herceptin (trastuzumab)': one capitalized, one not."""
    if not (left.isalpha() and inside.isalpha()) or min(len(left), len(inside)) < 5:
        return False
    return left[0].isupper() != inside[0].isupper()


def _add_both_ways(pairs: set, left: list[str], right: list[str]) -> None:
    if left and right and left != right:
        pairs.add((tuple(left), tuple(right)))
        pairs.add((tuple(right), tuple(left)))
