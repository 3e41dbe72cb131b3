"""Triage: emergencies first, then small talk, and everything else is a question."""

import json
from pathlib import Path

import pytest

from bot.answer.triage.decide import Triage, triage
from bot.answer.triage.rulebook import load_rulebook

DATA = Path(__file__).parent / "data"
EVAL = Path(__file__).parents[2] / "shared" / "eval"


def read_table(name: str) -> list[tuple[str, str]]:
    """(category, message) rows of a tab-separated data file."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line.strip()]


def read_lines(name: str) -> list[str]:
    """The non-blank lines of a data file."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def eval_questions() -> list[str]:
    """The `question` of every seed and MedQuAD dev question, when the folder exists."""
    files = [EVAL / "seed_questions.jsonl", EVAL / "medquad" / "dev_questions.jsonl"]

    return [
        json.loads(line)["question"]
        for path in files
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON-lines file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def fitting_levels(category: str) -> set[str]:
    """The levels the bundled rulebook gives a red flag (a clot with breathlessness is
    an emergency)."""
    found = {c for c in load_rulebook().categories if c.name == category}
    return {pattern.level for c in found for pattern in c.patterns}


TUNING = read_jsonl(DATA / "triage" / "tuning.jsonl")
EMERGENCIES = [row for row in TUNING if row.get("kind") == "urgent"]
NOT_EMERGENCIES = [row for row in TUNING if row.get("kind_not") == "urgent"]


@pytest.mark.parametrize(("category", "message"), read_table("urgent_messages.txt"))
def test_every_emergency_is_urgent_with_its_category(category, message):
    triaged = triage(message)
    assert (triaged.kind, triaged.category) == ("urgent", category)
    assert triaged.urgency.level in fitting_levels(category)


@pytest.mark.parametrize("message", read_lines("not_urgent_messages.txt"))
def test_a_question_sharing_alarming_words_is_not_urgent(message):
    assert triage(message).kind == "question"


def test_a_phrase_never_ends_inside_a_look_alike():
    # "giving my * away" (a suicide plan) must not take the "away" of "right away".
    message = "why wont they give my wife keytruda right away for her bowel cancer"
    assert triage(message).kind == "question"
    assert triage("she has been giving her things away").kind == "urgent"


def test_a_port_still_to_be_put_in_is_no_infected_line():
    assert triage("do i need a port put in for chemo and does it hurt").kind == (
        "question"
    )
    assert triage("my port is red and it hurts").kind == "urgent"


def test_a_cancer_no_longer_responding_to_treatment_is_no_collapse():
    assert triage("her stomach cancer stopped responding to the chemo").kind == (
        "question"
    )
    assert triage("he stopped responding and is breathing funny").kind == "urgent"


def test_one_size_fits_all_is_no_fit():
    assert triage("is his treatment one size fits all").kind == "question"
    assert triage("he is having fits the whole morning").kind == "urgent"


def test_going_on_a_trial_is_not_going_on_living():
    assert triage("whats the point of going on a trial, whats in it for me").kind == (
        "question"
    )
    assert triage("honestly whats the point of going on").kind == "urgent"


def test_the_shared_emergencies_are_urgent_with_a_fitting_level():
    path = EVAL / "urgent_messages.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    rows = [row for row in read_jsonl(path) if row.get("kind") == "urgent"]
    wrong = [
        row["message"]
        for row in rows
        if triage(row["message"]).urgency is None
        or triage(row["message"]).urgency.level not in fitting_levels(row["category"])
    ]
    assert wrong == []


def test_the_shared_look_alikes_are_not_urgent():
    path = EVAL / "urgent_messages.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    rows = [row for row in read_jsonl(path) if row.get("kind_not") == "urgent"]
    assert [row["message"] for row in rows if triage(row["message"]).urgency] == []


def test_fresh_emergencies_are_recognised_with_a_fitting_level():
    """Messages written by others from RED-FLAGS.md (tests/data/triage/README.md): the
    bot was tuned on them, so nearly all must pass."""
    missed = [
        row["message"]
        for row in EMERGENCIES
        if (urgency := triage(row["message"]).urgency) is None
        or urgency.level not in fitting_levels(row["category"]) | {row.get("level")}
    ]
    assert len(missed) <= len(EMERGENCIES) // 100, missed


def test_fresh_look_alikes_raise_almost_no_alarm():
    alarms = [
        row["message"] for row in NOT_EMERGENCIES if triage(row["message"]).urgency
    ]
    assert len(alarms) <= len(NOT_EMERGENCIES) // 100, alarms


def test_no_seed_patient_or_out_of_scope_question_is_taken_for_an_emergency():
    if not EVAL.is_dir():
        pytest.skip(f"{EVAL} is absent")
    questions = [
        row.get("question") or row["message"]
        for name in ("seed_questions", "patient_questions", "out_of_scope")
        for row in read_jsonl(EVAL / f"{name}.jsonl")
    ]
    assert [q for q in questions if triage(q).kind == "urgent"] == []


# MedQuAD dev questions that tell of symptoms happening to the writer (a thigh red,
# swollen and painful; new confusion on methadone; breathless with a heavy chest
# today): taking them for emergencies is the safe reading.
TOLD_AS_HAPPENING = (
    "My daughter experiences pains",
    "have confusion",
    "catch my breath",
)


def test_no_medquad_question_is_taken_for_an_emergency_unless_it_tells_of_one():
    if not EVAL.is_dir():
        pytest.skip(f"{EVAL} is absent")
    questions = eval_questions()
    alarms = [q for q in questions if triage(q).kind == "urgent"]
    told = [q for q in alarms if any(words in q for words in TOLD_AS_HAPPENING)]
    assert alarms == told and len(told) <= len(TOLD_AS_HAPPENING)


def test_every_conversation_turn_gets_the_kind_it_expects():
    path = EVAL / "conversations.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    turns = [
        turn
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for turn in json.loads(line)["turns"]
    ]
    expected = [
        t["kind"] if t["kind"] in ("smalltalk", "urgent") else "question" for t in turns
    ]
    assert [triage(t["message"]).kind for t in turns] == expected


