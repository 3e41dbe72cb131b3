"""Conversations through the HTTP API: follow-ups, clarify, no_answer, small talk, urgent."""

import pytest

from bot.answer.replies import CLARIFY, NO_ANSWER, NOTHING_MORE, SMALLTALK
from bot.config import Settings
from bot.errors import ConfigError
from bot.web.app import create_app

from .conftest import CORPUS, read_jsonl, shared_eval_file

SMALL_INTESTINE = "000_aadc4980c00b5d17"
STOMACH = "002_eb0bcc748443e6dc"


def converse(chat, messages):
    """Send the messages in turn, each with the previous reply's context."""
    replies, context = [], None
    for message in messages:
        reply = chat(message, context=context)
        replies.append(reply)
        context = reply["context"]
    return replies


def top_text(reply):
    return reply["answers"][0]["text"] if reply["answers"] else ""


def test_every_shared_conversation_passes(chat):
    for conversation in read_jsonl(shared_eval_file("conversations.jsonl")):
        replies = converse(chat, [turn["message"] for turn in conversation["turns"]])
        for turn, reply in zip(conversation["turns"], replies, strict=True):
            assert reply["kind"] == turn["kind"], (conversation["id"], turn["message"])
            if "top1_contains_any" in turn:
                assert any(
                    p.lower() in top_text(reply).lower()
                    for p in turn["top1_contains_any"]
                )


@pytest.mark.parametrize(
    ("messages", "document", "expected"),
    [
        (
            [
                "What chemotherapy is used for recurrent small intestine cancer?",
                "What about targeted therapy?",
            ],
            SMALL_INTESTINE,
            "NTRK",
        ),
        (
            ["Is Herceptin used for stomach cancer?", "What about targeted therapy?"],
            STOMACH,
            "HER2",
        ),
        (
            ["Is Herceptin used for stomach cancer?", "What about radiation therapy?"],
            STOMACH,
            "blockages",
        ),
        (
            ["What is FOLFOX?", "And radiation therapy?"],
            SMALL_INTESTINE,
            "palliative treatment",
        ),
        (
            [
                "Why is nutrition important before gastric surgery?",
                "what about surgery?",
            ],
            STOMACH,
            "surgery",
        ),
    ],
)
def test_a_follow_up_is_answered_from_the_previous_document(
    chat, messages, document, expected
):
    reply = converse(chat, messages)[-1]
    assert reply["kind"] == "answer"
    assert reply["answers"][0]["citation"]["document_id"] == document
    assert expected in top_text(reply)


def test_a_new_complete_question_is_not_dragged_back_to_the_old_topic(chat):
    replies = converse(
        chat,
        [
            "What chemotherapy is used for recurrent small intestine cancer?",
            "Is Herceptin used for stomach cancer?",
        ],
    )
    assert replies[-1]["answers"][0]["citation"]["document_id"] == STOMACH
    assert "trastuzumab" in top_text(replies[-1])


def test_small_talk_in_between_keeps_the_conversation(chat):
    replies = converse(
        chat, ["What is FOLFOX?", "thanks!", "What about targeted therapy?"]
    )
    assert replies[1]["kind"] == "smalltalk"
    assert replies[2]["answers"][0]["citation"]["document_id"] == SMALL_INTESTINE


@pytest.mark.parametrize(
    "question",
    ["What targeted therapies are there?", "chemotherapy", "What about surgery?"],
)
def test_a_question_fitting_both_documents_is_clarified(chat, question):
    reply = chat(question)
    assert reply["kind"] == "clarify"
    assert reply["reply"] == CLARIFY
    assert reply["answers"] == []
    assert sorted(reply["suggestions"]) == [
        "Treatment of recurrent stomach cancer",
        "Treatments for recurrent small intestine cancer",
    ]


@pytest.mark.parametrize(
    ("choice", "document", "expected"),
    [
        ("Treatments for recurrent small intestine cancer", SMALL_INTESTINE, "NTRK"),
        ("Treatment of recurrent stomach cancer", STOMACH, "HER2"),
        ("the stomach one", STOMACH, "HER2"),
        ("small bowel", SMALL_INTESTINE, "NTRK"),
    ],
)
def test_a_clarify_choice_answers_the_question_in_that_document(
    chat, choice, document, expected
):
    first = chat("What targeted therapies are there?")
    reply = chat(choice, context=first["context"])
    assert reply["kind"] == "answer"
    assert reply["answers"][0]["citation"]["document_id"] == document
    assert expected in top_text(reply)


