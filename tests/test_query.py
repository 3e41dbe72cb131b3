"""Patients' own words find the documents' passages: lay terms, brand names, misspellings,
abbreviations in any spelling, chatty messages. Beyond the seed list, of the same kinds."""

import json

import pytest

from bot.answer import passages_for
from bot.answer.query import understand
from bot.answer.ranking import coverage, search
from bot.index import build_index, load_index
from bot.ingest.aliases import learn_aliases


@pytest.mark.parametrize(
    ("question", "expected_any"),
    [
        ("What chemo is used for small bowel cancer that came back?", ["FOLFOX"]),
        ("What is Keytruda?", ["pembrolizumab"]),
        ("Is xeloda used for small intestine cancer?", ["capecitabine"]),
        ("chemoterapy for recurent small intestine cancer", ["FOLFOX"]),
        ("What is 5FU?", ["5-FU"]),
        ("what is 5 FU", ["5-FU"]),
        ("what is msi h?", ["microsatellite instability"]),
        ("trastuzamab for stomach cancer", ["trastuzumab"]),
        ("radiotherapy for gastric cancer bleeding", ["blockages"]),
        (
            "Can immunotherapy be used for small bowel cancer?",
            ["checkpoint", "Immunotherapy drugs may"],
        ),
        (
            "Hi there, my dad has stomach cancer that came back and I was wondering whether "
            "Herceptin would help him? Thanks so much",
            ["trastuzumab"],
        ),
        ("What does dMMR mean?", ["mismatch repair deficiency"]),
        (
            "Is Vitrakvi a treatment for small bowel cancer with NTRK fusion?",
            ["larotrectinib"],
        ),
        ("feeding tube before stomach surgery", ["nasogastric"]),
        ("what is pembrolizumab", ["Keytruda"]),
        ("Opdivo for small intestine cancer", ["nivolumab"]),
        ("what is palliative surgery", ["palliative surgery"]),
        ("HER-2 positive stomach cancer treatment", ["trastuzumab"]),
        ("rozlytrek", ["entrectinib"]),
        ("is there surgery for a hole in the bowel", ["perforation"]),
        ("Can my tummy cancer be treated with radiotherapy?", ["Radiation"]),
        ("What chemo drugs for stomach cancer", ["Chemotherapy"]),
        ("What is FOLFIRI?", ["irinotecan"]),
        ("what is capox", ["capecitabine"]),
        ("jemperli", ["dostarlimab"]),
        ("pembrolizumav for small intestine cancer", ["pembrolizumab"]),
    ],
)
def test_patients_words_find_the_answer(index, question, expected_any):
    hits = passages_for(index, question, top_k=1)
    assert hits, f"nothing found for {question!r}"
    assert any(word.lower() in hits[0].passage.text.lower() for word in expected_any)


def test_chatter_is_not_searched(index):
    query = understand(
        index, "Hi, I was wondering, could you please tell me what FOLFOX is? Thanks"
    )
    assert query.own_terms == ("folfox",)


def test_an_unknown_word_is_corrected_to_the_closest_index_term(index):
    assert understand(index, "chemoterapy").corrections == {
        "chemoterapi": "chemotherapi"
    }


def test_a_known_word_is_never_corrected(index):
    assert understand(index, "surgery").corrections == {}


def test_pieces_written_apart_are_joined_when_the_corpus_writes_them_together(index):
    assert "5fu" in understand(index, "5 FU").own_terms
    assert "her2" in understand(index, "HER 2").own_terms


def test_lay_words_search_the_documents_words_at_full_weight(index):
    weights = understand(index, "small bowel").weights
    assert weights["intestin"] > 0.95  # "bowel" is no everyday word: nearly 1
    assert weights["bowel"] == pytest.approx(weights["intestin"] / 2)


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("pembrolizumab (Keytruda)", (("keytruda",), ("pembrolizumab",))),
        ("a drug called Herceptin® (trastuzumab).", (("trastuzumab",), ("herceptin",))),
        (
            "defined as high microsatellite instability (MSI-H) or",
            (("msih", "msi"), ("high", "microsatellit", "instabl")),
        ),
        (
            "a protein known as HER2 (human epidermal growth factor receptor 2)",
            (("her2",), ("human", "epiderm", "growth", "factor", "receptor", "2")),
        ),
        (
            "5-fluorouracil (also called 5-FU or fluorouracil)",
            (("fluorouracil",), ("5fluorouracil", "5", "fluorouracil")),
        ),
    ],
)
def test_aliases_are_learnt_from_the_corpus_both_ways(text, pair):
    learnt = learn_aliases([text])
    assert pair in learnt
    assert (pair[1], pair[0]) in learnt


