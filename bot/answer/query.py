"""Question -> the weighted terms to search: what a patient means, in the documents' words.

Each step is explainable:
- words that carry no subject ("hi", "thanks", "wondering") are dropped, and so are who
  told the patient or did something and the verb ("the onc said", "the biopsy report
  says", "the onc tested");
- pieces written apart are joined when the corpus writes them as one ("5 FU" -> 5-FU,
  "MSI H" -> MSI-H), and a word the corpus never uses is corrected to the closest index
  term ("chemoterapy" -> chemotherapy);
- lay words are searched in the documents' words too ("small bowel" -> small intestine,
  from synonyms.py), the documents' words weighing more;
- names the corpus defines add their other name ("Keytruda" -> pembrolizumab), see
  aliases.py and retrieval.py for how they count;
- every word weighs by how informative it is in general English too (wordfreq): in the
  search a little, and when coverage decides whether the documents answer, fully
  ("actually", "time" weigh nearly nothing, "pancreatic" all its idf), and a lay phrase
  for a subject the documents lack as the word it stands for ("keep working");
- what kind of answer is asked is read too: the word whose meaning is asked ("what
  does recurrent mean"), a quantity ("how long", "how many").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot.answer.informativeness import EVERYDAY_FLOOR, english_informativeness
from bot.answer.speller import correct_spelling
from bot.answer.synonyms import (
    BEFORE_TELLING,
    CARE_TEAM_ROLES,
    CHATTER,
    DECIDING_VERBS,
    GENERIC_WORDS,
    LAY_SYNONYMS,
    REPORTED_TESTS,
    REPORTING_VERBS,
    REPORTS,
    TELLING_VERBS,
    TREATMENT_IN_GENERAL,
    TREATMENT_KINDS,
)
from bot.answer.vocabulary import ALIAS_WEIGHT, lay_pairs, lay_terms, synonyms_asked
from bot.index import Index
from bot.index.bm25 import K1
from bot.ingest.tokenization import TEXTING, normalize, terms, tokenize, words

# "What is HER2?", "What does MSI-H mean?": the answer names the thing both ways.
DEFINITION_WORDS = re.compile(  # searched in the lowercased question
    r"\b(?:mean|means|meaning|stand for|stands for|define|definition"
    r"|(?:is|was|it|that|this|thats|whats) called|(?:name|word|term) for)\b"
)
# "whats" too, and with a word of filler ("what even is", "what exactly are")
WHAT_IS = re.compile(
    r"^\W*what(?:\s+(?:even|exactly|actually|really))?(\s+is|\s+are|['’]?s)\b", re.I
)
# "What's the medical term for it?", "what does it stand for", "the onc used that word":
# the word asked for is what the answer gives, not a subject the answer must hold.
NAMING = re.compile(
    r"\b(name|word|term|stand)s? for\b|\b(?:that|this|the) (word|term)\b"
)
MAX_DEFINITION_TERMS = 3
# The words whose meaning is asked: "what does X (actually) mean", "meaning of X", "X
# meaning", "what do they mean by X", "what does it mean when they say X" (searched in
# the lowercased question).
MEANING_ASKED = re.compile(
    r"\bwhat (?:does|do|did) (.+?) (?:actually |even |exactly |really )?"
    r"(?=mean\b|stand for\b)|\bmeaning of (.+?)(?:[?.!,]|$)|(\S+(?: \S+)?) meaning\b(?! of)"
    r"|\bmeans? (?:by|when (?:they|you|he|she|the \S+) (?:says?|said|call)) (.+?)(?:[?.!,]|$)"
)
# "How long", "how often", "what are the chances": the answer is a measure (a duration,
# a frequency, a share); "how many": a count, which a list gives too. Only a passage that
# states one answers (retrieval.states_quantity).
ASKS_COUNT = re.compile(r"\bhow many\b")
ASKS_MEASURE = re.compile(
    r"\bhow (?:long|often|soon|frequently)\b"
    r"|\bwhat (?:percent|percentage|proportion)\b|\brates?\b|%|\b\d+ ?-?(?:year|yr) surviv"
    r"|\bwhat(?:s|'s|’s| is| are)? (?:the |their |his |her |my |our )?(?:chances?|odds)\b"
)
Pair = tuple[tuple[str, ...], tuple[str, ...]]  # (terms asked, terms added)
# What a second occurrence of a term adds in BM25, as a share of the first:
# tf (k1 + 1) / (tf + k1) at tf = 2 over tf = 1, length left aside (0.43 at k1 = 1.5).
SECOND_WAY_SHARE = 2 * (K1 + 1) / (2 + K1) - 1


@dataclass(frozen=True)
class Query:
    """The terms searched for one question, with their weights and where they came from."""

    own_terms: tuple[str, ...]  # the question's terms: chatter dropped, spelling fixed
    weights: dict[str, float]  # own terms and synonyms' terms -> weight
    asks_definition: bool = False
    # The terms whose meaning is asked (MEANING_ASKED), and the quantity asked: "count"
    # (ASKS_COUNT), "measure" (ASKS_MEASURE) or "".
    meaning_asked: tuple[str, ...] = ()
    asks_quantity: str = ""
    synonyms: tuple[Pair, ...] = ()  # lay words asked -> the documents' words added
    aliases: tuple[tuple[tuple[str, ...], dict[str, float]], ...] = ()  # asked -> added
    # A lay phrase's second way of saying it counts in full only where its first is
    # missing: (the first way's terms, the second way's terms -> the rest of their weight).
    second_ways: tuple[tuple[tuple[str, ...], dict[str, float]], ...] = ()
    # The care team asked about ("will the onc know") -> the roles the documents name:
    # any of them answers for the others ("Talk to your doctor"); coverage only.
    care_team: tuple[Pair, ...] = ()
    # The terms naming a kind of treatment ("chemo"), answered in the decision (not the
    # ranking) by a passage on treatment in general: see answered_terms.
    treatment_kinds: tuple[str, ...] = ()
    corrections: dict[str, str] = field(default_factory=dict)  # misspelt -> index term
    vague_terms: frozenset[str] = frozenset()  # everyday words the corpus never uses
    words: dict[str, str] = field(default_factory=dict)  # own term -> the word typed
    # Each own term's Index.idf, in the question's order (coverage weighs with it).
    idf: dict[str, float] = field(default_factory=dict)
    # Worked out from the fields above when the query is made (every search uses them):
    # the idf of the own terms that say what the question is about (vague ones left
    # out), in the question's order: the weight that coverage shares out; its sum; and
    # the (terms asked, terms added) of the synonyms and aliases searched.
    subject_idf: dict[str, float] = field(init=False, repr=False, compare=False)
    subject_weight: float = field(init=False, repr=False, compare=False)
    other_names: tuple[tuple[tuple[str, ...], Collection[str]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        subject_idf = {t: w for t, w in self.idf.items() if t not in self.vague_terms}
        object.__setattr__(self, "subject_idf", subject_idf)  # frozen: set once, here
        object.__setattr__(self, "subject_weight", sum(subject_idf.values()))
        other_names = (*self.synonyms, *self.aliases, *self.care_team)
        object.__setattr__(self, "other_names", other_names)

    def counted_where_missing(
        self,
    ) -> list[tuple[tuple[str, ...], dict[str, float]]]:
        """Added terms that count only in passages holding none of some others, as
        (those others, {added term: weight}): an alias where the name asked is missing
        (any passage for a definition question, whose answer names it both ways), and
        the rest of a lay phrase's second way where its first is missing."""
        aliases = [
            (() if self.asks_definition else asked, added)
            for asked, added in self.aliases
        ]
        return [*aliases, *self.second_ways]

    def covered_terms(self, matched: frozenset[str]) -> set[str]:
        """The question's own terms a passage answers, directly or by another name."""
        covered = {term for term in self.own_terms if term in matched}
        for asked, added in self.other_names:
            if not matched.isdisjoint(added):
                covered.update(asked)
        return covered

    def answered_terms(self, matched: frozenset[str]) -> set[str]:
        """The question's own terms a passage answers when deciding whether the
        documents answer at all: those it covers, and a kind of treatment asked where it
        speaks of treatment in general."""
        covered = self.covered_terms(matched)
        general = index_terms(TREATMENT_IN_GENERAL)
        if self.treatment_kinds and not matched.isdisjoint(general):
            covered.update(self.treatment_kinds)
        return covered


