"""Properties that hold for any input (Hypothesis): the chat API, tokenizer, passages.

Example counts are modest so the suite stays fast; nothing is written to disk.
"""

from __future__ import annotations

import json

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from bot.ingest.passages import (
    BOILERPLATE_HEADING,
    LINK_TEASER,
    MAX_LABEL_CHARS,
    is_list,
    split_into_passages,
)
from bot.ingest.readers import faq, text
from bot.ingest.tokenization import ASCII_WORDS, terms, tokenize, words
from bot.ingest.tokenization import WORDS as WORDS_PATTERN
from bot.models import Document
from bot.web.app import create_app

from .test_web import ERROR_CODES, assert_valid_reply

FAST = hypothesis.settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SLOWER = hypothesis.settings(FAST, max_examples=50)  # whole documents take longer


@pytest.fixture(scope="module")
def api(settings):
    return create_app(settings).test_client()


def assert_reply_or_spec_error(response, allowed: set[int]) -> None:
    """A valid reply, or a SPEC error of an allowed status: never a 500."""
    assert response.status_code in allowed | {200}
    body = response.get_json()
    if response.status_code == 200:
        assert_valid_reply(body)
    else:
        assert list(body) == ["error"]
        assert body["error"]["code"] in ERROR_CODES[response.status_code]
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]


# The chat API: whatever arrives, a reply or an error of SPEC.md comes back.

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(message=st.text(max_size=1100))
def test_any_message_gets_a_reply_or_a_reason(api, message):
    response = api.post("/api/chat", json={"message": message})
    if 1 <= len(message.strip()) <= 1000:
        assert response.status_code == 200
        assert_valid_reply(response.get_json())
    else:
        assert response.get_json()["error"]["code"] == "invalid_request"


@FAST
@given(message=st.text(min_size=1, max_size=200), context=st.text(max_size=300))
def test_any_context_is_used_or_ignored_never_an_error(api, message, context):
    response = api.post("/api/chat", json={"message": message, "context": context})
    assert_reply_or_spec_error(response, {400})
    if response.status_code == 400:
        assert not message.strip()


def _fits_64_bits(value) -> bool:
    """Whether every integer in a JSON value fits the 64 bits a context's JSON holds."""
    if isinstance(value, bool) or not isinstance(value, int | list | dict):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**64
    items = value.values() if isinstance(value, dict) else value
    return all(_fits_64_bits(item) for item in items)


@FAST
@given(
    message=st.sampled_from(["What about surgery?", "tell me more", "stomach", "yes"]),
    state=st.dictionaries(
        st.sampled_from(["d", "t", "s", "q", "c", "x"]),
        json_values.filter(_fits_64_bits),
        max_size=5,
    ),
)
def test_any_state_in_a_signed_context_is_used_or_ignored(
    api, settings, message, state
):
    """Even a context signed with the bot's own key (a leaked key, an old version's
    context) holding odd values gets a reply, never a 500."""
    from bot.answer.context import encode_context
    from bot.answer.replies import ReplySettings

    key = ReplySettings.from_settings(settings).context_key
    context = encode_context(state, key)
    response = api.post("/api/chat", json={"message": message, "context": context})
    assert response.status_code == 200
    assert_valid_reply(response.get_json())


@FAST
@given(
    body=json_values
    | st.dictionaries(
        st.sampled_from(["message", "context", "extra"]), json_values, max_size=3
    )
)
def test_any_json_value_gets_a_reply_or_a_spec_error(api, body):
    response = api.post(
        "/api/chat", data=json.dumps(body), content_type="application/json"
    )
    assert_reply_or_spec_error(response, {400, 413})


@FAST
@given(
    data=st.binary(max_size=300),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/json; charset=latin-1"]
    ),
)
def test_any_bytes_get_a_reply_or_a_spec_error(api, data, content_type):
    response = api.post("/api/chat", data=data, content_type=content_type)
    assert_reply_or_spec_error(response, {400, 413, 415})


# The tokenizer: spans point into the text, terms are words.


@FAST
@given(st.text(max_size=300))
def test_token_spans_point_at_words_of_the_text(any_text):
    tokens = tokenize(any_text)
    for token in tokens:
        assert 0 <= token.start < token.end <= len(any_text)
        assert not any(c.isspace() for c in any_text[token.start : token.end])
        assert isinstance(token.term, str) and token.term
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)
    assert terms(any_text) == [t.term for t in tokens]


@FAST
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=300))
def test_ascii_text_gives_both_word_engines_the_same_words(ascii_text):
    found = [(m.group(), m.span()) for m in WORDS_PATTERN.finditer(ascii_text)]
    assert [(m.group(), m.span()) for m in ASCII_WORDS.finditer(ascii_text)] == found


