"""Narrowed phrase alternations find exactly what the whole alternation finds."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from bot.phrases import Phrases, _key, top_level_alternatives
from bot.urgency import SENTENCE_END, URGENT, _urgent_text

from .test_triage import eval_questions

DATA = Path(__file__).parent / "data"
PHRASE_SETS = [phrases for _, *both in URGENT for phrases in both]


def spans(pattern: re.Pattern | None, text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)] if pattern else []


def assert_same_matches(text: str) -> None:
    """Every sentence of `text` and the whole of it: the same matches either way."""
    words = set(text.split())
    for phrases in PHRASE_SETS:
        narrowed = phrases.narrowed(text, words)
        for part in [*SENTENCE_END.split(text), text]:
            assert spans(narrowed, part) == spans(phrases.pattern, part), (part, text)


def messages() -> list[str]:
    lines = []
    for path in sorted(DATA.glob("*.txt")):
        lines += path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[-1] for line in lines if line.strip()] + eval_questions()


def test_narrowed_phrases_match_as_the_whole_alternation_on_every_test_message():
    found = 0
    for message in messages():
        text = _urgent_text(message)
        assert_same_matches(text)
        found += any(phrases.pattern.search(text) for phrases in PHRASE_SETS)
    assert found >= 100  # the emergencies' phrases were searched for and found


# Texts made of the phrases' own words (and a few others), so that phrases, parts of
# phrases and near misses come up often.
VOCABULARY = sorted(
    {
        word
        for phrases in PHRASE_SETS
        for alternative in phrases.alternatives
        for word in re.findall(r"[a-z0-9]+", alternative)
        if len(word) > 1
    }
    | {"i", "a", "my", "he", "is", "not", "if", "when", "help", "!", ".", "?", "104"}
)


@hypothesis.settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=14))
def test_narrowed_phrases_match_as_the_whole_alternation_on_any_words(words):
    assert_same_matches(" ".join(words) + " ")


def test_only_the_phrases_a_text_can_hold_are_searched():
    medical = URGENT[1][2]
    assert medical.narrowed("what is folfox ? ") is None
    narrowed = medical.narrowed("he has chest pain and is gasping ")
    assert "gasping" in narrowed.pattern and "bleeding" not in narrowed.pattern
    assert len(narrowed.pattern) < len(medical.pattern.pattern) / 4


@pytest.mark.parametrize(
    ("alternative", "key"),
    [
        (r"chest (?:pains?|pressure)", ("words", {"chest"})),
        (
            r"(?:lips|face|skin) (?:is )?(?:blue|grey)",
            ("words", {"lips", "face", "skin"}),
        ),
        (r"anaphyla\w+", ("strings", {"anaphyla"})),
        (r"heart attack", ("words", {"attack"})),  # a word is a set lookup
        (
            r"(?:hit|banged) my head\b.*\b(?:dizzy|vomiting)",
            ("words", {"dizzy", "vomiting"}),
        ),
        (r"overdos(?:ed|ing)", ("strings", {"overdos"})),
    ],
)
def test_each_alternative_needs_its_rarest_words_or_strings(alternative, key):
    kind, needed = _key(alternative)
    assert (kind, set(needed)) == key


@pytest.mark.parametrize("alternative", [r"\w+ \w+", r"(?i:chest pain)", r"\d+ \d+"])
def test_an_alternative_nothing_narrows_is_refused(alternative):
    with pytest.raises(ValueError):
        Phrases(f"(?:{alternative})")


def test_alternatives_split_only_at_the_top_level():
    assert top_level_alternatives(r"a|(b|c) d|[|\]]e|f\|g") == [
        "a",
        "(b|c) d",
        r"[|\]]e",
        r"f\|g",
    ]