@lru_cache(maxsize=8)
def index_terms(words: frozenset[str]) -> frozenset[str]:
    """The index terms of one of synonyms.py's word lists (worked out once each)."""
    return frozenset({normalize(word) for word in words} - {None})


def _second_ways(
    synonyms: list, weights: dict[str, float], own: set[str]
) -> tuple[tuple[tuple[str, ...], dict[str, float]], ...]:
    """One lay phrase is one subject, however many ways the documents say it.

    "live longer" is searched as "survival" and as "prolong life"; a passage that says
    "prolong survival" would score the subject twice and outrank one that says "extend
    survival". So, as Lucene's SynonymQuery scores a word and its synonyms as one term,
    a second way adds to a passage holding the first only what a second occurrence of
    one term adds in BM25 (SECOND_WAY_SHARE), and its full weight where the first is
    missing. Its weight in `weights` is lowered to that share; the rest is returned as
    (the first way's terms, {term: weight}), to count only where those are missing."""
    first_ways: dict[tuple[str, ...], tuple[str, ...]] = {}
    lowered: set[str] = set()
    seconds = []
    for asked, added, _, _ in dict.fromkeys(synonyms):  # a pair may come twice
        first = first_ways.setdefault(asked, added)
        # A word asked, or the first way of some phrase, keeps its full weight.
        kept = own | lowered | {t for way in first_ways.values() for t in way}
        moved = {t: weights[t] for t in added if t not in kept}
        if first != added and moved:
            for term, weight in moved.items():
                weights[term] = weight * SECOND_WAY_SHARE
                moved[term] = weight - weights[term]
            lowered.update(moved)
            seconds.append((first, moved))
    return tuple(seconds)


