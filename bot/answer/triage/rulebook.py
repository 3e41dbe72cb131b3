"""The red-flag rulebook: a TOML file of concepts, measures and categories, checked on load.

The bundled rulebook is `data/triage_rules.toml`; its header explains the format. A clinic
replaces it with FAQBOT_TRIAGE_RULES; a file that does not load raises RulebookError,
naming the entry that is wrong.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from bot.answer.triage.assertion import bundled_assertion
from bot.answer.triage.bundled import bundled_toml
from bot.answer.triage.lexicon import Match, PhraseMatcher, Speller, Token
from bot.answer.triage.measures import Measure, measured

LEVELS = ("emergency", "care_team_now")
SAFETY_NET_NUMBERS = ("care_line", "emergency_number", "crisis_line", "poison_line")
ALSO_CALL = ("crisis_line", "poison_line")
MEASURE_TYPES = ("temperature", "count", "duration")
# The concept of look-alike words ("blood test"): matched, so their words are taken,
# then dropped.
IGNORED = "ignore"


class RulebookError(ValueError):
    """The rulebook file is missing, not TOML, or names something that does not exist."""


@dataclass(frozen=True)
class Pattern:
    """One way a category shows: groups of concepts found together, and concepts absent."""

    # Each group: its concepts in one sentence, at most `near` words apart.
    groups: tuple[tuple[str, ...], ...]
    absent: tuple[str, ...]
    level: str

    @property
    def size(self) -> int:
        """How many concepts the pattern names: more is a more specific reading."""
        return sum(len(group) for group in self.groups)


@dataclass(frozen=True)
class Category:
    """One red flag of the rulebook."""

    name: str
    title: str
    level: str
    patterns: tuple[Pattern, ...]
    topics: tuple[Pattern, ...]
    safety_net: str
    also_call: str | None  # "crisis_line" | "poison_line" | None


class Rulebook:
    """A loaded rulebook: the phrase matcher of its concepts, its measures and categories."""

    def __init__(self, data: dict):
        try:
            self.near = int(data.get("near", 8))
            groups = {
                name: list(words) for name, words in data.get("words", {}).items()
            }
            self.matcher = PhraseMatcher(groups)
            concepts = data["concepts"]
            for name, phrases in concepts.items():
                for phrase in phrases:
                    self.matcher.add(phrase, name)
            _check_ignored(self.matcher.root, [])
            self.measures = tuple(
                measure_of(name, spec)
                for name, spec in data.get("measures", {}).items()
            )
            known = set(concepts) | {measure.name for measure in self.measures}
            self.background = frozenset(data.get("background", {}).get("concepts", []))
            _check_names(self.background, known, "background.concepts")
            self.exertion = frozenset(data.get("exertion", {}).get("concepts", []))
            _check_names(self.exertion, known, "exertion.concepts")
            self.categories = tuple(
                _category(name, spec, known)
                for name, spec in data["categories"].items()
            )
            self._when = _by_first_concept(self.categories, "patterns")
            self._topics = _by_first_concept(self.categories, "topics")
        except RulebookError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise RulebookError(f"{type(error).__name__}: {error}") from None
        self._look_alike_keys = _first_keys(self.matcher.root, IGNORED)
        trigger_words = bundled_assertion().matcher.words
        self.speller = Speller(self.matcher.words | trigger_words)

    def patterns_of(
        self, found: set[str], topics: bool = False
    ) -> list[tuple[int, Category, Pattern]]:
        """The `when` (or `topic`) patterns whose first concept is among those found, as
        (the category's place in the rulebook, category, pattern), in rulebook order: a
        message names a few concepts, so only a few of the hundreds of patterns apply."""
        index = self._topics if topics else self._when
        entries = [entry for concept in found for entry in index.get(concept, ())]
        entries.sort(key=itemgetter(0, 1))
        return [(order, category, pattern) for order, _, category, pattern in entries]

    def _look_alikes(self, tokens: list[Token]) -> dict[int, int]:
        """The look-alike phrases ("right away", "sick pay") of the tokens: start -> end."""
        spans = {}
        for at, token in enumerate(tokens):
            if not self._look_alike_keys.isdisjoint(token.keys):
                longest = self.matcher.longest(tokens, at)
                if longest and IGNORED in longest[1]:
                    spans[at] = longest[0]
        return spans

    def find_concepts(self, tokens: list[Token]) -> list[Match]:
        """The concepts of a message's tokens: phrases and measures, look-alikes dropped.
        A `*` of a phrase stands for a whole look-alike or none of it: "cant keep ice
        chips down" is "{cant} keep * down", but "give my wife keytruda right away" is
        not "giving my * away": its "away" is that of "right away"."""
        phrases = self.matcher.find(tokens, wholes=self._look_alikes(tokens))
        taken = {at for match in phrases for at in range(match.start, match.end)}
        found = [match for match in phrases if IGNORED not in match.labels]
        for at, token in enumerate(tokens):
            if token.number is None or at in taken:
                continue
            for measure in self.measures:
                end = measured(measure, tokens, at, found)
                if end:
                    found.append(Match(at, end, frozenset([measure.name])))
        return sorted(found, key=lambda match: match.start)


def _first_keys(node: dict, label: str) -> frozenset[str]:
    """The trie's first words of the phrases standing for `label`."""

    def holds(child: dict) -> bool:
        return label in child.get("", ()) or any(
            holds(grandchild) for key, grandchild in child.items() if key
        )

    return frozenset(key for key, child in node.items() if key and holds(child))


def load_rulebook(path: Path | None = None) -> Rulebook:
    """The rulebook at `path`, or the bundled one; RulebookError when it does not load."""
    if path is None:
        return _bundled()
    try:
        stat = Path(path).stat()
    except OSError as error:
        raise RulebookError(f"cannot read {path}: {error.strerror}") from None
    return _load_file(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def _bundled() -> Rulebook:
    return Rulebook(bundled_toml("triage_rules.toml"))


@lru_cache(maxsize=4)  # loaded once per file version: settings check it, replies use it
def _load_file(path: str, mtime_ns: int, size: int) -> Rulebook:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise RulebookError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RulebookError(f"{path} is not valid TOML: {error}") from None
    return Rulebook(data)


def _category(name: str, spec: dict, known: set[str]) -> Category:
    level = spec["level"]
    if level not in LEVELS:
        raise RulebookError(
            f"categories.{name}.level must be one of {', '.join(LEVELS)}"
        )
    also_call = spec.get("also_call")
    if also_call is not None and also_call not in ALSO_CALL:
        raise RulebookError(
            f"categories.{name}.also_call must be one of {', '.join(ALSO_CALL)}"
        )
    patterns = [
        _pattern(text, level, known, f"categories.{name}.when") for text in spec["when"]
    ]
    patterns += [
        _pattern(text, "emergency", known, f"categories.{name}.emergency_when")
        for text in spec.get("emergency_when", [])
    ]
    topics = [
        _pattern(text, level, known, f"categories.{name}.topic")
        for text in spec.get("topic", [])
    ]
    safety_net = spec.get("safety_net", "")
    try:
        fields = {
            field for _, field, _, _ in string.Formatter().parse(safety_net) if field
        }
    except ValueError as error:
        raise RulebookError(f"categories.{name}.safety_net: {error}") from None
    if not fields <= set(SAFETY_NET_NUMBERS):
        raise RulebookError(
            f"categories.{name}.safety_net may name only "
            + ", ".join("{" + number + "}" for number in SAFETY_NET_NUMBERS)
        )
    return Category(
        name=name,
        title=spec.get("title", name),
        level=level,
        patterns=tuple(patterns),
        topics=tuple(topics),
        safety_net=safety_net,
        also_call=also_call,
    )


def _pattern(text: str, level: str, known: set[str], where: str) -> Pattern:
    """'a+b c !d' -> groups (a, b) and (c), absent (d)."""
    groups, absent = [], []
    for item in text.split():
        if item.startswith("!"):
            absent.append(item[1:])
        else:
            groups.append(tuple(item.split("+")))
    if not groups:
        raise RulebookError(f"{where}: pattern {text!r} names no concept")
    _check_names({*absent, *(c for group in groups for c in group)}, known, where)
    return Pattern(tuple(groups), tuple(absent), level)


def _by_first_concept(categories: tuple[Category, ...], field: str) -> dict:
    """Each concept -> the patterns (of `field`) that name it first, as sortable entries
    (the category's order, the pattern's order, category, pattern)."""
    index: dict[str, list] = {}
    for order, category in enumerate(categories):
        for place, pattern in enumerate(getattr(category, field)):
            entry = (order, place, category, pattern)
            index.setdefault(pattern.groups[0][0], []).append(entry)
    return index


def _check_ignored(node: dict, path: list[str]) -> None:
    """A phrase both ignored and a concept would silently lose the concept."""
    labels = node.get("", set())
    if IGNORED in labels and len(labels) > 1:
        others = ", ".join(sorted(labels - {IGNORED}))
        raise RulebookError(
            f"concepts: {' '.join(path)!r} is both `{IGNORED}` and {others} "
            "(phrases are compared by word stems)"
        )
    for key, child in node.items():
        if key:
            _check_ignored(child, [*path, key])


def _check_names(names, known: set[str], where: str) -> None:
    unknown = sorted(set(names) - known)
    if unknown:
        raise RulebookError(f"{where}: unknown concept {', '.join(unknown)}")


def measure_of(name: str, spec: dict) -> Measure:
    """The Measure a rulebook's `[measures.NAME]` table describes."""
    kind = spec["type"]
    if kind == "temperature":
        return Measure(
            name,
            kind,
            celsius=tuple(map(float, spec["celsius"])),
            fahrenheit=tuple(map(float, spec["fahrenheit"])),
            about=frozenset(spec.get("about", [])),
        )
    if kind == "count":
        units = dict.fromkeys(spec["units"], 1)
        return Measure(name, kind, at_least=float(spec["at_least"]), units=units)
    if kind == "duration":
        units = {unit: float(size) for unit, size in spec["minutes"].items()}
        return Measure(
            name, kind, at_least=float(spec["at_least_minutes"]), units=units
        )
    raise RulebookError(
        f"measures.{name}.type must be one of {', '.join(MEASURE_TYPES)}"
    )
