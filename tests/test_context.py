import pytest

from bot.context import decode_context, encode_context

KEY = b"k" * 32


def test_a_context_round_trips():
    state = {"d": "000_aadc4980c00b5d17", "q": "What targeted therapies are there?"}
    assert decode_context(encode_context(state, KEY), KEY) == state


@pytest.mark.parametrize("token", [None, "", "not base64!", "AAAA", "x" * 4096])
def test_garbage_decodes_to_a_new_conversation(token):
    assert decode_context(token, KEY) is None


def test_a_changed_context_is_not_trusted():
    token = encode_context({"d": "a"}, KEY)
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    assert decode_context(flipped, KEY) is None
    assert decode_context(token, b"another key") is None


def test_a_context_stays_small():
    state = {"d": "000_aadc4980c00b5d17", "q": "x" * 300, "c": ["a" * 40] * 3}
    assert len(encode_context(state, KEY)) < 1000
