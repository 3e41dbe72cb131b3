"""A loaded index: the passages and, per BM25 field, each term's posting list."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.index import bm25, scoring
from bot.index.passage_store import PassageStore
from bot.ingest.aliases import Alias


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Index:
    """A loaded index: the passages, their terms' posting lists per field, and the manifest."""

    passages: PassageStore  # a sequence of Passage, each built on access
    vocabulary: dict[str, int]
    fields: dict[str, bm25.FieldScores]
    sections: Mapping[str, list[str]]  # document_id -> its section headings, in order
    aliases: dict[str, list[Alias]]  # first term of an alias -> the aliases it starts
    manifest: dict

    @cached_property
    def document_frequency(self) -> np.ndarray:
        """How many passages hold each term in their text, by term id."""
        return np.diff(self.fields["text"].indptr)

    @cached_property
    def postings(self) -> scoring.Postings:
        """The fields as the compiled search reads them."""
        return scoring.Postings.of(list(self.fields.values()), len(self.passages))

    @cached_property
    def highest_idf(self) -> np.ndarray:
        """Each term's highest idf over the fields, by term id (see `idf`)."""
        return np.maximum.reduce([field.idf for field in self.fields.values()])

    def idf(self, term: str) -> float:
        """The term's highest idf over the fields; a term the corpus lacks counts as the
        rarest: what a question's term weighs when coverage is judged (ranking.py)."""
        term_id = self.vocabulary.get(term)
        if term_id is None:
            return math.log(len(self.passages) + 1)
        return float(self.highest_idf[term_id])

    def warm_up(self) -> None:
        """Compile (or load from numba's cache) the scoring kernel for this index's
        fields now, not on a patient's first question."""
        scoring.warm_up(len(self.fields))
