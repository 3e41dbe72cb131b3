"""Print how often the bot answers patients' questions from the right passage, and
refuses the questions its documents do not answer.

    .venv/bin/python bench/answer_rates.py [--extra FILE ...] [--list]

A question with `top1_contains_any` passes when the reply is an `answer` whose first
passage contains one of the phrases (case-insensitive); a row with `"kind": "no_answer"`
passes when the reply is `no_answer`. Sets: ../shared/eval's seed questions, patient
questions and out-of-scope questions, tests/data's in-scope and out-of-scope lists, the
fresh sets of tests/data/patient/ (see its README), and each `--extra` JSON-lines file
in either format.
Builds an index of corpus/ in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer.replies import ReplySettings, respond  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.index import build_index, load_index  # noqa: E402

DATA = ROOT / "tests" / "data"
EVAL = ROOT.parent / "shared" / "eval"


def read_jsonl(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def read_lines(path: Path, kind: str) -> list[dict]:
    """A plain list of questions as rows of one expected kind."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [{"message": line.strip(), "kind": kind} for line in lines if line.strip()]


def question_sets(extras: list[Path]) -> dict[str, list[dict]]:
    sets = {}
    for name in ("seed_questions", "patient_questions", "out_of_scope"):
        path = EVAL / f"{name}.jsonl"
        if path.exists():
            sets[name] = read_jsonl(path)
    sets["in_scope_questions.txt"] = read_lines(
        DATA / "in_scope_questions.txt", "answer"
    )
    sets["out_of_scope_questions.txt"] = read_lines(
        DATA / "out_of_scope_questions.txt", "no_answer"
    )
    for path in sorted((DATA / "patient").glob("*.jsonl")):
        sets[f"patient/{path.stem}"] = read_jsonl(path)
    for path in extras:
        sets[path.stem] = read_jsonl(path)
    return sets


def passes(row: dict, reply) -> bool:
    """Whether the reply is what the row expects."""
    if "top1_contains_any" in row:
        if reply.kind != "answer":
            return False
        text = reply.answers[0].hit.passage.text.lower()
        return any(phrase.lower() in text for phrase in row["top1_contains_any"])
    return reply.kind == row["kind"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--list", action="store_true", help="print every failure")
    args = parser.parse_args()
    index_dir = ROOT / "bench" / "out" / "seed-index"
    build_index(ROOT / "corpus", index_dir)
    index = load_index(index_dir)
    settings = ReplySettings.from_settings(Settings())

    failures = []
    print("| set | passed | of | what passes |")
    print("| --- | --- | --- | --- |")
    for name, rows in question_sets(args.extra).items():
        passed = 0
        for row in rows:
            question = row.get("question") or row["message"]
            reply = respond(index, question, None, settings)
            if passes(row, reply):
                passed += 1
            else:
                first = reply.answers[0].hit.passage.text[:70] if reply.answers else ""
                failures.append(f"[{name}] {reply.kind}: {question}  -> {first}")
        wanted = {row.get("kind", "answer") for row in rows}
        what = "right passage first" if wanted == {"answer"} else "/".join(wanted)
        print(f"| {name} | {passed} | {len(rows)} | {what} |")

    turns = wrong = 0
    conversations = EVAL / "conversations.jsonl"
    for conversation in read_jsonl(conversations) if conversations.exists() else []:
        context = None
        for turn in conversation["turns"]:
            reply = respond(index, turn["message"], context, settings)
            context = reply.context
            turns += 1
            if not passes(turn, reply) or reply.kind != turn["kind"]:
                wrong += 1
                failures.append(f"[conversation] {reply.kind}: {turn['message']}")
    if turns:
        print(
            f"| conversation turns | {turns - wrong} | {turns} | right kind and passage |"
        )
    if args.list:
        print("\n" + "\n".join(failures))


if __name__ == "__main__":
    main()
