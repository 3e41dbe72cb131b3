"""How informative a word is in general English, from wordfreq's word frequencies.

wordfreq (code Apache-2.0, data CC BY-SA 4.0, from PyPI) says how often English uses a
word; a word patients use every day ("actually", "time") says little about what they
ask, a rare one ("pancreatic") says it all.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import top_n_list, zipf_frequency

from bot.answer.speller import MIN_CORRECTABLE_CHARS

# How informative a word is in general English, on wordfreq's Zipf scale (log10 of uses
# per billion words: "the" 7.7, "help" 5.8, "insurance" 4.9, "pancreatic" 3.3): 1 at
# RARE_ZIPF or below, 0 at EVERYDAY_ZIPF or above, in proportion between (calibrated in
# bench/calibrate_answerability.py on labelled in-scope and out-of-scope questions).
EVERYDAY_ZIPF = 6.0
RARE_ZIPF = 3.5
EVERYDAY_FLOOR = 0.6  # what an everyday word weighs in the search, against 1
COMMON_WORDS = 50_000  # a misspelling of one of these is read as that word's weight
RARE_WORD_ZIPF = 3.0  # a word this rare may be a misspelling of a common one,
TYPO_GAP_ZIPF = 2.0  # when that one is at least this much commoner


def warm_up() -> None:
    """Load the English word list now, before the first patient's rare word needs it."""
    common_english_words()


@lru_cache(maxsize=1)
def common_english_words() -> list[str]:
    """wordfreq's 50,000 commonest English words, commonest first."""
    return top_n_list("en", COMMON_WORDS)


@lru_cache(maxsize=20_000)
def english_informativeness(word: str, term: str = "") -> float:
    """0 for an everyday English word, 1 for a rare one (or one English does not use).
    The commoner of the word and its stem counts: "keeps" is as everyday as "keep"; a
    number counts for nothing (an age, a date); a misspelling of a common word is as
    everyday as the word ("diferent")."""
    if word.isdigit():
        return 0.0
    zipf = max(zipf_frequency(word, "en"), zipf_frequency(term, "en") if term else 0.0)
    if zipf < RARE_WORD_ZIPF and len(word) >= MIN_CORRECTABLE_CHARS and word.isalpha():
        meant = process.extractOne(
            word, common_english_words(), scorer=OSA.distance, score_cutoff=1
        )
        if meant and zipf_frequency(meant[0], "en") >= zipf + TYPO_GAP_ZIPF:
            zipf = zipf_frequency(meant[0], "en")
    return min(1.0, max(0.0, (EVERYDAY_ZIPF - zipf) / (EVERYDAY_ZIPF - RARE_ZIPF)))
