"""A message as triage reads it: tokens, numbers, misspellings and phrase wildcards."""

import pytest

from bot.answer.triage.lexicon import PhraseMatcher, Speller, read_tokens, stem


def test_words_lose_their_apostrophes_and_keep_their_sentence():
    tokens = read_tokens("I can't breathe. Help!")
    assert [t.text for t in tokens] == ["i", "cant", "breathe", ".", "help", "!"]
    assert [t.sentence for t in tokens] == [0, 0, 0, 0, 1, 1]


@pytest.mark.parametrize(
    ("message", "value"),
    [("temp 38.6", 38.6), ("temp 38,6", 38.6), ("101.5F", 101.5), ("ten times", 10.0)],
)
def test_numbers_are_read_with_their_value(message, value):
    assert [t.number for t in read_tokens(message) if t.number is not None] == [value]


def test_a_year_is_told_apart_from_other_numbers():
    assert [t.stem for t in read_tokens("in 2019 and 38.5")] == [
        "in",
        "#year",
        "and",
        "#",
    ]


def test_a_hyphenated_name_is_one_clause():
    assert "-" not in [t.text for t in read_tokens("crimean-congo fever")]


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("bleading", "bleeding"),  # one letter changed
        ("vommiting", "vomiting"),  # one letter too many
        ("siezure", "seizure"),  # two letters swapped
        ("fewer", "fewer"),  # a common English word is never a misspelling
        ("breeding", "breeding"),
        ("blue", "blue"),  # too short to correct safely
    ],
)
def test_a_misspelt_word_is_read_as_the_vocabulary_word_it_is_one_edit_from(
    word, meant
):
    speller = Speller({"bleeding", "vomiting", "seizure", "fever", "glue"})
    assert stem(speller.correct(word)) == stem(meant)


def labels(matcher: PhraseMatcher, message: str) -> list[tuple[str, ...]]:
    return [tuple(sorted(m.labels)) for m in matcher.find(read_tokens(message))]


def test_a_phrase_matches_any_inflection_of_its_words():
    matcher = PhraseMatcher()
    matcher.add("vomiting blood", "bleeding")
    assert labels(matcher, "he vomited blood") == [("bleeding",)]


def test_wildcards_stand_for_groups_gaps_and_numbers():
    matcher = PhraseMatcher({"cant": ["cant", "unable to"]})
    matcher.add("{cant} keep * down", "fluids")
    matcher.add("# year old", "child")
    assert labels(matcher, "unable to keep even water down") == [("fluids",)]
    assert labels(matcher, "my 3 year old") == [("child",)]
    assert labels(matcher, "cant keep it, down") == []  # a gap never crosses a mark


def test_a_gap_stands_for_a_whole_look_alike_or_none_of_it():
    matcher = PhraseMatcher()
    matcher.add("giving my * away", "plan")
    matcher.add("keep * down", "fluids")
    matcher.add("right away", "ignore")
    matcher.add("ice chips", "ignore")
    tokens = read_tokens("can they give my wife keytruda right away")
    wholes = {6: 8}  # "right away"
    assert [m.labels for m in matcher.find(tokens, wholes=wholes)] == [{"ignore"}]
    assert ("plan",) in labels(matcher, "giving my things away")
    tokens = read_tokens("cant keep ice chips down")
    found = matcher.find(tokens, wholes={2: 4})  # "ice chips", inside the gap
    assert [m.labels for m in found] == [{"fluids"}]


def test_the_longest_phrase_wins_and_an_exact_word_beats_its_stem():
    matcher = PhraseMatcher()
    matcher.add("blood", "blood")
    matcher.add("blood test", "ignore")
    matcher.add("confused", "confusion")
    matcher.add("=confusing", "ignore")
    assert labels(matcher, "blood test") == [("ignore",)]
    assert labels(matcher, "confusing") == [("ignore",)]
    assert labels(matcher, "confused") == [("confusion",)]


def test_an_unknown_group_is_an_error():
    with pytest.raises(ValueError, match="unknown word group"):
        PhraseMatcher().add("{nope} breathe", "x")
