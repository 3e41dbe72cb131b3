"""Triage: emergencies first, then small talk, and everything else is a question."""

import json
from pathlib import Path

import pytest

from bot.triage import Triage, triage

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


@pytest.mark.parametrize(("category", "message"), read_table("urgent_messages.txt"))
def test_every_emergency_is_urgent_with_its_category(category, message):
    assert triage(message) == Triage("urgent", category, "")


@pytest.mark.parametrize("message", read_lines("not_urgent_messages.txt"))
def test_a_question_sharing_alarming_words_is_not_urgent(message):
    assert triage(message).kind == "question"


def test_no_seed_or_dev_question_is_taken_for_an_emergency():
    if not EVAL.is_dir():
        pytest.skip(f"{EVAL} is absent")
    alarms = [q for q in eval_questions() if triage(q).kind == "urgent"]
    assert alarms == []


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
    assert triage(message) == Triage("question", "", question)


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
