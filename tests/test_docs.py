"""The README keeps up with the code."""

import re

from bot.config import setting_names

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_every_setting_is_in_the_readme_table():
    documented = set(re.findall(r"^\| [^|]+ \| `(\w+)` \|", README, re.M))
    assert documented == set(setting_names())


def test_every_variable_the_code_reads_is_documented():
    code = (ROOT / "bot" / "config.py").read_text("utf-8")
    assert set(re.findall(r'"(FAQBOT_\w+)"', code)) <= set(
        re.findall(r"FAQBOT_\w+", README)
    )


def test_the_readme_gives_the_two_commands():
    assert "    make run\n" in README and "    make test\n" in README
