"""Our posting-list BM25Plus returns exactly rank_bm25's scores for the same tokens."""

import json
from itertools import islice

import numpy as np
import pytest
from rank_bm25 import BM25Plus

from bot import bm25
from bot.passages import split_into_passages
from bot.readers.faq import entry_document
from bot.tokenization import terms

from .conftest import read_jsonl, shared_eval_file


def field_of(tokenized: list[list[str]], weight: float = 1.0):
    vocabulary: dict[str, int] = {}
    ids = [
        np.array([vocabulary.setdefault(t, len(vocabulary)) for t in tokens], dtype=np.int64)
        for tokens in tokenized
    ]
    return bm25.build_field(ids, len(vocabulary), weight), vocabulary


def assert_same_scores(tokenized: list[list[str]], questions: list[str]) -> None:
    field, vocabulary = field_of(tokenized)
    reference = BM25Plus(tokenized, k1=bm25.K1, b=bm25.B, delta=bm25.DELTA)
    for question in questions:
        query = terms(question)
        ours = bm25.score([field], [vocabulary[t] for t in query if t in vocabulary], len(tokenized))
        np.testing.assert_allclose(ours, reference.get_scores(query), rtol=0, atol=1e-6)


def test_scores_equal_rank_bm25_on_the_bundled_corpus(index):
    tokenized = [terms(passage.text) for passage in index.passages]
    questions = [
        "What is FOLFOX?",
        "cancer treatment",
        "cancer cancer chemotherapy",
        "Is Herceptin used for stomach cancer?",
        "words the corpus never uses",
    ]
    assert_same_scores(tokenized, questions)


def test_scores_equal_rank_bm25_on_a_medquad_sample():
    path = shared_eval_file("medquad/corpus.jsonl")
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in islice(handle, 2000)]
    passages = [p for row in rows for p in split_into_passages(entry_document(row))]
    tokenized = [terms(p.section + " " + p.text) for p in passages]
    questions = [q["question"] for q in read_jsonl(shared_eval_file("medquad/dev_questions.jsonl"))]
    assert_same_scores(tokenized, questions)


def test_a_word_in_most_passages_still_counts_a_little():
    # BM25Okapi would give "cancer" (in 3 of 4 passages) a floor weight; BM25Plus keeps
    # its idf positive and below that of rarer words.
    field, vocabulary = field_of(
        [["cancer", "surgery"], ["cancer", "chemo"], ["cancer"], ["diet"]]
    )
    idf = {term: field.idf[term_id] for term, term_id in vocabulary.items()}
    assert 0 < idf["cancer"] < idf["surgery"] == idf["chemo"] == idf["diet"]


@pytest.mark.parametrize("query", [[], ["unknown"]])
def test_a_query_without_known_terms_scores_every_passage_zero(query):
    field, vocabulary = field_of([["a", "b"], ["c"]])
    scores = bm25.score([field], [vocabulary[t] for t in query if t in vocabulary], 2)
    assert scores.tolist() == [0.0, 0.0]
