"""What Insights may keep of a message: topic terms, and text scrubbed of addresses."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.insights import scrub, topic_terms

INDEX = {"herceptin", "port", "neutropenia", "parking", "wig", "pregnant"}


def in_index(word: str) -> bool:
    return word in INDEX


def terms_of(message: str, limit: int = 3, with_message: bool = True):
    """The topic terms of a message split as aggressively as any tokenizer would."""
    words = re.findall(r"\w+", message)
    return topic_terms(words, in_index, limit, message if with_message else None)


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("call +44 20 7946 0958 today", "call [phone] today"),
        ("call (555) 123-4567 today", "call [phone] today"),
        ("call 555.123.4567 today", "call [phone] today"),
        ("call 07700 900123 today", "call [phone] today"),
        ("call 555-123-4567.", "call [phone]."),
        ("call +1-800-222-1222, please", "call [phone], please"),
        ("call 0044 (0)20 7946 0958", "call [phone]"),
        ("call 030/12345678", "call [phone]"),
        ("call 5551234567", "call [phone]"),
        ("tel:+442079460958", "tel:[phone]"),
        ("mail jo.smith@example.org now", "mail [email] now"),
        ("mail JO+clinic@mail.example.co.uk.", "mail [email]."),
        ("mail (jo_99@host-1.example)", "mail ([email])"),
        ("seen on 2026-12-07", "seen on [date]"),
        ("seen on 07/12/2026", "seen on [date]"),
        ("seen on 7.12.26", "seen on [date]"),
        ("seen on 7 Dec 2026", "seen on [date]"),
        ("seen on December 7th", "seen on [date]"),
        ("seen on 12/7", "seen on [date]"),
        ("seen on Dec. 7, 2026, twice", "seen on [date], twice"),
        ("seen on the 3rd of June", "seen on the [date]"),
        ("seen in March 2026", "seen in [date]"),
        ("December 7th, 12/7 and 2026-12-07", "[date], [date] and [date]"),
    ],
)
def test_scrub_replaces_phone_numbers_addresses_and_dates(text, scrubbed):
    assert scrub(text) == scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Take 500 mg 2-3 times a day",
        "1,000 units twice daily",
        "call 911 or 988 now",
        "is 37.5 a fever?",
        "may I march in May?",
        "my PICC line, my port",
    ],
)
def test_scrub_keeps_doses_short_numbers_and_plain_words(text):
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("message", "terms"),
    [
        ("Where can I find PARKING near the clinic?", ("parking", "clinic")),
        ("parking parking wig parking", ("parking", "wig")),
        (
            "Can I get a wig, a scarf and a hat for my hair?",
            ("wig", "scarf", "hat", "hair"),
        ),
        ("My port is itchy after 2 cycles of 500 mg", ("port", "itchy", "cycles")),
        ("herceptin and neutropenia", ("herceptin", "neutropenia")),
        ("hello thanks please okay yes", ()),  # chat, not a topic
        ("what is the xqzvbr kowalskiite", ()),  # not words of English or the index
        ("mail jo@parking.example about it", ()),  # an address is no topic, even so
        ("on December 7th", ()),
        ("I saw Doctor Smith about my wig", ("saw", "wig")),  # a name mid-sentence
        ("Smith said the wig is itchy", ("smith", "wig", "itchy")),  # first: can't tell
        ("my nurse is Grace and she said hair", ("nurse", "hair")),
        ("hi im sarah jones, my hair is thin", ("hair", "thin")),  # named, lowercase
        ("my name is john smith and my hair", ("hair",)),
        ("seen by dr patel about hair", ("seen", "hair")),
        ("I'm pregnant, can I have chemo?", ("pregnant", "chemo")),  # in the index
        ("I am tired after chemo", ("chemo",)),  # the price of "I am Sarah"
        ("Can I take Herceptin at home?", ("herceptin", "home")),
        ("ab cd chemotherapy", ("chemotherapy",)),  # two letters are no word
    ],
)
def test_topic_terms_are_common_or_indexed_content_words(message, terms):
    assert terms_of(message, limit=5) == terms


def test_topic_terms_stop_at_the_limit():
    assert terms_of("wig hat scarf hair port", limit=3) == ("wig", "hat", "scarf")


def test_words_longer_than_thirty_letters_are_never_terms():
    long_word = "a" * 31
    assert topic_terms([long_word], lambda word: True) == ()
    assert topic_terms(["a" * 30], lambda word: True) == ("a" * 30,)


def test_without_the_message_only_the_vocabulary_keeps_names_out():
    assert terms_of("I saw Doctor Smith", with_message=False) == (
        "saw",
        "doctor",
        "smith",
    )
    assert terms_of("I saw Doctor Pemberton", with_message=False) == ("saw", "doctor")


# Any e-mail address or phone number, anywhere in a message, never survives: these
# properties get more examples than usual, and no time limit (wordfreq loads lazily).
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
WORDS = st.sampled_from(
    "my wig port parking chemo hair is the about call me on or mail please".split()
)
PROSE = st.lists(WORDS, max_size=6).map(" ".join)
SEPARATORS = st.sampled_from([" ", "-", ".", "", " - "])


@st.composite
def phone_numbers(draw) -> str:
    """Phone numbers as people type them: a country code, groups, separators."""
    prefix = draw(st.sampled_from(["", "+", "+1 ", "+44 ", "0044 ", "(0)", "tel:"]))
    groups = draw(
        st.lists(
            st.text(string.digits, min_size=1, max_size=5), min_size=1, max_size=5
        ).filter(lambda groups: 7 <= sum(map(len, groups)) <= 15)
    )
    if draw(st.booleans()) and len(groups) > 1:
        groups[0] = f"({groups[0]})"
    separator = draw(SEPARATORS)
    return prefix + separator.join(groups)


@PROPERTY
@given(before=PROSE, address=st.emails(), after=PROSE)
def test_an_email_address_never_survives_scrub(before, address, after):
    text = f"{before} {address} {after}"
    assert scrub(text) == f"{before} [email] {after}"


@PROPERTY
@given(before=PROSE, number=phone_numbers(), after=PROSE)
def test_a_phone_number_never_survives_scrub(before, number, after):
    scrubbed = scrub(f"{before} {number} {after}")
    assert not re.search(r"\d", scrubbed)
    assert scrubbed.startswith(before) and scrubbed.endswith(after)


@PROPERTY
@given(
    before=st.text(string.ascii_letters + " ,.!?'\n"),
    address=st.emails(),
    after=st.text(string.ascii_letters + " ,.!?'\n"),
)
def test_an_email_address_never_survives_scrub_in_any_text(before, address, after):
    assert "@" not in scrub(f"{before} {address} {after}")


@PROPERTY
@given(before=PROSE, address=st.emails(), after=PROSE)
def test_no_piece_of_an_email_address_becomes_a_topic_term(before, address, after):
    message = f"{before} {address} {after}"
    terms = topic_terms(re.findall(r"\w+", message), lambda w: True, 10, message)
    pieces = set(re.findall(r"[^\W\d_]+", address.casefold()))
    assert not pieces & set(terms)


@PROPERTY
@given(before=PROSE, number=phone_numbers(), after=PROSE)
def test_no_piece_of_a_phone_number_becomes_a_topic_term(before, number, after):
    message = f"{before} {number} {after}"
    terms = topic_terms(re.findall(r"\w+", message), lambda w: True, 10, message)
    assert not any(re.search(r"\d", term) for term in terms)
    assert "tel" not in terms


@PROPERTY
@given(words=st.lists(st.text(min_size=1, max_size=40), max_size=20))
def test_topic_terms_are_always_lowercase_letters_only(words):
    for term in topic_terms(words, lambda w: True, limit=20):
        assert term.isalpha() and term == term.casefold() and 3 <= len(term) <= 30
