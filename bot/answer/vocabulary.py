"""The curated vocabulary as search pairs: each lay word or other name a question may
use, and the documents' words it adds, with their weights."""

from __future__ import annotations

from functools import lru_cache

from bot.answer.synonyms import EQUIVALENT_GROUPS, LAY_SYNONYMS
from bot.ingest.tokenization import terms

ALIAS_WEIGHT = 0.5  # another name the corpus gives counts half as much as the one asked
LAY_WEIGHT = 0.5  # a lay word counts half as much as the documents' word for it
# (terms asked, terms added, weight of the asked terms, weight of the added terms)
Synonym = tuple[tuple[str, ...], tuple[str, ...], float, float]


@lru_cache(maxsize=1)
def synonym_pairs() -> tuple[Synonym, ...]:
    """The curated synonyms as (asked, added, asked weight, added weight)."""
    pairs: list[Synonym] = []
    for group in EQUIVALENT_GROUPS:
        for phrase in group:
            pairs.extend(
                (terms(phrase), terms(other), 1.0, ALIAS_WEIGHT)
                for other in group
                if terms(other) != terms(phrase)
            )
    for lay, *documents_words in LAY_SYNONYMS:
        pairs.extend(
            (terms(lay), terms(phrase), LAY_WEIGHT, 1.0)
            for phrase in documents_words
            if terms(phrase) != terms(lay)
        )
    return tuple((tuple(a), tuple(b), wa, wb) for a, b, wa, wb in pairs if a and b)


def synonyms_asked(asked_terms: set[str]) -> list[Synonym]:
    """The synonym pairs all of whose asked terms the question holds, in table order."""
    pairs, by_first_term = synonym_pairs(), _synonym_numbers_by_first_term()
    numbers = sorted(n for term in asked_terms for n in by_first_term.get(term, ()))
    return [pairs[n] for n in numbers if asked_terms.issuperset(pairs[n][0])]


@lru_cache(maxsize=1)
def _synonym_numbers_by_first_term() -> dict[str, tuple[int, ...]]:
    """The numbers of the synonym pairs, by their first asked term: a question is
    checked against the few pairs its terms start, not against the whole table."""
    numbers: dict[str, list[int]] = {}
    for number, (asked, *_) in enumerate(synonym_pairs()):
        numbers.setdefault(asked[0], []).append(number)
    return {term: tuple(found) for term, found in numbers.items()}


@lru_cache(maxsize=1)
def lay_pairs() -> frozenset[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The (asked, added) terms of the lay phrases: a patient's words, the documents'."""
    return frozenset(
        (tuple(terms(lay)), tuple(terms(phrase)))
        for lay, *documents_words in LAY_SYNONYMS
        for phrase in documents_words
    )


@lru_cache(maxsize=1)
def lay_terms() -> frozenset[str]:
    """Every term of a lay phrase: never 'corrected' into another word."""
    return frozenset(term for asked, *_ in synonym_pairs() for term in asked)
