"""Question -> the weighted terms to search: what a patient means, in the documents' words.

Three steps, each explainable: words that carry no subject ("hi", "thanks", "wondering")
are dropped; a word the corpus never uses is corrected to the closest index term
("chemoterapy" -> chemotherapy); and aliases add the other names of what was asked
("Keytruda" -> pembrolizumab, "small bowel" -> small intestine), at a lower weight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .index import Index
from .synonyms import CHATTER
from .tokenization import tokenize

ALIAS_WEIGHT = 0.5  # an added name counts half as much as the patient's own word
MIN_CORRECTABLE_CHARS = 4
# "What is HER2?", "What does MSI-H mean?", "define dMMR": the answer is the passage that
# names the thing both ways, so there an alias adds to a passage that has the asked name.
DEFINITION_WORDS = re.compile(r"\b(mean|means|meaning|stand for|stands for|define|definition)\b", re.I)
WHAT_IS = re.compile(r"^\W*what(\s+is|\s+are|'s)\b", re.I)
MAX_DEFINITION_TERMS = 3


@dataclass(frozen=True)
class Query:
    """The terms searched for one question, with their weights and where they came from."""

    own_terms: tuple[str, ...]  # the question's own terms, chatter dropped, spelling fixed
    weights: dict[str, float]  # every term searched -> its weight
    asks_definition: bool = False
    aliases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # (asked, added)
    corrections: dict[str, str] = field(default_factory=dict)  # misspelt -> index term

    def covered_terms(self, matched: frozenset[str]) -> set[str]:
        """The question's own terms a passage answers, directly or through an alias."""
        covered = {term for term in self.own_terms if term in matched}
        for asked, added in self.aliases:
            if matched.intersection(added):
                covered.update(asked)
        return covered


def understand(index: Index, question: str) -> Query:
    """The weighted terms to search for a question."""
    tokens = tokenize(question)
    content = [t for t in tokens if question[t.start : t.end].lower() not in CHATTER]
    own, corrections = [], {}
    for token in content or tokens:
        term = token.term
        if term not in index.vocabulary:
            corrected = correct_spelling(index, term)
            if corrected:
                corrections[term] = corrected
                term = corrected
        own.append(term)
    weights = {term: 1.0 for term in own}
    aliases = []
    own_set = set(own)
    for term in dict.fromkeys(own):
        for asked, added in index.aliases.get(term, []):
            if own_set.issuperset(asked):
                aliases.append((asked, added))
                # A long expansion ("NTRK" -> four words) weighs no more than the name asked.
                weight = ALIAS_WEIGHT * min(1.0, len(asked) / len(added))
                for extra in added:
                    weights.setdefault(extra, weight)
    asks_definition = bool(DEFINITION_WORDS.search(question)) or (
        bool(WHAT_IS.match(question)) and len(own) <= MAX_DEFINITION_TERMS
    )
    return Query(tuple(own), weights, asks_definition, tuple(aliases), corrections)


def correct_spelling(index: Index, term: str) -> str | None:
    """The index term closest in spelling to an unknown one, or None when none is close.

    One edit is allowed in short words and two in long ones; among equally close terms
    the commonest wins.
    """
    if len(term) < MIN_CORRECTABLE_CHARS or not term.isalpha():
        return None
    allowed = 1 if len(term) <= 6 else 2
    candidates = process.extract(
        term, index.terms, scorer=Levenshtein.distance, score_cutoff=allowed, limit=20
    )
    if not candidates:
        return None
    frequency = index.document_frequency
    _, _, best = min(
        candidates, key=lambda c: (c[1], -int(frequency[c[2]]) if c[2] < len(frequency) else 0)
    )
    return index.terms[best]
