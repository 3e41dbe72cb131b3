"""Question + context -> ranked hits; decides `answer`, `clarify` or `no_answer`.

Decisions, in order:
- no_answer: the best passage must cover enough of the question's weight (the idf of its
  terms, scaled by how informative each is in English). Sharing one common word
  ("treatment") with a passage is not an answer. When the best-scoring passage does not
  cover enough, one scoring nearly as well that does is answered from.
- no_answer too: a question asking how long, how often, how many or what the chances
  are, when the best passage states no number, duration or list.
- follow-up: a question that does not pick one document by itself (it fits the previous
  reply's document about as well as any other) is answered from that document.
- clarify: with no context, a question that fits two documents equally well, on the same
  terms, gets a question back naming them, unless it asks what something is or means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.answer.conversation import Conversation
from bot.answer.query import Query, understand, with_context_terms
from bot.answer.ranking import coverage, defines, search
from bot.answer.topic import topic_as_written, topic_words
from bot.index import Index
from bot.ingest.tokenization import terms
from bot.models import Hit

MIN_COVERAGE = 0.7  # share of the question's idf weight the best passage must answer
LONG_QUESTION_TERMS = 6  # past this many subject terms, a question is a story too
LONG_STEP = 0.03  # the share asked less for each term past it
COVERAGE_FLOOR = 0.55  # the least share asked of any question
# A second or third passage is shown when it scores at least this share of the first.
NEARLY_AS_WELL = 0.75
# A document whose best passage scores this many times the next document's wins outright;
# below that, the previous reply's document is preferred, or, with none, we ask which.
CLEAR_WIN = 1.6
MAX_CLARIFY_CHOICES = 3
CONTEXT_WEIGHT = 0.5  # the previous question's topic, added to a follow-up
MAX_TOPIC_TERMS = 4
MAX_FOLLOW_UP_TERMS = 4  # a longer question stands on its own
BARE_FOLLOW_UP_TERMS = (
    2  # "which drugs?": this short, it leans on the previous question
)
FOLLOW_UP_CUE = re.compile(
    r"^\W*(and|what about|how about|what else|also|then|so)\b"
    r"|\b(it|its|they|them|their|this|that|these|those|he|she|his|her)\b",
    re.I,
)
# What answers a question asking for a measure: a unit of time, dose or share (after a
# number or not: "5 years", "every week"), or a number word. A number alone is too often
# part of a name ("receptor 2", "stage 4", "5-FU") to count. A count is given by a list too.
MEASURE = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred"
    r"|half|twice|times|percent|daily|weekly|monthly|hours?|days?|weeks?|months?"
    r"|years?|mg|ml)\b|\d\s*%",
    re.I,
)
LIST_ITEM = re.compile(r"^\s*(?:[•*–-]|\d+[.)])\s", re.M)
MORE = re.compile(
    r"^\W*(tell me more|more|more please|go on|continue|anything else|what else)\W*$",
    re.I,
)


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for a question, and what the next question should know."""

    kind: str  # answer | clarify | no_answer
    hits: tuple[Hit, ...] = ()
    is_exhausted: bool = False  # "tell me more" when nothing more is left
    topic: str = ""  # the question's words that the best passage matched
    suggestions: tuple[str, ...] = ()
    state: Conversation = Conversation()  # goes into the reply's context


