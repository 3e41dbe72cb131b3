"""How often the bot picks the right reply kind: no_answer rates on in-scope and
out-of-scope questions, and the conversations of ../shared/eval.

Run: `.venv/bin/python bench/reply_kinds.py` (builds an index of corpus/ in bench/out/).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer.replies import ReplySettings, respond  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.index import build_index, load_index  # noqa: E402

DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "eval"


def lines(path: Path) -> list[str]:
    return [
        line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()
    ]


def main() -> None:
    index_dir = ROOT / "bench" / "out" / "seed-index"
    build_index(ROOT / "corpus", index_dir)
    index = load_index(index_dir)
    settings = ReplySettings.from_settings(Settings())

    def kind(message: str, context: str | None = None):
        return respond(index, message, context, settings)

    in_scope = lines(DATA / "in_scope_questions.txt")
    seeds = [
        json.loads(line)["question"] for line in lines(SHARED / "seed_questions.jsonl")
    ]
    out_of_scope = lines(DATA / "out_of_scope_questions.txt")
    false_no_answer = [q for q in in_scope + seeds if kind(q).kind != "answer"]
    false_answer = [q for q in out_of_scope if kind(q).kind != "no_answer"]
    print("| measure | count | rate |")
    print("| --- | --- | --- |")
    asked = len(in_scope) + len(seeds)
    print(
        f"| in-scope questions not answered | {len(false_no_answer)}/{asked} | "
        f"{len(false_no_answer) / asked:.1%} |"
    )
    print(
        f"| out-of-scope questions answered | {len(false_answer)}/{len(out_of_scope)} | "
        f"{len(false_answer) / len(out_of_scope):.1%} |"
    )
    turns = wrong = 0
    for conversation in map(json.loads, lines(SHARED / "conversations.jsonl")):
        context = None
        for turn in conversation["turns"]:
            reply = kind(turn["message"], context)
            context = reply.context
            turns += 1
            wrong += reply.kind != turn["kind"]
    print(
        f"| conversation turns of the wrong kind | {wrong}/{turns} | {wrong / turns:.1%} |"
    )
    for question in false_no_answer:
        print(f"  not answered: {question}")
    for question in false_answer:
        print(f"  answered: {question}")


if __name__ == "__main__":
    main()
