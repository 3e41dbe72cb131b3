"""Print triage's figures: recall per red-flag category, false alarms per list, and
small talk recognised.

    .venv/bin/python bench/triage_rates.py [--extra FILE ...] [--list-alarms]

An emergency counts when it is `urgent` with a level the rulebook gives its category (a
clot with breathlessness may be an emergency) or the level its row names. `--extra` adds
JSON-lines sets in the format of `../shared/eval/urgent_messages.jsonl` (`{"message",
"kind": "urgent", "category", "level"?}` or `{"message", "kind_not": "urgent"}`), such as
fresh sets written by people who never saw the rulebook: figures on them are reported,
never tuned on. Lists that are absent (the shared folder) are left out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer.triage.decide import triage  # noqa: E402
from bot.answer.triage.rulebook import load_rulebook  # noqa: E402

DATA = ROOT / "tests" / "data"
EVAL = ROOT.parent / "shared" / "eval"
# Short names that other people's sets use for the rulebook's categories.
ALIASES = {
    "bowel": "bowel_obstruction",
    "diarrhoea": "severe_diarrhoea",
    "diarrhea": "severe_diarrhoea",
    "clot": "blood_clot",
    "spinal": "spinal_cord_compression",
    "calcium": "high_calcium",
    "allergic": "allergic_reaction",
    "line_infection": "infected_line",
}


def read_jsonl(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def field_of(path: Path, field: str) -> list[str]:
    """One field of every row of a JSON-lines file; [] when the file is absent."""
    return [row[field] for row in read_jsonl(path)] if path.exists() else []


def lines_of(path: Path, column: int | None = None) -> list[str]:
    """A text file's non-blank lines (or one tab-separated column of them)."""
    lines = [line for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [line.split("\t")[column] for line in lines] if column is not None else lines


def labelled_sets(extras: list[Path]) -> dict[str, list[dict]]:
    """Emergencies and look-alikes, by set name."""
    sets = {}
    shared = EVAL / "urgent_messages.jsonl"
    if shared.exists():
        sets["shared"] = read_jsonl(shared)
    sets["tuning"] = read_jsonl(DATA / "triage" / "tuning.jsonl")
    sets["heldout"] = read_jsonl(DATA / "triage" / "heldout.jsonl")
    sets["project"] = [
        {"message": message, "kind": "urgent", "category": category}
        for category, message in (
            line.split("\t", 1) for line in lines_of(DATA / "urgent_messages.txt")
        )
    ]
    for path in extras:
        sets[path.stem] = read_jsonl(path)
    for rows in sets.values():
        for row in rows:
            if "category" in row:
                row["category"] = ALIASES.get(row["category"], row["category"])
    return sets


def unlabelled_lists() -> dict[str, list[str]]:
    """Lists none of which is an emergency: every alarm on them is false."""
    lists = {
        "not_urgent_messages.txt": lines_of(DATA / "not_urgent_messages.txt"),
        "smalltalk_messages.txt": lines_of(DATA / "smalltalk_messages.txt", 1),
        "in_scope_questions.txt": lines_of(DATA / "in_scope_questions.txt"),
        "out_of_scope_questions.txt": lines_of(DATA / "out_of_scope_questions.txt"),
        "seed_questions": field_of(EVAL / "seed_questions.jsonl", "question"),
        "patient_questions": field_of(EVAL / "patient_questions.jsonl", "question"),
        "out_of_scope": field_of(EVAL / "out_of_scope.jsonl", "message"),
        "MedQuAD dev questions": field_of(
            EVAL / "medquad" / "dev_questions.jsonl", "question"
        ),
        "MedQuAD corpus questions": field_of(
            EVAL / "medquad" / "corpus.jsonl", "question"
        ),
    }
    return {name: messages for name, messages in lists.items() if messages}


def fitting_levels() -> dict[str, set[str]]:
    """The levels the rulebook gives each category."""
    return {
        category.name: {pattern.level for pattern in category.patterns}
        for category in load_rulebook().categories
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument(
        "--list-alarms", action="store_true", help="print every alarm and miss"
    )
    args = parser.parse_args()
    levels = fitting_levels()
    sets = labelled_sets(args.extra)

    caught: dict[str, Counter] = {name: Counter() for name in sets}
    told: dict[str, Counter] = {name: Counter() for name in sets}
    wrong_category = Counter()
    problems: list[str] = []
    print(
        "| set | emergencies caught (fitting level) | other category | look-alikes alarmed |"
    )
    print("| --- | --- | --- | --- |")
    for name, rows in sets.items():
        emergencies = [row for row in rows if row.get("kind") == "urgent"]
        look_alikes = [row for row in rows if row.get("kind_not") == "urgent"]
        for row in emergencies:
            urgency = triage(row["message"]).urgency
            category = row["category"]
            told[name][category] += 1
            fits = levels.get(category, set()) | {row.get("level")}
            if urgency and urgency.level in fits:
                caught[name][category] += 1
                wrong_category[name] += urgency.category != category
            else:
                problems.append(f"missed [{name}/{category}] {row['message']}")
        alarms = [
            row["message"] for row in look_alikes if triage(row["message"]).urgency
        ]
        problems += [f"alarm [{name}] {message}" for message in alarms]
        print(
            f"| {name} | {sum(caught[name].values())} / {len(emergencies)} "
            f"| {wrong_category[name]} | {len(alarms)} / {len(look_alikes)} |"
        )

    print("\nRecall per category (caught / told):\n")
    print("| category | " + " | ".join(sets) + " |")
    print("| --- |" + " --- |" * len(sets))
    for category in levels:
        cells = [
            f"{caught[name][category]}/{told[name][category]}"
            if told[name][category]
            else "-"
            for name in sets
        ]
        print(f"| {category} | " + " | ".join(cells) + " |")

    print("\nFalse alarms on lists with no emergency:\n")
    print("| list | alarms | messages |")
    print("| --- | --- | --- |")
    seconds = []
    for name, messages in unlabelled_lists().items():
        alarms = []
        for message in messages:
            start = time.perf_counter()
            if triage(message).urgency:
                alarms.append(message)
            seconds.append(time.perf_counter() - start)
        print(f"| {name} | {len(alarms)} | {len(messages)} |")
        problems += [f"alarm [{name}] {message}" for message in alarms]
    print(
        f"\nTriage time per message: median {statistics.median(seconds) * 1e6:.0f} µs, "
        f"p99 {statistics.quantiles(seconds, n=100)[98] * 1e6:.0f} µs "
        f"({len(seconds):,} messages, warm)"
    )
    smalltalk = [
        line.split("\t", 1) for line in lines_of(DATA / "smalltalk_messages.txt")
    ]
    right = sum(
        (triage(message).kind, triage(message).category) == ("smalltalk", category)
        for category, message in smalltalk
    )
    print(f"Small talk recognised, right category: {right} / {len(smalltalk)}")
    if args.list_alarms:
        print("\n" + "\n".join(problems))


if __name__ == "__main__":
    main()