def retrieve(
    index: Index, question: str, state: Conversation, top_k: int = 3
) -> Retrieval:
    """Answer, clarify or no_answer for a question, leaning on the previous reply's state
    (the document it answered from and its topic, or, after a clarify, the question
    asked and the documents offered)."""
    if state.choices:
        chosen = _chosen_document(index, question, state)
        if chosen:
            return _answer_in_document(index, state.pending_question, chosen, top_k)
    if MORE.match(question) and state.document_id and state.topic_terms:
        return _more_from_document(index, state, top_k)
    query = understand(index, question)
    if state.topic_terms and _is_follow_up(question, query):
        query = with_context_terms(query, state.topic_terms, CONTEXT_WEIGHT)
    hits = _in_named_documents(query, search(index, query, top_k=max(30, top_k * 10)))
    best = _best_answering(query, hits)
    if best is None or not states_quantity(query.asks_quantity, best.passage.text):
        return Retrieval(kind="no_answer", state=state.continued())
    hits = [best, *(hit for hit in hits if hit is not best)]
    best_by_document = _best_hit_per_document(hits)
    contenders = [
        hit
        for hit in best_by_document
        if hit.score * CLEAR_WIN > best_by_document[0].score
    ]
    is_open = len(contenders) > 1  # no document wins outright
    previous = state.document_id
    if is_open and previous in {hit.passage.document_id for hit in contenders}:
        hits = [hit for hit in hits if hit.passage.document_id == previous]
    elif (
        is_open
        and not query.asks_definition  # what a thing is does not depend on the document
        and _cover_the_same(query, contenders[:2])
    ):
        return _clarify(contenders, question)
    return _answer(index, query, question, _answering(query, hits[:top_k]))


def _best_answering(query: Query, hits: list[Hit]) -> Hit | None:
    """The best-scoring hit that answers enough of the question, among those scoring
    nearly as well as the best (NEARLY_AS_WELL), or None: "who settles whether an
    operation is possible" is answered by "this will depend on your health", though a
    passage naming the surgeon more often scores a little higher."""
    needed = min_coverage(query)
    for hit in hits:
        if hit.score < NEARLY_AS_WELL * hits[0].score:
            break
        if coverage(query, hit) >= needed:
            return hit
    return None


def states_quantity(asked: str, text: str) -> bool:
    """Whether the text states the quantity asked ("count", "measure"), or none is asked."""
    if asked == "count" and LIST_ITEM.search(text):
        return True
    return not asked or MEASURE.search(text) is not None


def _answering(query: Query, top: list[Hit]) -> list[Hit]:
    """The best passage, and the next ones only when they answer nearly as well: a
    patient reads what answers, not three passages whatever they hold. Asked what a word
    means, when the best passage defines it, only passages defining it."""
    answering = [hit for hit in top if hit.score >= NEARLY_AS_WELL * top[0].score]
    asked = set(query.meaning_asked)
    if asked and defines(top[0].passage.text, asked):
        return [hit for hit in answering if defines(hit.passage.text, asked)]
    return answering


def min_coverage(query: Query) -> float:
    """The share of its weight a question's best passage must answer: MIN_COVERAGE, less
    a little for each subject term past LONG_QUESTION_TERMS, down to COVERAGE_FLOOR. A
    long message tells a story around its question ("my husbands ... came back after
    surgery and chemo last yr, what does recurrent mean"), whose words no passage holds.
    """
    beyond = max(0, len(query.subject_idf) - LONG_QUESTION_TERMS)
    return max(COVERAGE_FLOOR, MIN_COVERAGE - LONG_STEP * beyond)


def _in_named_documents(query: Query, hits: list[Hit]) -> list[Hit]:
    """A question that names what some documents are about, in words of their titles
    that the other documents' titles lack ("stomach", "small bowel" for small intestine),
    is answered from those documents."""
    titles = {}
    for hit in hits:
        if hit.passage.document_id not in titles:
            titles[hit.passage.document_id] = _title_terms(hit.passage.title)
    if len(titles) < 2:
        return hits
    shared = frozenset.intersection(*titles.values())
    asked = set(query.own_terms) | {t for _, added in query.synonyms for t in added}
    naming = {doc for doc, words in titles.items() if (words - shared) & asked}
    if not naming or len(naming) == len(titles):
        return hits
    return [hit for hit in hits if hit.passage.document_id in naming]


@lru_cache(maxsize=4096)  # the same documents answer question after question
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(terms(title))


