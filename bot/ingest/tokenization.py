"""Text -> terms with character spans, identical for passages and questions.

No NLTK data is downloaded: the Snowball stemmer (rules only) and the stopword list in
this module. Words are found by one fixed, linear pattern in the `regex` engine, the
engine NLTK's RegexpTokenizer uses (its Unicode classes keep a combining accent with its
word), without NLTK's per-match time guard, which such a pattern does not need. ASCII
text, nearly every passage and question, is read with the standard library's engine,
which finds the same words there in less time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import regex
from nltk.stem.snowball import SnowballStemmer

# NLTK's English stopwords, less the words that change a sentence's meaning
# ("not", "no", "nor", "without", "against", "off", "out") and "can"/"will"/"should",
# which carry intent in patients' questions only weakly but never hurt.
STOPWORDS = frozenset(
    """
    a about above after again all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me more most my myself now of on once only or other our ours
    ourselves over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself
    yourselves s t d ll m o re ve y ma
    """.split()
)
NEGATIONS = frozenset({"not", "no", "nor", "never", "without"})
# Contractions typed without their apostrophe, as they read with it: "dont" is "don't"
# ("not"), "whats" is "what's" (stopwords). Only spellings that are no other word: not
# "its", "were", "ill", "wed", "shed", "hell", "well".
APOSTROPHE_LESS = {
    **dict.fromkeys(
        "dont doesnt didnt cant couldnt wont wouldnt shouldnt isnt arent wasnt werent "
        "hasnt havent hadnt mustnt neednt".split(),
        "not",
    ),
    **dict.fromkeys(
        "im ive id youre youve youd hes shes theyre theyve weve whats thats theres "
        "heres wheres whos hows lets".split(),
        None,
    ),
}

# Texting spellings, read as the word they stand for: "thru" is "through" (a stopword),
# "ppl" is "people", "appt" an appointment. Only spellings that are no other word and
# stand for one word whatever the subject (not "pt", "min", "prob", nor "bc": British
# Columbia in a Canadian clinic's documents).
TEXTING = {
    "thru": "through",
    "tho": "though",
    "altho": "although",
    "abt": "about",
    "b4": "before",
    "bcos": "because",
    "becuz": "because",
    "cuz": "because",
    "coz": "because",
    "u": "you",
    "ur": "your",
    "r": "are",
    "alot": "lot",
    "ya": "you",
    "ppl": "people",
    "kinda": "kind",
    "sorta": "sort",
    "gonna": "going",
    "wanna": "want",
    "gotta": "got",
    "dunno": "know",
    "appt": "appointment",
    "appts": "appointments",
    "1st": "first",
    "2nd": "second",
    "3rd": "third",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2day": "today",
    "2moro": "tomorrow",
    "nite": "night",
    "tonite": "tonight",
    "wat": "what",
    "wot": "what",
    "wen": "when",
    "hosp": "hospital",
    "esp": "especially",
    "lil": "little",
}

# Words, numbers and words joined by hyphens or apostrophes: "5-FU", "MSI-H", "HER2", "don't".
WORD_PATTERN = r"[^\W_]+(?:[-'’][^\W_]+)*"
WORDS = regex.compile(WORD_PATTERN)
ASCII_WORDS = re.compile(WORD_PATTERN)  # the same matches in ASCII text (tested)
_stemmer = SnowballStemmer("english")


class Token(NamedTuple):
    """One index term and the span of text it came from."""

    term: str
    start: int
    end: int


# Words the Snowball stemmer joins though they mean different things: "clinical trials"
# are not the clinic, organic food is not an organ, an emergency is not an emergence,
# life expectancy is not what to expect, a cancer's progression (it grows) is not progress
# in treating it (it gets better).
STEM_EXCEPTIONS = {
    "clinical": "clinical",
    "clinically": "clinical",
    "organic": "organic",
    "expectancy": "expectancy",
    "emergence": "emergence",
    "universe": "universe",
    **dict.fromkeys(
        ["progression", "progressions", "progressing", "progressed", "progresses"],
        "progression",
    ),
    "progressive": "progression",
    "bodily": "bodi",  # as "body": the stemmer leaves "bodili"
    # Comparatives the stemmer leaves whole: "survive longer" is long-term survival.
    **{
        comparative: base
        for base, comparatives in {
            "long": "longer longest",
            "short": "shorter shortest",
            "big": "bigger biggest",
            "small": "smaller smallest",
            "safe": "safer safest",
            "strong": "stronger strongest",
            "weak": "weaker weakest",
            "high": "higher highest",
            "low": "lower lowest",
            "earli": "earlier earliest",
            "easi": "easier easiest",
            "hard": "harder hardest",
            "larg": "larger largest",
            "fast": "faster fastest",
            "slow": "slower slowest",
            "soon": "sooner soonest",
        }.items()
        for comparative in comparatives.split()
    },
}


# Two spellings of one word, reduced to one at tokenizing (British -> American).
SPELLING_VARIANTS: dict[str, str] = {
    "tumour": "tumor",
    "tumours": "tumors",
    "oesophagus": "esophagus",
    "oesophageal": "esophageal",
    "haemorrhage": "hemorrhage",
    "anaemia": "anemia",
    "anaemic": "anemic",
    "oedema": "edema",
    "paediatric": "pediatric",
    "leukaemia": "leukemia",
    "diarrhoea": "diarrhea",
    "oestrogen": "estrogen",
    "haematology": "hematology",
    "haemoglobin": "hemoglobin",
    "faeces": "feces",
    "foetus": "fetus",
    "gynaecology": "gynecology",
    "orthopaedic": "orthopedic",
    "anaesthetic": "anesthetic",
    "anaesthesia": "anesthesia",
    "coeliac": "celiac",
    "dyspnoea": "dyspnea",
    "behaviour": "behavior",
    "centre": "center",
    "counselling": "counseling",
    "metastasised": "metastasized",
    "minimise": "minimize",
    "organise": "organize",
    "ionising": "ionizing",
    "specialised": "specialized",
    "hospitalised": "hospitalized",
    "immunised": "immunized",
    "immunisation": "immunization",
    "paralysed": "paralyzed",
    "recognise": "recognize",
    "localised": "localized",
    "haemophilia": "hemophilia",
    "ischaemic": "ischemic",
    "haemorrhoids": "hemorrhoids",
}


@lru_cache(maxsize=200_000)
def normalize(word: str) -> str | None:
    """A lowercase word -> its index term, or None for a stopword."""
    word = TEXTING.get(word, word)
    if word in STOPWORDS:
        return None
    if word in APOSTROPHE_LESS:
        return APOSTROPHE_LESS[word]
    if word in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[word]
    return _stemmer.stem(SPELLING_VARIANTS.get(word, word))


def _word_terms(word: str, start: int) -> list[Token]:
    """The terms of one matched word; a hyphenated word gives its joined form and parts.

    "5-FU" is found as "5-FU", "5FU" and "5 FU"; "MSI-H" as "MSI-H", "MSIH" and "MSI".
    """
    # Most words hold none of WORD_PATTERN's joiners: one term, or none for a stopword.
    if "-" not in word and "'" not in word and "’" not in word:
        term = normalize(word.lower())
        return [Token._make((term, start, start + len(word)))] if term else []
    lowered = word.lower().replace("’", "'")
    if lowered.endswith("n't"):
        return [Token("not", start, start + len(word))]
    if lowered.endswith("'s"):
        lowered = lowered[:-2]
    lowered = lowered.replace("'", "")
    parts = lowered.split("-")
    tokens = []
    joined = normalize("".join(parts))
    if joined:
        tokens.append(Token(joined, start, start + len(word)))
    if len(parts) > 1:
        offset = start
        for part in parts:
            term = normalize(part) if len(part) > 1 or part.isdigit() else None
            if term and term != joined:
                tokens.append(Token(term, offset, offset + len(part)))
            offset += len(part) + 1
    return tokens


def word_pattern(text: str) -> re.Pattern | regex.Pattern:
    """WORDS, or for ASCII text the same pattern in the standard library's engine."""
    return ASCII_WORDS if text.isascii() else WORDS


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of `text`: (word, start, end), in reading order."""
    return [
        (match.group(), *match.span()) for match in word_pattern(text).finditer(text)
    ]


def tokenize(text: str, found: list[tuple[str, int, int]] | None = None) -> list[Token]:
    """Index terms of `text` in reading order, each with its character span.

    `found` is `words(text)` when the caller has it already (a question's words are
    read for its terms and for the pieces written apart, once).
    """
    tokens: list[Token] = []
    for word, start, _ in words(text) if found is None else found:
        tokens.extend(_word_terms(word, start))
    return tokens


def terms(text: str) -> list[str]:
    """Just the index terms of `text`."""
    return [token.term for token in tokenize(text)]


@lru_cache(maxsize=4096)
def passage_tokens(text: str) -> tuple[Token, ...]:
    """`tokenize` of a passage's text, kept: the same passages are quoted again and
    again (the lead sentence and the highlights both read them)."""
    return tuple(tokenize(text))
