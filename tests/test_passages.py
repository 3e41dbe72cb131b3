import pytest

from bot.ingest.passages import split_into_passages

from .conftest import CORPUS
from .oracles import load_corpus


@pytest.fixture(scope="module")
def passages():
    corpus = load_corpus(CORPUS)
    return [p for document in corpus.documents for p in split_into_passages(document)]


def passage_with(passages, phrase):
    found = [p for p in passages if phrase in p.text]
    assert len(found) == 1, f"{phrase!r} is in {len(found)} passages"
    return found[0]


def test_a_list_stays_with_the_sentence_that_introduces_it(passages):
    passage = passage_with(passages, "FOLFOX – leucovorin")
    assert (
        "combinations offered for recurrent small intestine adenocarcinoma cancer are:"
        in passage.text
    )
    assert "FOLFOXIRI" in passage.text


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Related Posts:",
        "Find out more about",
        "Read more on",
        "Last medical review",
        "Shahid Ahmed",
    ],
)
def test_boilerplate_is_no_passage(passages, boilerplate):
    assert not [p for p in passages if boilerplate in p.text]


@pytest.mark.parametrize(
    ("phrase", "section"),
    [
        ("larotrectinib", "Targeted therapy"),
        ("HER2-targeting", "Targeted Therapy"),
        ("malnourished", "Nutritional Support"),
        # These parts of the first document lost their headings: no section, never a wrong one.
        ("pembrolizumab", ""),
        ("FOLFOX – leucovorin", ""),
        ("surgical bypass", ""),
    ],
)
def test_each_passage_is_cited_under_its_own_section(passages, phrase, section):
    assert passage_with(passages, phrase).section == section


def test_passages_are_exact_slices_of_their_document():
    for document in load_corpus(CORPUS).documents:
        for passage in split_into_passages(document):
            assert document.text[passage.start : passage.end] == passage.text


def test_passages_fit_a_chat_bubble(passages):
    assert max(len(p.text) for p in passages) <= 800
    assert min(len(p.text) for p in passages) >= 100


def test_passage_ids_are_stable_across_rebuilds(passages):
    again = [p for d in load_corpus(CORPUS).documents for p in split_into_passages(d)]
    assert [p.passage_id for p in again] == [p.passage_id for p in passages]
    assert len({p.passage_id for p in passages}) == len(passages)
