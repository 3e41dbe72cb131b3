"""Every tunable value of the bot and its default; the only reader of FAQBOT_* variables."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import ConfigError

RATE_LIMIT_FORM = re.compile(r"^\s*\d+\s*(/|per)\s*(second|minute|hour|day)s?\s*$", re.I)


@dataclass(frozen=True)
class Settings:
    """Every tunable value of the bot, with its default."""

    corpus_dir: Path = Path("corpus")  # FAQBOT_CORPUS
    index_dir: Path = Path("index")  # FAQBOT_INDEX
    allowed_origins: tuple[str, ...] = ()  # FAQBOT_ALLOWED_ORIGINS: sites that embed the widget
    rate_limit: str = "30/minute"  # FAQBOT_RATE_LIMIT; "off" disables it
    redis_url: str | None = None  # FAQBOT_REDIS_URL: share rate limits through Redis
    max_message_chars: int = 1000
    max_context_chars: int = 4096
    max_body_bytes: int = 16 * 1024
    answers_per_reply: int = 3

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from FAQBOT_* variables; a bad value raises ConfigError naming it."""
        env = os.environ if environ is None else environ
        values: dict = {}
        if env.get("FAQBOT_CORPUS"):
            values["corpus_dir"] = Path(env["FAQBOT_CORPUS"])
        if env.get("FAQBOT_INDEX"):
            values["index_dir"] = Path(env["FAQBOT_INDEX"])
        if "FAQBOT_ALLOWED_ORIGINS" in env:
            values["allowed_origins"] = parse_origins(env["FAQBOT_ALLOWED_ORIGINS"])
        if env.get("FAQBOT_RATE_LIMIT"):
            values["rate_limit"] = parse_rate_limit(env["FAQBOT_RATE_LIMIT"])
        if env.get("FAQBOT_REDIS_URL"):
            values["redis_url"] = parse_redis_url(env["FAQBOT_REDIS_URL"])
        return cls(**values)

    def with_changes(self, **changes) -> Settings:
        """A copy with some values replaced (for the CLI's options and for tests)."""
        return replace(self, **changes)


def parse_origins(value: str) -> tuple[str, ...]:
    """Comma-separated origins such as https://clinic.example; each is scheme://host[:port]."""
    origins = tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", origin):
            raise ConfigError(
                f"FAQBOT_ALLOWED_ORIGINS: {origin!r} is not an origin "
                "(expected scheme://host[:port], e.g. https://clinic.example)"
            )
    return origins


def parse_rate_limit(value: str) -> str:
    """A limit such as 30/minute, or off."""
    if value.strip().lower() == "off":
        return "off"
    if not RATE_LIMIT_FORM.match(value):
        raise ConfigError(
            f"FAQBOT_RATE_LIMIT: {value!r} is not a rate "
            "(expected COUNT/PERIOD such as 30/minute, or off)"
        )
    return value.strip()


def parse_redis_url(value: str) -> str:
    """A redis:// or rediss:// URL."""
    if not re.match(r"^rediss?://", value.strip()):
        raise ConfigError(
            f"FAQBOT_REDIS_URL: {value!r} is not a Redis URL (expected redis://host:port/db)"
        )
    return value.strip()


def setting_names() -> list[str]:
    """The names of all settings, for the docs test."""
    return [f.name for f in fields(Settings)]
