import pytest

from bot.ingest.tokenization import terms, tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5-FU", ["5fu", "5", "fu"]),
        ("5FU", ["5fu"]),
        ("MSI-H", ["msih", "msi"]),
        ("HER2-positive", ["her2posit", "her2", "posit"]),
        ("FOLFOX", ["folfox"]),
        ("dMMR", ["dmmr"]),
        ("Chemotherapy drugs", ["chemotherapi", "drug"]),
    ],
)
def test_medical_terms_stay_findable(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize("word", ["not", "no", "without", "nor"])
def test_words_that_change_meaning_are_kept(word):
    assert terms(f"cancer {word} surgery")[1] == word


def test_contractions_become_not():
    assert terms("doesn't respond") == ["not", "respond"]


def test_texting_spellings_read_as_the_word_they_stand_for():
    assert terms("stent thru the tumour") == ["stent", "tumor"]
    assert terms("ppl with an appt") == ["peopl", "appoint"]


def test_stopwords_are_dropped():
    assert terms("What is the treatment for it?") == ["treatment"]


def test_spans_point_at_the_words_in_the_text():
    text = "Herceptin® (trastuzumab) for HER2"
    assert [(t.term, text[t.start : t.end]) for t in tokenize(text)] == [
        ("herceptin", "Herceptin"),
        ("trastuzumab", "trastuzumab"),
        ("her2", "HER2"),
    ]


def test_passages_and_questions_share_one_tokenizer():
    assert terms("What is FOLFOX?") == [
        t for t in terms("FOLFOX – leucovorin") if t == "folfox"
    ]


def test_a_comparative_is_read_as_its_adjective():
    from bot.ingest.tokenization import terms

    assert terms("survive longer term") == terms("survive long term")
    assert terms("safer, earlier, bigger") == terms("safe, early, big")
