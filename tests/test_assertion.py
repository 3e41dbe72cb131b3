"""ConText: whether each red-flag concept of a message is happening now."""

import pytest

from bot.answer.triage.assertion import bundled_assertion
from bot.answer.triage.lexicon import read_tokens
from bot.answer.triage.rulebook import load_rulebook


def statuses(message: str) -> dict[str, frozenset[str]]:
    """Each concept of a message -> the ConText kinds over it (merged when repeated)."""
    rulebook = load_rulebook()
    tokens = read_tokens(message, rulebook.speller)
    concepts = rulebook.find_concepts(tokens)
    found = bundled_assertion().statuses(tokens, concepts, rulebook.background)
    merged: dict[str, frozenset[str]] = {}
    for match, status in zip(concepts, found, strict=True):
        for label in match.labels:
            merged[label] = merged.get(label, frozenset()) | status
    return merged


@pytest.mark.parametrize(
    ("message", "concept", "kinds"),
    [
        # Happening now: no trigger.
        ("my husband has a fever", "fever", set()),
        ("fever of 39 right now, is that normal?", "high_temperature", set()),
        # Negation, before and after; a pseudo-trigger negates nothing.
        ("no fever but a bit tired", "fever", {"negated"}),
        ("havent had any chest pain", "chest", {"negated"}),
        ("nose bled this morning, stopped after a couple of mins", "nose", {"negated"}),
        ("i cant stop shaking", "chills", set()),
        # What-ifs and the future.
        ("what should i do if i have a temperature during chemo", "fever", {"hypothetical"}),
        ("will i get diarrhoea on irinotecan", "diarrhoea", {"hypothetical"}),
        ("im scared of having a seizure", "seizure_word", {"hypothetical"}),
        # The past.
        ("i had a fever last month", "fever", {"historical"}),
        ("my mum had a stroke in 2015", "stroke_word", {"historical"}),
        ("had a reaction in 2022 (hives)", "hives", {"historical"}),
        # General questions: a trigger, or a question whose subject is not a person.
        ("can chemo cause a fever?", "fever", {"general"}),
        ("does paracetamol hide a temperature?", "fever", {"general"}),
        ("is chest pain a side effect of 5fu", "chest", {"general"}),
        ("what are the symptoms of sepsis, confusion and mottled skin?", "mottled",
         {"general"}),
        ("is my temperature of 38.6 too high?", "high_temperature", set()),
        # A person starts a statement about someone now.
        ("what is sepsis, my dad is confused", "confusion", set()),
        # Mild, and brought on by effort.
        ("a bit puffed going up the stairs", "breathless", {"mild", "exertion"}),
        ("i get chest pain when i exercise", "chest", {"mild", "exertion"}),
        ("grey and clammy and a bit muddled", "clammy", set()),
    ],
)  # fmt: skip
def test_a_concept_gets_the_status_its_context_gives(message, concept, kinds):
    assert statuses(message)[concept] == kinds


def test_a_scene_concept_does_not_hide_a_trigger():
    # "infusion" is a concept, yet "at my last infusion" still tells the past.
    assert "historical" in statuses("had chest tightness at my last infusion")["chest"]


def test_a_condition_runs_to_the_end_of_its_clause():
    found = statuses("if he suddenly gets chest pain, what then")
    assert found["chest"] == {"hypothetical"}


def test_a_clause_mark_ends_a_negation():
    found = statuses("no fever, but shivering and shaking")
    assert (found["fever"], found["chills"]) == ({"negated"}, frozenset())