def _care_team(index: Index, own: list[str]) -> tuple[Pair, ...]:
    """The question's care-team roles and the others the documents name: who a patient
    talks to is one subject, whatever the word ("onc", "gi doc", "physician")."""
    roles = index_terms(CARE_TEAM_ROLES)
    asked = tuple(t for t in dict.fromkeys(own) if t in roles)
    if not asked:
        return ()
    named = tuple(t for t in sorted(roles) if t in index.vocabulary and t not in asked)
    return ((asked, named),) if named else ()


def understand(index: Index, question: str) -> Query:
    """The weighted terms to search for a question."""
    own, corrections, own_words, joined, said = _own_terms(index, question)
    # An everyday word counts for less in the search too ("what does it actually mean").
    weights = {
        term: EVERYDAY_FLOOR
        + (1 - EVERYDAY_FLOOR) * english_informativeness(own_words[term], term)
        for term in own
    }
    asked_terms, own_weights = set(own), dict(weights)
    # A lay phrase may hold a word that alone says nothing ("get ready", "feel better"):
    # it is matched on every word typed, and weighs by its own words that count.
    synonyms = [
        pair for pair in synonyms_asked(said) if asked_terms.intersection(pair[0])
    ]
    for asked, added, asked_weight, added_weight in synonyms:
        if not any(term in index.vocabulary for term in asked):
            added_weight = 1.0  # the corpus never uses the word asked: search its word
        # As much as the words asked.
        scale = max(own_weights[term] for term in asked if term in own_weights)
        for term in asked:
            if term in weights:
                weights[term] = min(weights[term], asked_weight * scale)
        for term in added:
            weight = added_weight * scale * min(1.0, len(asked) / len(added))
            weights[term] = max(weights.get(term, 0.0), weight)
    second_ways = _second_ways(synonyms, weights, set(own))
    aliases = []
    for term in dict.fromkeys(own):
        for asked, added in index.aliases.get(term, []):
            if asked_terms.issuperset(asked):
                # A long expansion ("NTRK" -> four words) weighs no more than the name asked.
                weight = ALIAS_WEIGHT * min(1.0, len(asked) / len(added))
                aliases.append((asked, {t: weight for t in added if t not in weights}))
    asks_definition = bool(DEFINITION_WORDS.search(question.lower())) or (
        bool(WHAT_IS.match(question)) and len(own) <= MAX_DEFINITION_TERMS
    )
    pairs = tuple((asked, added) for asked, added, _, _ in synonyms)
    # By the word, not its stem: "expect" is generic, "expectancy" is not. A generic
    # word the vocabulary gives the documents' word for ("decide" -> depends on) is asked.
    naming = {
        normalize(word)
        for found in NAMING.findall(question.lower())
        for word in found
        if word
    }
    vague = frozenset(
        t
        for t in own
        if t in naming
        or (
            t not in index.vocabulary
            and own_words[t] in GENERIC_WORDS
            and not any(
                t in asked and any(a in index.vocabulary for a in added)
                for asked, added, _, _ in synonyms
            )
        )
    )
    return Query(
        own_terms=tuple(own),
        weights=weights,
        asks_definition=asks_definition,
        meaning_asked=_meaning_asked(question.lower(), own),
        asks_quantity=_quantity_asked(question.lower()),
        synonyms=pairs,
        aliases=tuple(aliases),
        second_ways=second_ways,
        care_team=_care_team(index, own),
        treatment_kinds=tuple(
            t for t in dict.fromkeys(own) if t in index_terms(TREATMENT_KINDS)
        ),
        corrections=corrections,
        vague_terms=vague,
        idf=_weights(index, own, own_words, pairs, joined),
        words=own_words,
    )