@pytest.mark.parametrize(
    "text",
    [
        "the tumour is too big to be removed with surgery (unresectable).",
        "a blockage in the intestine (called a bowel obstruction)",
        "specific molecules (such as proteins) on cancer cells",
    ],
)
def test_an_explanation_in_brackets_is_no_alias(text):
    assert learn_aliases([text]) == []


def test_an_alias_of_a_word_found_all_over_a_large_corpus_is_not_kept(tmp_path):
    """'Hansen disease (also called leprosy)' is a misread pair: neither every 'disease'
    question searches 'leprosy' nor 'leprosy' adds 'disease'."""
    entries = [
        {
            "id": "hansen",
            "question": "What is Hansen disease?",
            "answer": "Hansen disease (also called leprosy) is an infection of the skin.",
        },
        *(
            {
                "id": f"q{n}",
                "question": f"What is disease number {n}?",
                "answer": f"This disease is a condition of organ {n} and its cells.",
            }
            for n in range(150)
        ),
    ]
    corpus = tmp_path / "faq.jsonl"
    corpus.write_text("".join(json.dumps(e) + "\n" for e in entries), "utf-8")
    build_index(corpus, tmp_path / "index")
    index = load_index(tmp_path / "index")
    assert "diseas" not in index.aliases and "leprosi" not in index.aliases
    assert understand(index, "Which disease affects organ 7?").aliases == ()
    assert understand(index, "What is leprosy?").aliases == ()


def test_a_word_the_index_lacks_weighs_by_how_informative_it_is_in_english(index):
    from bot.answer.informativeness import english_informativeness

    assert english_informativeness("actually") < 0.4 < english_informativeness("breast")
    assert english_informativeness("pancreatic") == 1.0
    assert english_informativeness("diferent") < 0.3  # a typo of an everyday word
    assert english_informativeness("82") == 0.0  # an age, a date
    asked = understand(index, "is pancreatic cancer treated in people").subject_idf
    assert asked["pancreat"] > 3 * asked["peopl"]


@pytest.mark.parametrize(
    ("question", "dropped"),
    [
        ("whats folfox", "what"),
        ("my dads cancer is back", "dad"),
        ("mums chemo dont work", "mum"),
        ("what is folfox actually", "actual"),
        ("basically what is capox", "basic"),
    ],
)
def test_words_without_a_topic_are_not_the_questions_terms(index, question, dropped):
    assert not any(
        term.startswith(dropped) for term in understand(index, question).own_terms
    )


def test_a_drug_name_cut_short_is_read_whole(index):
    assert understand(index, "is trastu given with chemo").corrections == {
        "trastu": "trastuzumab"
    }


def test_shorthand_patients_use_searches_the_documents_words(index):
    weights = understand(
        index, "can rads or immuno help mets, should i see an onc or get an ng tube"
    ).weights
    assert {"radiat", "immunotherapi", "oncologist", "metastat", "nasogastr"} <= set(
        weights
    )


def test_whether_something_matters_is_whether_it_is_important(index):
    query = understand(index, "does it matter where he gets his gastric cancer treated")
    assert "import" in query.weights
    best = search(index, query, top_k=1)[0]
    assert "It is important for patients to be treated" in best.passage.text


@pytest.mark.parametrize(
    "question",
    [
        "the onc said the tumor is unresectable",
        "the onc keeps saying the tumor is unresectable",
        "the gi doc said the tumor is unresectable",
        "the onc brought up that the tumor is unresectable lol",
        "the onc checked and the tumor is unresectable",
    ],
)
def test_who_said_it_is_not_what_is_asked(index, question):
    own = understand(index, question).own_terms
    assert not {"onc", "gi", "doc", "say", "said", "brought", "lol", "check"} & set(own)
    assert "unresect" in own


def test_a_lay_word_weighs_as_the_documents_word_it_stands_for(index):
    query = understand(index, "chemo for small bowel cancer")
    assert query.idf["chemo"] < index.idf("chemo")  # not as the rarest word
    assert query.idf["chemo"] <= index.idf("chemotherapi")


@pytest.mark.parametrize(
    "question",
    ["what does recurrent mean", "the chemo stopped working, whats that called"],
)
def test_a_question_asking_what_something_is_called_prefers_a_definition(
    index, question
):
    from bot.answer.ranking import DEFINES

    query = understand(index, question)
    assert query.asks_definition
    assert DEFINES.search(search(index, query, top_k=1)[0].passage.text)


