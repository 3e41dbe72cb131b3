"""The red-flag rulebook: its measures, its categories, and a clinic's own file."""

from pathlib import Path

import pytest

from bot.answer.triage.rulebook import RulebookError, load_rulebook
from bot.answer.triage.urgency import assess

RED_FLAGS = Path(__file__).parents[2] / "shared" / "triage" / "RED-FLAGS.md"


def urgency_of(message: str, rulebook=None) -> tuple[str, str] | None:
    urgency = assess(message, rulebook).urgency
    return (urgency.category, urgency.level) if urgency else None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("my temp is 38.4", ("fever", "care_team_now")),
        ("thermometer says 101.2", ("fever", "care_team_now")),
        ("39 degrees", ("fever", "care_team_now")),
        ("101.8 rn, 2nd cycle carboplatin last wk", ("fever", "care_team_now")),
        ("temp 37.6 on chemo", None),  # below 38.0
        ("my 39 year old husband asked about his temp", None),  # an age
        ("bp 110 and temp normal", None),  # another measure
        ("diarrhoea 8 or 9 times since this morning", ("severe_diarrhoea", "care_team_now")),
        ("had diarrhoea ten times today", ("severe_diarrhoea", "care_team_now")),
        ("diarrhoea twice today", None),
        ("nosebleed for 40 mins", ("bleeding", "emergency")),
        ("took 30 paracetamol", ("overdose", "emergency")),
    ],
)  # fmt: skip
def test_numbers_are_understood_with_their_units(message, expected):
    assert urgency_of(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # The same concepts in any order.
        ("vomiting blood", ("bleeding", "emergency")),
        ("theres blood in my vomit", ("bleeding", "emergency")),
        ("threw up what looks like coffee grounds", ("bleeding", "emergency")),
        # A clot is an emergency with sudden breathlessness.
        ("my calf is swollen, hot and painful", ("blood_clot", "care_team_now")),
        ("calf swollen and sore for days and now i cant breathe", ("blood_clot", "emergency")),
        # The most specific reading wins: a fit then drowsiness is a seizure.
        ("dad just had a seizure and now hes drowsy and not with it", ("seizure", "emergency")),
        ("my wife is shaking all over and not responding", ("seizure", "emergency")),
        ("confused and drowsy and so thirsty, she has bone mets", ("high_calcium", "care_team_now")),
        # Together means together: vomiting, then an unrelated blood test.
        ("been vomiting. my blood test was fine", None),
    ],
)  # fmt: skip
def test_a_category_is_its_concepts_together(message, expected):
    assert urgency_of(message) == expected


def test_every_category_of_red_flags_md_is_in_the_bundled_rulebook():
    names = {category.name for category in load_rulebook().categories}
    assert len(names) == 18
    if RED_FLAGS.exists():
        lines = RED_FLAGS.read_text(encoding="utf-8").splitlines()
        table = [line for line in lines if line.startswith("| ")][2:]  # no header
        assert len(table) == len(names)


def test_every_category_says_its_level_and_a_safety_net():
    for category in load_rulebook().categories:
        assert category.level in ("emergency", "care_team_now")
        assert category.safety_net and category.topics, category.name


MINIMAL = """
[concepts]
wobble = ["wobbly legs"]
treatment = ["chemo"]

[categories.wobble]
level = "care_team_now"
when = ["wobble treatment"]
safety_net = "Wobbly legs on treatment? Call {care_line}."
"""


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clinic_rulebook_replaces_the_bundled_one(tmp_path):
    rulebook = load_rulebook(write(tmp_path, MINIMAL))
    assert urgency_of("wobbly legs on chemo", rulebook) == ("wobble", "care_team_now")
    assert urgency_of("my husband collapsed", rulebook) is None


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("wobble treatment", "wobble nothing", "categories.wobble.when: unknown concept nothing"),
        ('level = "care_team_now"', 'level = "soon"', "level must be one of"),
        ("Call {care_line}", "Call {doctor}", "safety_net may name only"),
        ('treatment = ["chemo"]', 'ignore = ["wobbly legs"]\ntreatment = ["chemo"]',
         "both `ignore` and wobble"),
        ("[concepts]", "[concepts", "not valid TOML"),
        ('when = ["wobble treatment"]', "", "KeyError"),
    ],
)  # fmt: skip
def test_a_broken_rulebook_is_refused_with_what_is_wrong(tmp_path, old, new, error):
    with pytest.raises(RulebookError, match=error):
        load_rulebook(write(tmp_path, MINIMAL.replace(old, new)))


def test_a_missing_rulebook_file_is_an_error(tmp_path):
    with pytest.raises(RulebookError, match="cannot read"):
        load_rulebook(tmp_path / "absent.toml")
