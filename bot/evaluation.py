"""Retrieval metrics at 10: MRR, nDCG (graded), Recall and MAP (relevant = grade >= 1)."""

from __future__ import annotations

import math

CUTOFF = 10
Qrels = dict[str, dict[str, int]]  # qid -> document_id -> grade


def parse_qrels(lines) -> Qrels:
    """TREC qrels lines `qid 0 document_id grade` -> grades by question."""
    qrels: Qrels = {}
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise ValueError(f"qrels line {number}: expected 'qid 0 document_id grade'")
        qid, _, document_id, grade = parts
        qrels.setdefault(qid, {})[document_id] = int(grade)
    return qrels


def evaluate(ranked: dict[str, list[str]], qrels: Qrels) -> dict[str, float]:
    """Mean metrics over the judged questions; `ranked` maps qid -> document ids, best first."""
    judged = [qid for qid in ranked if qid in qrels]
    if not judged:
        return {"MRR@10": 0.0, "nDCG@10": 0.0, "Recall@10": 0.0, "MAP@10": 0.0}
    totals = {"MRR@10": 0.0, "nDCG@10": 0.0, "Recall@10": 0.0, "MAP@10": 0.0}
    for qid in judged:
        grades = qrels[qid]
        top = ranked[qid][:CUTOFF]
        totals["MRR@10"] += reciprocal_rank(top, grades)
        totals["nDCG@10"] += ndcg(top, grades)
        totals["Recall@10"] += recall(top, grades)
        totals["MAP@10"] += average_precision(top, grades)
    return {name: value / len(judged) for name, value in totals.items()}


def reciprocal_rank(top: list[str], grades: dict[str, int]) -> float:
    """1 / rank of the first relevant document, 0 when none is in the list."""
    for rank, document_id in enumerate(top, start=1):
        if grades.get(document_id, 0) >= 1:
            return 1.0 / rank
    return 0.0


def ndcg(top: list[str], grades: dict[str, int]) -> float:
    """Normalized discounted cumulative gain with the graded judgements as gains."""
    gains = [grades.get(document_id, 0) for document_id in top]
    ideal = sorted(grades.values(), reverse=True)[:CUTOFF]
    best = _dcg(ideal)
    return _dcg(gains) / best if best > 0 else 0.0


def recall(top: list[str], grades: dict[str, int]) -> float:
    """Share of the relevant documents found in the list."""
    relevant = {document_id for document_id, grade in grades.items() if grade >= 1}
    return len(relevant & set(top)) / len(relevant) if relevant else 0.0


def average_precision(top: list[str], grades: dict[str, int]) -> float:
    """Mean precision at each relevant document's rank, over min(relevant, 10)."""
    relevant = sum(1 for grade in grades.values() if grade >= 1)
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for rank, document_id in enumerate(top, start=1):
        if grades.get(document_id, 0) >= 1:
            found += 1
            total += found / rank
    return total / min(relevant, CUTOFF)


def top1_grade(top: list[str], grades: dict[str, int]) -> int:
    """The grade of the first document (0..3), LiveQA's avgScore per question."""
    return grades.get(top[0], 0) if top else 0


def _dcg(gains: list[int]) -> float:
    return sum(
        (2**gain - 1) / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1)
    )