def test_pieces_joined_weigh_nothing_more_than_their_words(index):
    query = understand(index, "her2 positive gastric cancer")
    assert "her2posit" in query.own_terms
    assert query.idf["her2posit"] == 0.0 < query.idf["her2"]


def test_life_expectancy_is_not_what_to_expect():
    from bot.ingest.tokenization import terms

    assert terms("life expectancy") != terms("life expect")
    assert terms("clinical trials")[0] != terms("the clinic")[0]


def test_a_lay_phrase_the_documents_say_two_ways_counts_once_in_a_passage(index):
    # "live longer" is searched as "survival" and as "prolong life": the Herceptin
    # passage's "prolong survival" must not score it twice over the chemotherapy
    # passage's "extend survival".
    query = understand(index, "is it true chemo makes people live longer if gastric ca")
    assert any(
        first == ("surviv",) and "prolong" in added
        for first, added in query.second_ways
    )
    best = search(index, query, top_k=1)[0].passage.text
    assert best.startswith("Chemotherapy is the main treatment")


def test_a_texting_spelling_weighs_as_the_word_it_stands_for(index):
    asked = understand(index, "how long do ppl live with pancreatic cancer").subject_idf
    assert asked["peopl"] == 0.0  # as "people", not as a rare word


def test_any_of_the_care_team_answers_for_the_one_asked(index):
    # The documents say "physician" and "doctor"; the patient says "onc".
    query = understand(index, "do i need to ask my onc about trials i could join")
    best = search(index, query, top_k=1)[0]
    assert "onc" in query.covered_terms(best.matched_terms)
    assert coverage(query, best) > 0.95  # all but the everyday "need"


def test_the_word_a_question_asks_for_is_not_its_subject(index):
    query = understand(index, "whats the word for a tumour too big to remove")
    assert query.asks_definition and "word" in query.vague_terms


def test_picking_a_treatment_is_choosing_it(index):
    assert "choic" in understand(index, "how do they pick a chemo regimen").weights


@pytest.mark.parametrize(
    "question", ["whats msi-h", "what’s msi-h", "what's msi-h", "what even is msi-h"]
)
def test_what_is_typed_any_way_asks_for_a_definition(index, question):
    assert understand(index, question).asks_definition


def test_a_lay_phrase_holding_a_word_without_a_topic_still_applies(index):
    # "get" alone says nothing and is dropped, but "get ready" is a lay phrase.
    query = understand(index, "how do i get my dad ready before the op")
    assert "get" not in query.own_terms and "prepar" in query.weights
    best = search(index, query, top_k=1)[0]
    assert "adequate preparation" in best.passage.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("has there been any progress in treating stomach cancer", "The progress"),
        ("dads stomach cancer is progressing, what now", "experiencing progression"),
    ],
)
def test_a_cancer_progressing_is_not_progress_in_treating_it(index, question, expected):
    best = search(index, understand(index, question), top_k=1)[0]
    assert expected in best.passage.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("why does it matter if side effects delay her treatment", "planned dose"),
        ("what kind of hospital should treat his gastric cancer", "medical center"),
        (
            "is radiation for small bowel cancer meant to cure it",
            "palliative treatment",
        ),
        ("has gastric cancer treatment got better", "The progress that has been made"),
        (
            "do protein shakes help him live longer with stomach ca",
            "nutritional support",
        ),
        ("if the tumour makes a hole in the bowel can they fix it", "repair a hole"),
        ("food gets stuck from his stomach tumour, can rads help", "blockages"),
        ("is there nothing left to try for stomach cancer", "additional treatment"),
    ],
)
def test_a_patients_concept_finds_the_documents_word_for_it(index, question, expected):
    # Later than planned is off schedule; a hospital is a medical center; whether a
    # treatment is meant to cure is whether it is palliative.
    from bot.answer.conversation import Conversation
    from bot.answer.retrieval import retrieve

    found = retrieve(index, question, Conversation())
    assert found.kind == "answer" and expected in found.hits[0].passage.text


def test_who_decides_is_not_asked_but_the_deciding_is(index):
    query = understand(
        index, "how does the onc pick which chemo regimen for gastric ca"
    )
    assert "onc" not in query.own_terms and "pick" in query.own_terms
    assert "choic" in query.weights  # picking is choosing: "the choice of which to use"