@pytest.mark.parametrize(
    "question",
    [
        "What is FOLFOX?",
        "What is supportive care?",
        "Is Herceptin used for stomach cancer?",
    ],
)
def test_no_clarify_when_one_document_clearly_wins(chat, question):
    assert chat(question)["kind"] == "answer"


@pytest.mark.parametrize(
    "question",
    [
        "How do I renew my passport?",
        "What is the treatment for a broken arm?",
        "What chemotherapy is used for breast cancer?",
        "What time does the clinic open?",
    ],
)
def test_what_the_documents_do_not_cover_gets_no_answer(chat, question):
    reply = chat(question)
    assert (reply["kind"], reply["reply"], reply["answers"]) == (
        "no_answer",
        NO_ANSWER,
        [],
    )


def test_tell_me_more_gives_new_passages_then_says_when_there_are_none(chat):
    replies = converse(
        chat,
        [
            "What targeted therapy treats NTRK fusion?",
            "tell me more",
            "tell me more",
            "tell me more",
        ],
    )
    shown = [a["passage_id"] for r in replies for a in r["answers"]]
    assert len(shown) == len(set(shown))
    assert replies[1]["kind"] == "answer"
    assert replies[-1]["reply"] == NOTHING_MORE


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("hello", "greeting"),
        ("Good morning!", "greeting"),
        ("thanks!", "thanks"),
        ("thank you so much", "thanks"),
        ("bye", "goodbye"),
        ("who are you?", "identity"),
        ("are you a real person?", "identity"),
        ("what can you do?", "capabilities"),
    ],
)
def test_small_talk_gets_a_short_friendly_reply(chat, message, category):
    reply = chat(message)
    assert (reply["kind"], reply["reply"]) == ("smalltalk", SMALLTALK[category])
    assert reply["answers"] == []
    assert reply["suggestions"]


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("I have crushing chest pain and can't breathe", "chest_pain"),
        ("my husband collapsed and is not breathing", "collapse"),
        ("I'm vomiting blood", "bleeding"),
        ("hi, I'm bleeding heavily and it won't stop", "bleeding"),
    ],
)
def test_an_emergency_is_told_to_call_emergency_services_first(chat, message, category):
    reply = chat(message)
    assert reply["kind"] == "urgent"
    assert reply["reply"].startswith("This sounds like an emergency. Call 911 now")
    assert reply["urgency"] == {
        "level": "emergency",
        "category": category,
        "calls": [{"name": "Emergency services", "number": "911"}],
    }
    assert reply["answers"] == []


def test_suicidal_thoughts_also_get_the_crisis_line(chat):
    reply = chat("i cant do this anymore, everyone would be better off without me")
    assert reply["reply"].startswith("This sounds like an emergency. Call 911 now")
    assert "call or text 988" in reply["reply"]
    assert [call["number"] for call in reply["urgency"]["calls"]] == ["911", "988"]


def test_a_swallowed_medicine_also_gets_poison_control(chat):
    reply = chat(
        "my 3 year old got into my bag and swallowed some of my xeloda tablets"
    )
    assert reply["urgency"]["category"] == "overdose"
    assert "Poison Control at 1-800-222-1222" in reply["reply"]
    assert [call["number"] for call in reply["urgency"]["calls"]] == [
        "911",
        "1-800-222-1222",
    ]


def test_a_care_team_problem_without_a_care_line_gets_a_sentence_that_holds(chat):
    reply = chat("im on folfox and my temp is 38.6 right now and i cant stop shaking")
    assert reply["urgency"] == {
        "level": "care_team_now",
        "category": "fever",
        "calls": [],
    }
    assert reply["reply"] == (
        "This needs your cancer care team now. Call your cancer care team's 24-hour "
        "number now, or go to the nearest emergency department. If it gets worse, call "
        "911. Please do not wait for an answer from this chat."
    )


def chat_with(index_dir, **settings):
    """A chat function for an app with these settings."""
    app = create_app(
        Settings(corpus_dir=CORPUS, index_dir=index_dir, rate_limit="off", **settings)
    )
    client = app.test_client()
    return lambda message: client.post(
        "/api/chat", json={"message": message}
    ).get_json()