def _answer(index: Index, query: Query, question: str, top: list[Hit]) -> Retrieval:
    matched = query.covered_terms(top[0].matched_terms)
    # Rarest first, then alphabetical: the same question always gives the same context.
    ranked = sorted(matched, key=lambda term: (-query.idf.get(term, 0.0), term))
    topic_terms = ranked[:MAX_TOPIC_TERMS]
    return Retrieval(
        kind="answer",
        hits=tuple(top),
        topic=topic_as_written(query, topic_words(question), top[0]),
        state=Conversation(
            document_id=top[0].passage.document_id,
            topic_terms=tuple(topic_terms),
            shown=tuple(hit.passage.passage_id for hit in top),
            topic_words=_words_of(query, topic_terms),
        ),
    )


def _words_of(query: Query, topic_terms: list[str]) -> tuple[str, ...]:
    """The words typed that the topic terms were read from, lowercased, once each."""
    return tuple(dict.fromkeys(query.words[t] for t in topic_terms if t in query.words))


def _answer_in_document(
    index: Index, question: str, document_id: str, top_k: int
) -> Retrieval:
    """The pending question of a clarify, answered from the document the visitor chose."""
    query = understand(index, question)
    hits = [
        hit
        for hit in search(index, query, top_k=100)
        if hit.passage.document_id == document_id
    ]
    if not hits:
        return Retrieval(kind="no_answer")
    return _answer(index, query, question, hits[:top_k])


def _more_from_document(index: Index, state: Conversation, top_k: int) -> Retrieval:
    """'Tell me more': the next best passages on the same topic in the same document."""
    query = with_context_terms(understand(index, ""), state.topic_terms, 1.0)
    hits = [
        hit
        for hit in search(index, query, top_k=100)
        if hit.passage.document_id == state.document_id
        and hit.passage.passage_id not in state.shown
    ]
    if not hits:
        return Retrieval(kind="no_answer", is_exhausted=True, state=state.continued())
    top = hits[:top_k]
    return Retrieval(
        kind="answer",
        hits=tuple(top),
        state=replace(
            state.continued(),
            shown=(*state.shown, *(hit.passage.passage_id for hit in top)),
        ),
    )


def _is_follow_up(question: str, query: Query) -> bool:
    """A short question that leans on the previous one: "What about surgery?", "Is it
    safe?", or just a word or two ("which drugs?")."""
    subject = set(query.own_terms)
    return len(subject) <= BARE_FOLLOW_UP_TERMS or (
        len(subject) <= MAX_FOLLOW_UP_TERMS
        and FOLLOW_UP_CUE.search(question) is not None
    )


def _chosen_document(index: Index, message: str, state: Conversation) -> str | None:
    """After a clarify, the offered document whose title the message names, if any."""
    said = set(understand(index, message).weights)
    best, best_overlap = None, 0
    for document_id, title in state.choices:
        overlap = len(said & set(terms(title)))
        if overlap > best_overlap:
            best, best_overlap = document_id, overlap
    return best


def _clarify(best_by_document: list[Hit], question: str) -> Retrieval:
    choices = best_by_document[:MAX_CLARIFY_CHOICES]
    return Retrieval(
        kind="clarify",
        suggestions=tuple(hit.passage.title for hit in choices),
        state=Conversation(
            pending_question=question,
            choices=tuple(
                (hit.passage.document_id, hit.passage.title) for hit in choices
            ),
        ),
    )


def _cover_the_same(query: Query, hits: list[Hit]) -> bool:
    """True when the passages answer the same terms of the question (nothing tells them apart)."""
    return len({frozenset(query.covered_terms(hit.matched_terms)) for hit in hits}) == 1


def _best_hit_per_document(hits: list[Hit]) -> list[Hit]:
    best: dict[str, Hit] = {}
    for hit in hits:
        best.setdefault(hit.passage.document_id, hit)
    return list(best.values())
