"""Our posting-list BM25Plus returns exactly rank_bm25's scores for the same tokens."""

import json
import random
from itertools import islice

import numpy as np
import pytest
from rank_bm25 import BM25Plus

from bot.answer.query import understand, with_context_terms
from bot.answer.ranking import _coverage_factors, best_passages
from bot.index import bm25, build_index, load_index, scoring
from bot.ingest.passages import split_into_passages
from bot.ingest.readers.faq import entry_document
from bot.ingest.tokenization import terms

from .conftest import read_jsonl, shared_eval_file
from .oracles import bm25_scores, contains, coverage_factor, score


def field_of(tokenized: list[list[str]], weight: float = 1.0):
    vocabulary: dict[str, int] = {}
    ids = [
        np.array(
            [vocabulary.setdefault(t, len(vocabulary)) for t in tokens], dtype=np.int64
        )
        for tokens in tokenized
    ]
    return bm25.build_field(ids, len(vocabulary), weight), vocabulary


def assert_same_scores(tokenized: list[list[str]], questions: list[str]) -> None:
    field, vocabulary = field_of(tokenized)
    reference = BM25Plus(tokenized, k1=bm25.K1, b=bm25.B, delta=bm25.DELTA)
    for question in questions:
        query = terms(question)
        ours = score(
            [field], [vocabulary[t] for t in query if t in vocabulary], len(tokenized)
        )
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
    questions = [
        q["question"]
        for q in read_jsonl(shared_eval_file("medquad/dev_questions.jsonl"))
    ]
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
    scores = score([field], [vocabulary[t] for t in query if t in vocabulary], 2)
    assert scores.tolist() == [0.0, 0.0]


# The search path: only the query's postings, the reference's scores to the bit.


@pytest.fixture(scope="module")
def medquad_sample_index(tmp_path_factory):
    """An index of the first 3,000 MedQuAD entries."""
    path = shared_eval_file("medquad/corpus.jsonl")
    folder = tmp_path_factory.mktemp("medquad-sample")
    with path.open(encoding="utf-8") as handle:
        (folder / "faq.jsonl").write_text("".join(islice(handle, 3000)), "utf-8")
    build_index(folder / "faq.jsonl", folder / "index")
    return load_index(folder / "index")


def sample_questions(index) -> list[str]:
    """Real questions, plus random sets of index terms with repeats and aliases' names."""
    asked = [
        q["question"] for q in read_jsonl(shared_eval_file("seed_questions.jsonl"))
    ]
    asked += [
        q["question"]
        for q in read_jsonl(shared_eval_file("medquad/dev_questions.jsonl"))
    ]
    asked += ["What is Keytruda?", "what does dMMR mean", "cancer", "words never used"]
    rng = random.Random(7)
    vocabulary = list(index.vocabulary) + list(index.aliases)
    asked += [" ".join(rng.sample(vocabulary, rng.randint(1, 8))) for _ in range(40)]
    return asked


def reference_best(index, query, count):
    """The best passages by the dense reference, ties to the lower id."""
    scores = bm25_scores(index, query)
    ids = np.flatnonzero(scores > 0)
    ids = ids[np.lexsort((ids, -scores[ids]))][:count]
    return ids, scores[ids]


@pytest.mark.parametrize("which", ["bundled", "medquad"])
def test_best_passages_are_the_references_best_to_the_bit(
    which, index, medquad_sample_index
):
    chosen = index if which == "bundled" else medquad_sample_index
    for question in sample_questions(chosen):
        query = understand(chosen, question)
        for count in (1, 50):
            found = best_passages(chosen, query, count)
            expected_ids, expected_scores = reference_best(chosen, query, count)
            assert found.ids.tolist() == expected_ids.tolist(), question
            assert found.scores.tolist() == expected_scores.tolist(), question


def test_each_best_passage_knows_which_marked_terms_it_holds(medquad_sample_index):
    """Found.held against a plain check of every field, also past 64 marked terms."""
    index = medquad_sample_index
    rng = random.Random(3)
    questions = [
        *sample_questions(index)[:30],
        " ".join(rng.sample(list(index.vocabulary), 90)),
    ]
    for question in questions:
        query = understand(index, question)
        marked = {
            index.vocabulary[t]: t for t in query.weights if t in index.vocabulary
        }
        found = best_passages(index, query, 50, marked)
        for passage, held in zip(found.ids.tolist(), found.held, strict=True):
            expected = {
                term
                for term_id, term in marked.items()
                if any(contains(f, term_id, passage) for f in index.fields.values())
            }
            assert held == expected, question
    assert len(marked) > 64


@pytest.mark.parametrize("which", ["bundled", "medquad"])
def test_the_rerank_factors_from_bits_equal_those_from_sets(
    which, index, medquad_sample_index
):
    """The rerank's integer shortcut gives the very floats of the set-based rule, with
    synonyms, aliases, misspellings and a follow-up's context terms (the None case)."""
    chosen = index if which == "bundled" else medquad_sample_index
    questions = [
        *sample_questions(chosen),
        "small bowel cancer",
        "chemoterapy for HER 2",
    ]
    judged = nones = 0
    for question in questions:
        for query in (
            understand(chosen, question),
            with_context_terms(understand(chosen, question), ["surgeri"], 0.5),
        ):
            searched = [*query.weights, *(t for _, a in query.aliases for t in a)]
            marked = {
                chosen.vocabulary[t]: t for t in searched if t in chosen.vocabulary
            }
            found = best_passages(chosen, query, 50, marked)
            factors = _coverage_factors(query, list(marked.values()), found.held_bits)
            for held, bits in zip(found.held, found.held_bits, strict=True):
                assert factors[bits] == coverage_factor(query, held), question
                judged += 1
                nones += factors[bits] is None
    assert judged > 1000 and nones > 0


def test_a_buffer_left_dirty_by_an_error_is_not_reused(index, monkeypatch):
    query = understand(index, "What is FOLFOX?")
    expected = best_passages(index, query, 5)

    def interrupted(*args):
        sheet = args[-4:]  # values, extra, touched, extra_touched
        sheet[0][:] = 1.0  # as if a search stopped half-way through adding
        raise RuntimeError("interrupted")

    monkeypatch.setattr(scoring, "_search", interrupted)
    with pytest.raises(RuntimeError):
        best_passages(index, query, 5)
    monkeypatch.undo()
    again = best_passages(index, query, 5)
    assert again.ids.tolist() == expected.ids.tolist()
    assert again.scores.tolist() == expected.scores.tolist()