def test_every_number_to_call_is_the_clinics_setting(index_dir):
    chat = chat_with(
        index_dir,
        emergency_number="112",
        crisis_line="116 123",
        poison_line="0344 892 0111",
        care_line="020 7946 0000",
    )
    assert "Call 112 now" in chat("I want to end my life")["reply"]
    assert "116 123" in chat("I want to end my life")["reply"]
    assert "0344 892 0111" in chat("my toddler swallowed my morphine tablets")["reply"]
    fever = chat("my temp is 38.9 on chemo")
    assert "Call their 24-hour line, 020 7946 0000, now" in fever["reply"]
    assert fever["urgency"]["calls"] == [
        {"name": "Cancer care team, 24-hour line", "number": "020 7946 0000"}
    ]
    answered = chat("can chemo cause a fever?")
    assert "24-hour line (020 7946 0000)" in answered["reply"]


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("can chemo cause a fever?", "answer"),
        ("what should i do if i get a temperature during chemo", "no_answer"),
    ],
)
def test_a_question_about_a_red_flag_ends_with_its_safety_net(chat, message, kind):
    reply = chat(message)
    assert reply["kind"] == kind
    text, net, after = reply["reply"].partition(
        "If you are on treatment and your temperature is 38.0 °C (100.4 °F) or higher"
    )
    assert text and net and after.endswith("goes down.")  # the text, then the net


def test_an_ordinary_question_has_no_safety_net(chat):
    assert (
        chat("What is FOLFOX?")["reply"]
        == "Here is what our documents say about FOLFOX:"
    )


def test_a_clinic_rulebook_that_does_not_load_stops_start_up(index_dir, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[concepts\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="FAQBOT_TRIAGE_RULES: .* is not valid TOML"):
        chat_with(index_dir, triage_rules=rules)


def test_an_ordinary_question_with_alarming_words_is_answered(chat):
    reply = chat("Can radiation stop bleeding from a tumour?")
    assert reply["kind"] == "answer"
    assert "bleeding" in top_text(reply)


def test_an_answer_suggests_other_sections_of_its_document(chat):
    reply = chat("Is Herceptin used for stomach cancer?")
    assert [answer["citation"]["section"] for answer in reply["answers"]] == [
        "Targeted Therapy"
    ]
    assert reply["suggestions"] == [
        "What about treatment of stomach cancer?",
        "What about radiation therapy?",
        "What about nutritional support?",
    ]


def test_only_passages_that_answer_nearly_as_well_are_shown(chat, index):
    from bot.answer.retrieval import NEARLY_AS_WELL

    for question in ("What is FOLFOX?", "What is refractory stomach cancer?"):
        scores = [answer["score"] for answer in chat(question)["answers"]]
        assert scores and all(s >= NEARLY_AS_WELL * scores[0] for s in scores)


def test_highlights_mark_informative_words_not_the_everyday_ones(chat):
    reply = chat("Is Herceptin used for stomach cancer?")
    marked = {
        answer["text"][start:end].lower()
        for answer in reply["answers"]
        for start, end in answer["highlights"]
    }
    assert "herceptin" in marked
    assert marked.isdisjoint({"cancer", "used", "use"})


def lines_of(name):
    path = CORPUS.parent / "data" / name
    return [
        line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()
    ]


@pytest.mark.parametrize("question", lines_of("in_scope_questions.txt"))
def test_an_in_scope_question_is_answered(chat, question):
    assert chat(question)["kind"] == "answer"


@pytest.mark.parametrize("question", lines_of("out_of_scope_questions.txt"))
def test_an_out_of_scope_question_gets_no_answer(chat, question):
    assert chat(question)["kind"] == "no_answer"


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (["What is HER2?", "What is FOLFOX?"], "oxaliplatin"),
        (
            ["What is FOLFOX?", "What is HER2?"],
            "human epidermal growth factor receptor 2",
        ),
        (["Tell me about immunotherapy", "is it covered by drug plans?"], "drug plans"),
        (
            [
                "What is the treatment for recurrent stomach cancer?",
                "what about clinical trials?",
            ],
            "clinical trials",
        ),
    ],
)
def test_a_short_follow_up_narrows_to_its_own_words(chat, messages, expected):
    assert expected in top_text(converse(chat, messages)[-1])


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("what is folfox", "Here is what our documents say about FOLFOX:"),
        ("what is 5fu", "Here is what our documents say about 5-FU:"),
        ("keytruda", "Here is what our documents say about Keytruda:"),
        ("Is Herceptin used for?", "Here is what our documents say:"),
        (
            "and for stomach cancer?",
            "Here is what our documents say about stomach cancer:",
        ),
    ],
)
def test_the_lead_names_the_topic_as_the_documents_write_it(chat, question, lead):
    assert chat(question)["reply"] == lead


def test_what_a_thing_is_is_answered_though_both_documents_hold_it(chat):
    reply = chat("what is a clinical trial")
    assert reply["kind"] == "answer"
    assert "clinical trial" in top_text(reply).lower()
