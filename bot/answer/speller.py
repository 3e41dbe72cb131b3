"""Spelling correction against the index's own terms: the query stage's speller.

Each loaded index gets one `Speller`, made on its first unknown word and dropped with
the index; it keeps what it worked out (terms by length, corrections found) for the
next question.
"""

from __future__ import annotations

import weakref

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from bot.index import Index

MAX_REMEMBERED_CORRECTIONS = 100_000
MIN_CORRECTABLE_CHARS = 5  # shorter words are real words more often than typos
MIN_PREFIX_CHARS = 4  # a name cut shorter than this could begin too many
CUT_SHORT_MAX_ZIPF = 2.5  # a word this common in English is meant as itself

_spellers: weakref.WeakKeyDictionary[Index, Speller] = weakref.WeakKeyDictionary()


def correct_spelling(index: Index, term: str) -> str | None:
    """The index term closest in spelling to an unknown one, or None when none is close.

    One edit is allowed in short words and two in long ones; among equally close terms
    the commonest wins. Only terms of a length within the edits allowed can be that
    close, so only those are compared; each answer is kept for the next question.
    """
    speller = _spellers.get(index)
    if speller is None:
        speller = _spellers[index] = Speller(index)
    return speller.correct(term)


class Speller:
    """The corrections of one index's unknown words, worked out once each."""

    def __init__(self, index: Index):
        self.index = index
        self.terms = tuple(index.vocabulary)  # by term id
        self.corrections: dict[str, str | None] = {}
        self._lengths = np.fromiter(map(len, self.terms), np.int32, len(self.terms))
        self._by_length: dict[tuple[int, int], tuple[list[str], list[int]]] = {}

    def correct(self, term: str) -> str | None:
        """The index term meant by an unknown one, or None (remembered either way)."""
        known = self.corrections
        if term not in known:
            if len(known) >= MAX_REMEMBERED_CORRECTIONS:
                known.clear()
            known[term] = self._closest_term(term)
        return known[term]

    def terms_of_length(
        self, shortest: int, longest: int
    ) -> tuple[list[str], list[int]]:
        """The terms whose length is within the bounds, and their ids, in id order."""
        key = (shortest, longest)
        if key not in self._by_length:
            lengths = self._lengths
            ids = np.flatnonzero((lengths >= shortest) & (lengths <= longest)).tolist()
            self._by_length[key] = ([self.terms[i] for i in ids], ids)
        return self._by_length[key]

    def _closest_term(self, term: str) -> str | None:
        if len(term) < MIN_PREFIX_CHARS or not term.isalpha():
            return None
        if len(term) < MIN_CORRECTABLE_CHARS:
            return self._completed(term)
        allowed = 1 if len(term) <= 8 else 2
        terms_near, ids = self.terms_of_length(len(term) - allowed, len(term) + allowed)
        candidates = process.extract(
            term,
            terms_near,
            scorer=Levenshtein.distance,
            score_cutoff=allowed,
            limit=20,
        )
        if not candidates:
            return self._completed(term)
        frequency = self.index.document_frequency
        _, _, best = min(candidates, key=lambda c: (c[1], -int(frequency[ids[c[2]]])))
        return terms_near[best]

    def _completed(self, term: str) -> str | None:
        """The index term a name cut short stands for ("pembro" -> pembrolizumab,
        "trastu" -> trastuzumab): the commonest index term it begins, when it is no
        English word."""
        if zipf_frequency(term, "en") >= CUT_SHORT_MAX_ZIPF:
            return None
        vocabulary = self.index.vocabulary
        longer = [t for t in vocabulary if t.startswith(term) and len(t) > len(term)]
        if not longer:
            return None
        frequency = self.index.document_frequency
        return max(longer, key=lambda t: (int(frequency[vocabulary[t]]), t))