@FAST
@given(st.text(max_size=300))
def test_words_are_those_of_the_regex_engine_in_any_text(any_text):
    found = [(m.group(), *m.span()) for m in WORDS_PATTERN.finditer(any_text)]
    assert words(any_text) == found


# The passage splitter: passages are exact, ordered, non-overlapping slices of one
# section each, and no text is lost except the documented boilerplate.

WORDS = st.sampled_from(
    "cancer treatment chemotherapy surgery the patient may be offered drugs such as "
    "FOLFOX 5-FU HER2 radiation therapy bleeding nutrition trial care".split()
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=14).map(
    lambda w: " ".join(w).capitalize()
)
PARAGRAPH = st.one_of(
    st.lists(SENTENCE, min_size=1, max_size=12).map(lambda s: ". ".join(s) + "."),
    st.lists(SENTENCE, min_size=1, max_size=5).map(
        lambda items: "\n".join(f"  • {item}" for item in items)
    ),
    SENTENCE.map(lambda s: s + ":"),  # a lead sentence or an empty label
    SENTENCE,  # a heading when short enough
    st.just("Find out more about chemotherapy."),
    st.just("Related Posts:"),
)
SEPARATOR = st.sampled_from(["\n\n", "\n\n\n", "\n \n"])


@st.composite
def plain_texts(draw):
    """Text in the shape of a web extract: paragraphs, lists, headings and gaps."""
    paragraphs = draw(st.lists(PARAGRAPH, min_size=1, max_size=15))
    text = paragraphs[0]
    for paragraph in paragraphs[1:]:
        text += draw(SEPARATOR) + paragraph
    return text


def document_of(any_text: str) -> Document:
    return text.parse(any_text, "doc", {}, [])


def assert_exact_ordered_slices(document: Document) -> None:
    passages = split_into_passages(document)
    previous_end = 0
    for passage in passages:
        assert document.text[passage.start : passage.end] == passage.text
        assert passage.start >= previous_end
        previous_end = passage.end
        assert passage.text.strip() == passage.text and passage.text
        sections = [
            section
            for section in document.sections
            if section.paragraphs
            and section.paragraphs[0][0] <= passage.start
            and passage.end <= section.paragraphs[-1][1]
        ]
        assert len(sections) == 1, "a passage crosses a section boundary"
    assert [p.passage_id for p in split_into_passages(document)] == [
        p.passage_id for p in passages
    ]


def is_boilerplate(document: Document, section, number: int) -> bool:
    """A paragraph passages.py documents as left out."""
    start, end = section.paragraphs[number]
    block = document.text[start:end].strip()
    following = section.paragraphs[number + 1 : number + 2]
    list_follows = bool(following) and is_list(document.text[slice(*following[0])])
    return (
        bool(BOILERPLATE_HEADING.search(section.heading))
        or (bool(LINK_TEASER.match(block)) and len(block) < 160)
        or (block.endswith(":") and len(block) <= MAX_LABEL_CHARS and not list_follows)
    )


def assert_no_text_lost(document: Document) -> None:
    covered = set()
    for passage in split_into_passages(document):
        covered.update(range(passage.start, passage.end))
    for section in document.sections:
        for number, (start, end) in enumerate(section.paragraphs):
            if is_boilerplate(document, section, number):
                continue
            lost = [
                i
                for i in range(start, end)
                if not document.text[i].isspace() and i not in covered
            ]
            assert not lost, f"lost {document.text[start:end]!r}"


@SLOWER
@given(plain_texts())
def test_passages_of_web_extracts_are_exact_ordered_slices(any_text):
    assert_exact_ordered_slices(document_of(any_text))


@SLOWER
@given(plain_texts())
def test_passages_of_web_extracts_lose_no_text_but_boilerplate(any_text):
    assert_no_text_lost(document_of(any_text))


@FAST
@given(st.text(max_size=2000))
def test_passages_of_any_text_are_exact_slices_and_lose_nothing(any_text):
    document = document_of(any_text)
    assert_exact_ordered_slices(document)
    assert_no_text_lost(document)


@FAST
@given(
    question=st.text(min_size=1, max_size=200).filter(str.strip),
    answer=st.text(min_size=1, max_size=2000).filter(str.strip),
)
def test_passages_of_faq_entries_are_exact_slices_and_lose_nothing(question, answer):
    entry = {"id": "e1", "question": question, "answer": answer, "title": "", "url": ""}
    document = faq.entry_document(entry)
    assert_exact_ordered_slices(document)
    assert_no_text_lost(document)
