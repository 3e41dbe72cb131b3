"""Retrieval quality in one table: seed questions at top-1, and MedQuAD dev metrics.

Reads ../shared/eval (never copied into the repo). Builds the MedQuAD index once into
bench/out/ (rebuilt when the corpus or the indexing code changes). Run: `make eval`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer import documents_for, passages_for  # noqa: E402
from bot.evaluation import evaluate, parse_qrels, top1_grade  # noqa: E402
from bot.index import build_index, ensure_fresh_index, load_index  # noqa: E402
from bot.ingest.tokenization import terms  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
OUT = ROOT / "bench" / "out"


def read_jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


def seed_pass_rate() -> tuple[int, int, list[str]]:
    """How many seed questions get a passage with an expected phrase first."""
    index_dir = OUT / "seed-index"
    build_index(ROOT / "corpus", index_dir)
    index = load_index(index_dir)
    cases = read_jsonl(SHARED / "seed_questions.jsonl")
    failed = []
    for case in cases:
        hits = passages_for(index, case["question"], top_k=1)
        text = hits[0].passage.text.lower() if hits else ""
        if not any(p.lower() in text for p in case["top1_contains_any"]):
            failed.append(case["question"])
    return len(cases) - len(failed), len(cases), failed


def medquad_figures(rank) -> dict[str, float]:
    """nDCG, MRR, MAP, Recall at 10 and avgScore, with the ranking function's time per query."""
    questions = read_jsonl(SHARED / "medquad" / "dev_questions.jsonl")
    qrels = parse_qrels((SHARED / "medquad" / "dev_qrels.txt").read_text().splitlines())
    ranked, times = {}, []
    for question in questions:
        started = time.perf_counter()
        ranked[question["qid"]] = rank(question["question"])
        times.append((time.perf_counter() - started) * 1000)
    figures = evaluate(ranked, qrels)
    judged = [qid for qid in ranked if qid in qrels]
    figures["avgScore"] = statistics.mean(
        top1_grade(ranked[q], qrels[q]) for q in judged
    )
    figures["ms/query"] = statistics.median(times)
    return figures


def bot_ranking():
    index_dir = OUT / "medquad-index"
    ensure_fresh_index(SHARED / "medquad" / "corpus.jsonl", index_dir)
    index = load_index(index_dir)
    return lambda question: [doc for doc, _ in documents_for(index, question)]


def reference_ranking():
    """The README's reference: rank_bm25's BM25Okapi over question + answer as one text."""
    from rank_bm25 import BM25Okapi

    rows = read_jsonl(SHARED / "medquad" / "corpus.jsonl")
    model = BM25Okapi([terms(row["question"] + " " + row["answer"]) for row in rows])
    ids = [row["id"] for row in rows]

    def rank(question: str) -> list[str]:
        scores = model.get_scores(terms(question))
        return [ids[i] for i in scores.argsort()[::-1][:10]]

    return rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the slow baseline"
    )
    args = parser.parse_args()
    passed, total, failed = seed_pass_rate()
    rows = [("bot", medquad_figures(bot_ranking()))]
    if not args.no_reference:
        rows.insert(
            0, ("reference BM25Okapi q+a", medquad_figures(reference_ranking()))
        )
    print(f"seed questions right at top-1: {passed}/{total}")
    for question in failed:
        print(f"  failed: {question}")
    names = ["nDCG@10", "MRR@10", "MAP@10", "Recall@10", "avgScore", "ms/query"]
    print("| MedQuAD dev (52 questions) | " + " | ".join(names) + " |")
    print("| --- " * (len(names) + 1) + "|")
    for label, figures in rows:
        print(f"| {label} | " + " | ".join(f"{figures[n]:.3f}" for n in names) + " |")


if __name__ == "__main__":
    main()
