"""The numbers a rulebook's patterns can ask for: a temperature, a count, a duration.

A measure is a concept of the rulebook (`[measures]`) that matches a number in the
message, with its unit, when the number is in the measure's range: "39.5C", "103 F",
"temp of 101.8", "3 times", "for 2 hours".
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.triage.lexicon import Match, Token

CELSIUS_UNITS = frozenset({"c", "celsius", "centigrade", "celcius"})
FAHRENHEIT_UNITS = frozenset({"f", "fahrenheit", "farenheit"})
DEGREE_WORDS = frozenset({"°", "degrees", "degree", "deg", "degs"})
PLAUSIBLE_CELSIUS = (30.0, 45.0)
PLAUSIBLE_FAHRENHEIT = (86.0, 113.0)
# A number with a decimal in these ranges is a body temperature even alone ("101.8 rn").
BODY_CELSIUS = (35.0, 43.0)
BODY_FAHRENHEIT = (95.0, 109.0)
# A bare number next to one of these measures something else ("39 year old", "bp 110").
OTHER_MEASURES = frozenset(
    """year years yr yrs yo y month months week weeks wk wks day days hour hours hr hrs
    h min mins minute minutes time times x mg ml mcg g kg lb lbs st am pm percent cycle
    cycles round rounds dose doses tablet tablets pill pills cm mm oclock th nd rd bpm
    beats bp pressure pulse rate heart sats oxygen o2 weight platelets neutrophils count
    counts sugar glucose calcium potassium sodium hb haemoglobin hemoglobin wbc""".split()
)
NUMBER_JOINERS = frozenset({"or", "to", "-", "and"})
NEAR_MEASURE_WORDS = 4  # a bare temperature is at most this far from its concept


@dataclass(frozen=True)
class Measure:
    """A number that is a concept: a temperature, a count or a duration."""

    name: str
    type: str
    celsius: tuple[float, float] = (0.0, 0.0)
    fahrenheit: tuple[float, float] = (0.0, 0.0)
    about: frozenset[str] = frozenset()
    at_least: float = 0.0
    units: dict | None = None  # unit word -> its size (minutes for a duration)


def measured(measure: Measure, tokens: list[Token], at: int, found: list[Match]) -> int:
    """The end of the measure's match at the number tokens[at], or 0."""
    if measure.type == "temperature":
        return _temperature(measure, tokens, at, found)
    # "3 or 4 times", "2-3 times": the larger of numbers joined by or/to/-, then the unit.
    value, end = tokens[at].number, at + 1
    while (
        end + 1 < len(tokens)
        and tokens[end].text in NUMBER_JOINERS
        and tokens[end + 1].number is not None
    ):
        value, end = max(value, tokens[end + 1].number), end + 2
    if end < len(tokens) and tokens[end].text in measure.units:
        if value * measure.units[tokens[end].text] >= measure.at_least:
            return end + 1
    return 0


def _temperature(
    measure: Measure, tokens: list[Token], at: int, found: list[Match]
) -> int:
    """A temperature reading in the measure's range: with its unit, or near a concept of
    `about` with no other measuring word nearer."""
    value, end = tokens[at].number, at + 1
    unit = None
    if end < len(tokens) and tokens[end].text in DEGREE_WORDS:
        end += 1
    if end < len(tokens) and tokens[end].text in CELSIUS_UNITS | FAHRENHEIT_UNITS:
        unit = "c" if tokens[end].text in CELSIUS_UNITS else "f"
        end += 1
    elif end == at + 1 and not (
        _about_temperature(measure, tokens, at, found) or _body_reading(tokens, at)
    ):
        return 0  # no unit, no degree word, and not said of a temperature
    if unit is None:
        if PLAUSIBLE_CELSIUS[0] <= value <= PLAUSIBLE_CELSIUS[1]:
            unit = "c"
        elif PLAUSIBLE_FAHRENHEIT[0] <= value <= PLAUSIBLE_FAHRENHEIT[1]:
            unit = "f"
        else:
            return 0
    low, high = measure.celsius if unit == "c" else measure.fahrenheit
    return end if low <= value <= high else 0


def _body_reading(tokens: list[Token], at: int) -> bool:
    """Whether a bare number reads as a body temperature: one decimal place, in the
    range of body temperatures, and no other measure's word beside it."""
    token = tokens[at]
    if not ("." in token.text or "," in token.text):
        return False
    beside = [tokens[i].text for i in (at - 1, at + 1) if 0 <= i < len(tokens)]
    if any(word in OTHER_MEASURES for word in beside):
        return False
    value = token.number
    return (
        BODY_CELSIUS[0] <= value <= BODY_CELSIUS[1]
        or BODY_FAHRENHEIT[0] <= value <= BODY_FAHRENHEIT[1]
    )


def _about_temperature(
    measure: Measure, tokens: list[Token], at: int, found: list[Match]
) -> bool:
    """Whether a bare number is said of a temperature: a concept of `about` close before
    or after it in its sentence, with no word of another measure nearer."""
    beside = [tokens[i].text for i in (at - 1, at + 1) if 0 <= i < len(tokens)]
    if any(word in OTHER_MEASURES for word in beside):
        return False  # "39 year old", "bp 110"
    sentence = tokens[at].sentence
    for match in found:
        if not match.labels & measure.about or tokens[match.start].sentence != sentence:
            continue
        if match.end <= at and at - match.end < NEAR_MEASURE_WORDS:
            between = tokens[match.end : at]
        elif match.start > at and match.start - at - 1 < NEAR_MEASURE_WORDS:
            between = tokens[at + 1 : match.start]
        else:
            continue
        if not any(token.text in OTHER_MEASURES for token in between):
            return True
    return False