def test_a_passage_on_treatment_in_general_answers_for_a_kind_of_treatment(index):
    from bot.answer.conversation import Conversation
    from bot.answer.retrieval import retrieve

    found = retrieve(
        index, "why does it matter if side effects delay my chemo", Conversation()
    )
    assert found.kind == "answer"
    assert "planned dose and schedule" in found.hits[0].passage.text
    # The ranking is the same as without: a passage naming the kind still leads.
    from dataclasses import replace

    query = understand(index, "is chemo given for advanced stomach cancer")
    assert "chemo" not in query.covered_terms(frozenset({"treatment"}))
    assert "chemo" in query.answered_terms(frozenset({"treatment"}))
    ranked = [(h.passage.passage_id, h.score) for h in search(index, query, top_k=10)]
    without = replace(query, treatment_kinds=())
    assert ranked == [
        (h.passage.passage_id, h.score) for h in search(index, without, 10)
    ]


def test_a_generic_word_the_documents_have_a_word_for_is_asked(index):
    # "pay" has no word in the documents: it says nothing of what they cover. "decide"
    # has one ("depends on"): a passage saying what it depends on answers it.
    assert "pay" in understand(index, "will my plan pay for immuno").vague_terms
    query = understand(
        index, "how do doctors decide what treatment to give for gastric ca"
    )
    assert "decid" in query.subject_idf
    best = search(index, query, top_k=1)[0]
    assert "depends on multiple factors" in best.passage.text


def test_the_word_whose_meaning_is_asked_is_defined_first_whatever_the_story(index):
    question = "my mum is 80 and her gastric cancer is back after the op, what does recurrent mean"
    query = understand(index, question)
    assert query.meaning_asked == ("recurr",)
    from bot.answer.conversation import Conversation
    from bot.answer.retrieval import retrieve

    found = retrieve(index, question, Conversation())
    assert found.hits[0].passage.text.startswith("Recurrent stomach cancer")
    # Only passages defining it: not the surgery passage the story also matches.
    assert all("recurrent" in hit.passage.text.lower() for hit in found.hits)
    assert not any("surgery may be performed" in hit.passage.text for hit in found.hits)


def test_a_definition_names_its_word_in_the_same_sentence():
    from bot.answer.ranking import defines

    text = "It has metastasized. This is called palliative surgery."
    assert not defines(text, {"metastas"})  # another sentence
    assert defines(text, {"palliat"})  # "is called" names what follows
    assert defines("Recurrent cancer means it came back.", {"recurr"})
    assert defines("Immunotherapy (also called biological therapy)", {"biolog"})


@pytest.mark.parametrize(
    "question",
    [
        "the biopsy report says the tumor is unresectable",
        "her ct showed the tumor is unresectable",
        "results say the tumor is unresectable",
    ],
)
def test_what_a_report_says_is_asked_not_the_report(index, question):
    own = set(understand(index, question).own_terms)
    assert not own & {"biopsi", "report", "ct", "show", "result", "say"}
    assert "unresect" in own


@pytest.mark.parametrize(
    "question",
    ["can he keep working during chemo", "can i go back to work part time during rads"],
)
def test_a_subject_the_documents_have_no_word_for_weighs_as_that_word(index, question):
    # "keep" and "work" are everyday words, but "keep working" asks about employment,
    # which the documents never mention: no answer, however well "chemo" matches.
    from bot.answer.conversation import Conversation
    from bot.answer.retrieval import retrieve

    assert retrieve(index, question, Conversation()).kind == "no_answer"


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("what does it actually mean when they say the cancer is recurrent", "recurr"),
        ("what do they mean by palliative?", "palliat"),
        ("whats the meaning of refractory?", "refractori"),
    ],
)
def test_the_word_whose_meaning_is_asked_is_read_in_any_wording(index, question, asked):
    assert asked in understand(index, question).meaning_asked


def test_bodily_is_of_the_body():
    from bot.ingest.tokenization import terms

    assert terms("bodily") == terms("body")


@pytest.mark.parametrize(
    ("question", "not_asked"),
    [
        ("which drugs r in folfoxiri", {"r"}),
        ("folfiri what does it stand for drug wise", {"stand", "wise"}),
        ("how does immunotherapy work in plain english", {"plain", "english"}),
        ("what does refractory mean, the onc used that word", {"word"}),
        ("im so overwhelmed, what is capox", {"overwhelm"}),
    ],
)
def test_words_that_only_frame_the_question_count_for_nothing(
    index, question, not_asked
):
    query = understand(index, question)
    assert not not_asked & set(query.subject_idf), query.subject_idf
