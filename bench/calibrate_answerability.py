"""Calibrate the answerability rule: for each setting of its three numbers, how many
in-scope questions get the right passage first and how many out-of-scope ones get
`no_answer`.

    .venv/bin/python bench/calibrate_answerability.py [--extra FILE ...]

The rule (bot/answer/query.py, bot/answer/retrieval.py): the best passage must answer MIN_COVERAGE of
the question's weight (less for a long message); each word weighs its idf (the rarest
word's when the index lacks it) times its informativeness in English, 1 at RARE_ZIPF or
rarer down to 0 at EVERYDAY_ZIPF on wordfreq's Zipf scale. Calibrated on tests/data's
in-scope and out-of-scope lists, the shared seed questions, the dev sets of
tests/data/patient/ and any `--extra` sets; the shared patient and out-of-scope sets and
the held-out sets are printed beside (summed), never used to choose.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from answer_rates import passes, question_sets  # noqa: E402

from bot.answer import informativeness, retrieval  # noqa: E402
from bot.answer.replies import ReplySettings, respond  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.index import build_index, load_index  # noqa: E402


def shown_only(name: str) -> bool:
    """Sets printed beside the choice, never used to make it."""
    return name in ("patient_questions", "out_of_scope") or "heldout" in name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, action="append", default=[])
    args = parser.parse_args()
    index_dir = ROOT / "bench" / "out" / "seed-index"
    build_index(ROOT / "corpus", index_dir)
    index = load_index(index_dir)
    settings = ReplySettings.from_settings(Settings())
    sets = question_sets(args.extra)
    chosen = {n: rows for n, rows in sets.items() if not shown_only(n)}
    shown = {n: rows for n, rows in sets.items() if shown_only(n)}

    def score(rows_by_set):
        answered = refused = asked_in = asked_out = 0
        for rows in rows_by_set.values():
            for row in rows:
                reply = respond(
                    index, row.get("question") or row["message"], None, settings
                )
                if row.get("kind") == "no_answer":
                    asked_out += 1
                    refused += passes(row, reply)
                else:
                    asked_in += 1
                    answered += passes(row, reply)
        return answered, asked_in, refused, asked_out

    print(
        "| everyday zipf | rare zipf | min coverage | in-scope right "
        "| out-of-scope refused | sum | shared and held-out: right / refused |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for everyday, rare, cover in itertools.product(
        (5.5, 6.0, 6.5), (3.0, 3.5, 4.0), (0.6, 0.65, 0.7)
    ):
        (
            informativeness.EVERYDAY_ZIPF,
            informativeness.RARE_ZIPF,
            retrieval.MIN_COVERAGE,
        ) = (
            everyday,
            rare,
            cover,
        )
        informativeness.english_informativeness.cache_clear()
        a, n_in, r, n_out = score(chosen)
        sa, _, sr, _ = score(shown)
        print(
            f"| {everyday} | {rare} | {cover} | {a}/{n_in} | {r}/{n_out} | {a + r} "
            f"| {sa} / {sr} |"
        )


if __name__ == "__main__":
    main()
