"""The triage data shipped in the package: the TOML files of `data/`."""

from __future__ import annotations

import tomllib
from importlib import resources


def bundled_toml(name: str) -> dict:
    """A TOML file of the package's data/ folder, read."""
    data = resources.files("bot.answer.triage").joinpath("data", name)
    return tomllib.loads(data.read_text(encoding="utf-8"))
