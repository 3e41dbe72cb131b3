import hashlib
import stat

import pytest

from bot.answer.context import SECRET_FILE, context_key, decode_context, encode_context
from bot.errors import ConfigError

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


def test_without_a_secret_a_random_key_is_made_once_and_kept_owner_only(tmp_path):
    first = context_key(None, tmp_path / "instance")
    path = tmp_path / "instance" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert context_key(None, tmp_path / "instance") == first  # a restart signs alike
    assert context_key(None, tmp_path / "other") != first  # random, not derived
    assert context_key("s3cret", tmp_path / "instance") != first


def test_a_folder_that_cannot_hold_the_key_says_what_to_do(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(ConfigError, match="set FAQBOT_SECRET_KEY"):
        context_key(None, blocked / "instance")


def test_the_public_corpus_fingerprint_no_longer_signs_contexts(index, chat):
    public = hashlib.sha256(
        b"faqbot-context\0" + index.manifest["corpus_fingerprint"].encode()
    ).digest()
    context = chat("What is FOLFOX?")["context"]
    assert context and decode_context(context, public) is None
