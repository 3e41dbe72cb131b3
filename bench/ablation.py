"""What each step of query understanding buys on MedQuAD dev, added one at a time.

Run after `make eval` has built bench/out/medquad-index: `.venv/bin/python bench/ablation.py`.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot.answer.query as query  # noqa: E402
import bot.answer.ranking as ranking  # noqa: E402
from bench.evaluate import OUT, medquad_figures  # noqa: E402
from bot.answer import documents_for  # noqa: E402
from bot.index import load_index  # noqa: E402

STEPS = [
    "text field only, question words as typed",
    "+ section (FAQ question) and title fields",
    "+ chatter dropped",
    "+ spelling corrected",
    "+ pieces joined, synonyms, learnt aliases",
    "+ coverage rerank (the bot)",
]


def configure(index, step: int):
    """The index and module switches for the first `step` steps."""
    weights = {"text": 1.0, "section": 0.0, "title": 0.0} if step < 1 else None
    if weights:
        fields = {
            n: dataclasses.replace(f, weight=weights[n])
            for n, f in index.fields.items()
        }
        index = dataclasses.replace(index, fields=fields)
    query.CHATTER = ORIGINAL["chatter"] if step >= 2 else frozenset()
    query.correct_spelling = ORIGINAL["spelling"] if step >= 3 else (lambda *_: None)
    query.synonyms_asked = ORIGINAL["synonyms"] if step >= 4 else (lambda _: [])
    query._joined_pieces = ORIGINAL["joined"] if step >= 4 else (lambda *_: [])
    if step < 4:
        index = dataclasses.replace(index, aliases={})
    ranking.COVERAGE_PULL = ORIGINAL["pull"] if step >= 5 else 0.0
    return index


ORIGINAL = {
    "chatter": query.CHATTER,
    "spelling": query.correct_spelling,
    "synonyms": query.synonyms_asked,
    "joined": query._joined_pieces,
    "pull": ranking.COVERAGE_PULL,
}


def main() -> None:
    index = load_index(OUT / "medquad-index")
    names = ["nDCG@10", "MRR@10", "MAP@10", "avgScore"]
    print("| step | " + " | ".join(names) + " |")
    print("| --- " * (len(names) + 1) + "|")
    for step, label in enumerate(STEPS):
        configured = configure(index, step)
        figures = medquad_figures(
            lambda q, idx=configured: [d for d, _ in documents_for(idx, q)]
        )
        print(f"| {label} | " + " | ".join(f"{figures[n]:.3f}" for n in names) + " |")


if __name__ == "__main__":
    main()