def _meaning_asked(question: str, own: list[str]) -> tuple[str, ...]:
    """The question's own terms whose meaning it asks ("what does recurrent mean")."""
    if "mean" not in question and "stand for" not in question:
        return ()  # what every wording asks holds one or the other
    said = [
        term
        for match in MEANING_ASKED.finditer(question)
        for term in terms(next(group for group in match.groups() if group))
    ]
    return tuple(t for t in dict.fromkeys(said) if t in own)


def _quantity_asked(question: str) -> str:
    """The quantity the question asks for: "count", "measure" or "" (ASKS_COUNT,
    ASKS_MEASURE)."""
    if ASKS_MEASURE.search(question):
        return "measure"
    return "count" if ASKS_COUNT.search(question) else ""


def _weights(
    index: Index,
    own: list[str],
    own_words: dict[str, str],
    synonyms: tuple[Pair, ...],
    joined: frozenset[str],
) -> dict[str, float]:
    """Each own term's weight for coverage (`_weight`); a word with another name weighs
    no more than the documents' words it stands for ("chemo" as chemotherapy, "bowel" as
    intestine: a rare word in the documents is not a rare subject); pieces joined ("HER2
    positive" -> her2positive) weigh nothing more than their words already do."""
    weights = {
        term: 0.0 if term in joined else _weight(index, term, own_words[term])
        for term in own
    }
    unsaid: dict[tuple[str, ...], float] = {}  # lay words -> an absent word's weight
    said = set()  # lay words the documents have a word for, or not lay words at all
    for asked, added in synonyms:
        meant = [_weight(index, t, t) for t in added if t in index.vocabulary]
        for term in asked:
            if meant and term in weights:
                weights[term] = min(weights[term], max(meant))
        if meant or (asked, added) not in lay_pairs():
            said.add(asked)
        else:
            absent = max(_weight(index, t, t) for t in added)
            unsaid[asked] = max(unsaid.get(asked, 0.0), absent)
    # A subject the documents have no word for weighs as that word, shared by the words
    # asked: "keep working" weighs as "employment", however everyday its words.
    for asked, absent in unsaid.items():
        for term in asked:
            if term in weights and asked not in said:
                weights[term] = max(weights[term], absent / len(asked))
    return weights


def _weight(index: Index, term: str, word: str) -> float:
    """What a question's term weighs when coverage is judged: its idf in the index (for
    a word the index lacks, the rarest word's), scaled by how informative the word is in
    general English ("actually", "time" nearly nothing, "pancreatic" all of it)."""
    return index.idf(term) * english_informativeness(word, term)


def with_context_terms(query: Query, context_terms: list[str], weight: float) -> Query:
    """The query with the previous question's topic added: "What about surgery?" after a
    question on small intestine cancer searches surgery for small intestine cancer.

    The added terms are not the question's own, so they never count towards coverage.
    """
    weights = dict(query.weights)
    for term in context_terms:
        weights.setdefault(term, weight)
    return replace(query, weights=weights)


