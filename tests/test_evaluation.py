import math

import pytest

from bot.evaluation import evaluate, parse_qrels, top1_grade

QRELS = parse_qrels(["q1 0 a 3", "q1 0 b 1", "q1 0 c 0", "q2 0 x 2"])


def test_qrels_are_read_in_trec_format():
    assert QRELS == {"q1": {"a": 3, "b": 1, "c": 0}, "q2": {"x": 2}}


def test_a_perfect_ranking_scores_one():
    scores = evaluate({"q1": ["a", "b"], "q2": ["x"]}, QRELS)
    assert scores == {"MRR@10": 1.0, "nDCG@10": 1.0, "Recall@10": 1.0, "MAP@10": 1.0}


def test_a_late_relevant_document_scores_by_its_rank():
    scores = evaluate({"q2": ["n1", "n2", "x"]}, {"q2": {"x": 2}})
    assert scores["MRR@10"] == pytest.approx(1 / 3)
    assert scores["nDCG@10"] == pytest.approx(1 / math.log2(4))
    assert scores["MAP@10"] == pytest.approx(1 / 3)


def test_grade_zero_is_not_relevant():
    assert evaluate({"q1": ["c"]}, QRELS)["MRR@10"] == 0.0


def test_the_top1_grade_is_the_first_documents_grade():
    assert top1_grade(["b", "a"], QRELS["q1"]) == 1
    assert top1_grade([], QRELS["q1"]) == 0


def test_a_malformed_qrels_line_names_its_number():
    with pytest.raises(ValueError, match="line 2"):
        parse_qrels(["q1 0 a 1", "q1 a 1"])
