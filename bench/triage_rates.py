"""Print triage rates: urgent recall, false alarms and small-talk accuracy.

Run from the repository root: .venv/bin/python bench/triage_rates.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.triage import triage  # noqa: E402

DATA = ROOT / "tests" / "data"
EVAL = ROOT.parent / "shared" / "eval"


def read_table(name: str) -> list[tuple[str, str]]:
    """(category, message) rows of a tab-separated data file."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line.strip()]


def read_questions(path: Path) -> list[str]:
    """The `question` field of a JSON-lines file, or [] when it is absent."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def rate_row(name: str, hits: int, total: int) -> str:
    """One table row: name, count over total, and the rate."""
    rate = hits / total if total else float("nan")
    return f"| {name:<38} | {hits:>4} / {total:<4} | {rate:6.1%} |"


def main() -> None:
    """Print the table."""
    urgent = read_table("urgent_messages.txt")
    smalltalk = read_table("smalltalk_messages.txt")
    not_urgent = [
        m
        for m in (DATA / "not_urgent_messages.txt").read_text("utf-8").splitlines()
        if m
    ]
    seed = read_questions(EVAL / "seed_questions.jsonl")
    dev = read_questions(EVAL / "medquad" / "dev_questions.jsonl")

    def correct(rows: list[tuple[str, str]], kind: str) -> int:
        return sum(triage(m).kind == kind and triage(m).category == c for c, m in rows)

    def alarms(messages: list[str]) -> int:
        return sum(triage(m).kind == "urgent" for m in messages)

    rows = [
        ("urgent recall (right category)", correct(urgent, "urgent"), len(urgent)),
        ("false alarms: not_urgent_messages.txt", alarms(not_urgent), len(not_urgent)),
        ("false alarms: seed questions", alarms(seed), len(seed)),
        ("false alarms: MedQuAD dev questions", alarms(dev), len(dev)),
        ("false alarms: all three", alarms(not_urgent + seed + dev),
         len(not_urgent) + len(seed) + len(dev)),
        ("small talk accuracy (right category)", correct(smalltalk, "smalltalk"),
         len(smalltalk)),
    ]  # fmt: skip
    print(f"| {'measure':<38} | {'count':^11} | {'rate':>6} |")
    print(f"|{'-' * 40}|{'-' * 13}|{'-' * 8}|")
    for name, hits, total in rows:
        print(rate_row(name, hits, total))


if __name__ == "__main__":
    main()