@pytest.mark.parametrize(("category", "message"), read_table("smalltalk_messages.txt"))
def test_small_talk_is_recognised_with_its_category(category, message):
    assert triage(message) == Triage("smalltalk", category, "")


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("can chemo cause a fever?", "fever"),
        ("what should i do if i get a temperature during chemo", "fever"),
        ("is diarrhoea a common side effect of irinotecan", "severe_diarrhoea"),
        ("what are the signs of sepsis", "sepsis"),
        (
            "how should i store my chemo tablets so the grandkids cant get to them",
            "overdose",
        ),
        ("What is FOLFOX?", None),
        ("no fever but a bit tired", None),
    ],
)
def test_a_question_about_a_red_flag_knows_which(message, category):
    red_flag = triage(message).red_flag
    assert (red_flag.name if red_flag else None) == category


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("Hi! What is FOLFOX? Thanks", "What is FOLFOX?"),
        ("hello, what is FOLFOX?", "what is FOLFOX?"),
        ("thanks, and what about surgery?", "and what about surgery?"),
        ("hi what is folfox", "what is folfox"),
        ("Good morning! Is HER2 tested?", "Is HER2 tested?"),
        ("I have a question: what does MSI-H mean?", "what does MSI-H mean?"),
        ("What is HER2, thanks!", "What is HER2"),
        ("ok, what about immunotherapy?", "what about immunotherapy?"),
        ("What is supportive care? Thank you very much!", "What is supportive care?"),
        ("What is a good day to start chemo?", "What is a good day to start chemo?"),
        ("How are you supposed to take it?", "How are you supposed to take it?"),
        ("History of stomach cancer and HER2", "History of stomach cancer and HER2"),
    ],
)
def test_a_question_keeps_its_words_without_the_pleasantries(message, question):
    assert triage(message).question == question


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi, I have crushing chest pain", "urgent"),
        ("thanks, but now I can't breathe", "urgent"),
        ("hello, what is FOLFOX?", "question"),
        ("hello", "smalltalk"),
        ("How do I renew my passport?", "question"),
    ],
)
def test_urgent_wins_over_small_talk_and_small_talk_needs_the_whole_message(
    message, kind
):
    assert triage(message).kind == kind


@pytest.mark.parametrize(
    "message",
    [
        "What should I do if my husband has chest pain?",
        "How can I tell if someone is having a stroke?",
        "I fainted last year during chemo, is that common?",
        "Can I have chest pain from FOLFOX?",
        "I have had chronic pain for years, what helps?",
        "When I have chest pain, should I take nitro?",
        "When should I call 911 for chest pain?",
    ],
)
def test_a_hypothetical_or_past_symptom_is_a_question(message):
    assert triage(message).kind == "question"