def _own_terms(
    index: Index, question: str
) -> tuple[list[str], dict[str, str], dict[str, str], frozenset[str], set[str]]:
    """The question's terms without chatter, joined pieces added, misspellings corrected;
    the corrections; the word each term was read from; the joined pieces; and every
    term typed, chatter too (what lay phrases are matched on)."""
    found = words(question)
    tokens = tokenize(question, found)
    speakers = _speakers(found)
    content = [
        t
        for t in tokens
        if t.start not in speakers
        and not _is_chatter(question[t.start : t.end].lower())
    ]
    content = content or tokens
    own, corrections, lay, own_words = [], {}, lay_terms(), {}
    for token in content:
        term = token.term
        if term not in index.vocabulary and term not in lay:
            corrected = correct_spelling(index, term)
            if corrected:
                corrections[term] = corrected
                term = corrected
        own.append(term)
        typed = question[token.start : token.end].lower()
        own_words.setdefault(term, TEXTING.get(typed, typed))  # "ppl" weighs as people
    joined = set()
    for term, word in _joined_pieces(index, question, found):
        if term not in own:
            own.append(term)
            own_words[term] = word
            joined.add(term)
    return (
        own,
        corrections,
        own_words,
        frozenset(joined),
        {*own, *(t.term for t in tokens)},
    )


def _speakers(found: list[tuple[str, int, int]]) -> set[int]:
    """Where a word of the care team, or a report, tells or decides something ("the onc
    said", "surgeon told us", "the biopsy report says") or did something ("the onc
    tested"): the starts of the teller's and the verb's words, which say who spoke or
    acted, not what is asked."""
    speakers = set()
    for i, (word, start, _) in enumerate(found):
        is_report = word.lower() in REPORTS or word.lower() in REPORTED_TESTS
        if word.lower() not in CARE_TEAM_ROLES and not is_report:
            continue
        following = [(w.lower(), w_start) for w, w_start, _ in found[i + 1 : i + 3]]
        if following and following[0][0] in BEFORE_TELLING:  # "onc keeps saying"
            following = following[1:]
        if is_report:
            if following and following[0][0] in REPORT_TELLING:
                speakers.update((start, following[0][1]))  # "the ct showed"
                if i and found[i - 1][0].lower() in REPORTED_TESTS:
                    speakers.add(found[i - 1][1])  # "the biopsy report says"
        elif following and following[0][0] in DECIDING_VERBS:
            speakers.add(start)  # "how does the onc pick": the picking is asked
        elif following and (  # a past tense is a report too: "the onc tested"
            following[0][0] in TELLING_VERBS or following[0][0].endswith("ed")
        ):
            speakers.update((start, following[0][1]))  # "onc mentioned": not asked
            if i and (found[i - 1][0].lower(), word.lower()) in _named_roles():
                speakers.add(found[i - 1][1])  # "gi doc said": the whole name
    return speakers


REPORT_TELLING = TELLING_VERBS | REPORTING_VERBS  # "the report says", "the ct showed"


@lru_cache(maxsize=1)
def _named_roles() -> frozenset[tuple[str, str]]:
    """The care team's two-word names in the vocabulary ("gi doc", "oncology doc")."""
    names = (tuple(lay.split()) for lay, *_ in LAY_SYNONYMS)
    return frozenset(n for n in names if len(n) == 2 and n[1] in CARE_TEAM_ROLES)


def _is_chatter(word: str) -> bool:
    """A word that says nothing of what is asked, or its possessive ("my dads")."""
    return word in CHATTER or (word.endswith("s") and word[:-1] in CHATTER)


def _joined_pieces(
    index: Index, question: str, found: list[tuple[str, int, int]]
) -> list[tuple[str, str]]:
    """Index terms made of two neighbouring words (`found`: the question's words), with
    the word they make: "5 FU" -> 5fu, "HER 2" -> her2."""
    joined = []
    for (left, _, left_end), (right, right_start, _) in zip(
        found, found[1:], strict=False
    ):
        if question[left_end:right_start] in (" ", "-"):
            word = (left + right).lower()
            term = normalize(word)
            if term and term in index.vocabulary:
                joined.append((term, word))
    return joined
