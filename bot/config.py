"""Every tunable value of the bot and its default; the only reader of FAQBOT_* variables."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from bot.errors import ConfigError

RATE_LIMIT_FORM = re.compile(
    r"^\s*0*[1-9]\d*\s*(/|per)\s*(second|minute|hour|day)s?\s*$", re.I
)


@dataclass(frozen=True)
class Settings:
    """Every tunable value of the bot, with its default."""

    corpus_dir: Path = Path("corpus")  # FAQBOT_CORPUS
    index_dir: Path = Path("index")  # FAQBOT_INDEX
    # FAQBOT_ALLOWED_ORIGINS: the clinic sites whose pages embed the widget
    allowed_origins: tuple[str, ...] = ()
    rate_limit: str = "30/minute"  # FAQBOT_RATE_LIMIT; "off" disables it
    redis_url: str | None = None  # FAQBOT_REDIS_URL: share rate limits through Redis
    # FAQBOT_EMERGENCY_NUMBER: said first in urgent replies
    emergency_number: str = "911"
    # FAQBOT_CRISIS_LINE: offered with emergency services for suicidal thoughts
    crisis_line: str = "988"
    # FAQBOT_POISON_LINE: offered with emergency services for a swallowed medicine
    poison_line: str = "1-800-222-1222"
    # FAQBOT_CARE_LINE: the clinic's 24-hour number for urgent problems on treatment;
    # unset, urgent replies say to call the care team's 24-hour number or go to the ED
    care_line: str | None = None
    # FAQBOT_TRIAGE_RULES: a clinic's own red-flag rulebook, replacing the bundled one
    triage_rules: Path | None = None
    # FAQBOT_LOG_QUESTIONS: write question text to the log (patients' privacy!)
    log_questions: bool = False
    # FAQBOT_TRUSTED_PROXIES: proxies in front that set X-Forwarded-For and -Proto
    trusted_proxies: int = 0
    secret_key: str | None = None  # FAQBOT_SECRET_KEY: signs the follow-up context
    # FAQBOT_FILE_SECONDS: the most one corpus file (per MB, at least 1 MB) may take to
    # read while indexing; a slower one is reported and skipped
    file_seconds: float = 60.0
    # FAQBOT_FILE_MEMORY: the most memory (MB) one corpus file may take to read while
    # indexing; a file that needs more is reported and skipped; None ("off"): no bound
    file_memory: int | None = 1024
    # FAQBOT_INSIGHTS: keep the counts, votes and topics of Insights (never message text)
    insights: bool = True
    # FAQBOT_DATABASE_URL: where Insights are kept, sqlite:///PATH or postgresql://...;
    # None: SQLite in the instance folder
    database_url: str | None = None
    insights_days: int = 90  # FAQBOT_INSIGHTS_DAYS: how long Insights rows are kept
    admin_token: str | None = None  # FAQBOT_ADMIN_TOKEN: enables /admin, its sign-in
    max_message_chars: int = 1000
    max_context_chars: int = 4096
    max_body_bytes: int = 16 * 1024
    answers_per_reply: int = 3

    @property
    def instance_dir(self) -> Path:
        """Where the bot keeps what it makes for itself (the context key), beside the
        index and never in git."""
        return self.index_dir.parent / "instance"

    @property
    def insights_url(self) -> str:
        """The Insights database: FAQBOT_DATABASE_URL, or SQLite in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.instance_dir / 'insights.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from FAQBOT_* variables; a bad value raises ConfigError naming it."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for variable, (name, parse) in VARIABLES.items():
            value = env.get(variable)
            if value is None or (value == "" and variable not in EMPTY_IS_A_VALUE):
                continue
            values[name] = parse(value, variable)
        return cls(**values)

    def with_changes(self, **changes) -> Settings:
        """A copy with some values replaced (for the CLI's options and for tests)."""
        return replace(self, **changes)


def parse_origins(value: str) -> tuple[str, ...]:
    """Comma-separated origins such as https://clinic.example; each is scheme://host[:port]."""
    origins = tuple(
        part.strip().rstrip("/") for part in value.split(",") if part.strip()
    )
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
            "(expected COUNT/PERIOD, COUNT at least 1, such as 30/minute; or off)"
        )
    return value.strip()


def parse_seconds(value: str, variable: str) -> float:
    """A positive number of seconds, such as 60 or 2.5."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ConfigError(f"{variable}: {value!r} is not a positive number of seconds")
    return seconds


def parse_megabytes(value: str, variable: str) -> int | None:
    """A positive whole number of megabytes, such as 1024; or off (None)."""
    if value.strip().lower() == "off":
        return None
    if not value.strip().isdecimal() or int(value) < 1:
        raise ConfigError(
            f"{variable}: {value!r} is not a number of megabytes "
            "(expected a whole number such as 1024, or off)"
        )
    return int(value)


def parse_redis_url(value: str) -> str:
    """A redis:// or rediss:// URL."""
    if not re.match(r"^rediss?://", value.strip()):
        raise ConfigError(
            f"FAQBOT_REDIS_URL: {value!r} is not a Redis URL (expected redis://host:port/db)"
        )
    return value.strip()


def parse_phone(value: str, variable: str) -> str:
    """A number to call, such as 911, 112 or 1-800-273-8255."""
    if not re.fullmatch(r"\+?[0-9][0-9 \-]{1,19}", value.strip()):
        raise ConfigError(
            f"{variable}: {value!r} is not a phone number (expected e.g. 911)"
        )
    return value.strip()


def parse_rulebook(value: str) -> Path:
    """A red-flag rulebook file (its content is checked when the replies load it)."""
    path = Path(value.strip())
    if not path.is_file():
        raise ConfigError(
            f"FAQBOT_TRIAGE_RULES: {value!r} is not a file "
            "(expected a rulebook such as bot/answer/triage/data/triage_rules.toml)"
        )
    return path


def parse_switch(value: str, variable: str) -> bool:
    """on/off, true/false, yes/no, 1/0."""
    lowered = value.strip().lower()
    if lowered in ("1", "on", "true", "yes"):
        return True
    if lowered in ("0", "off", "false", "no"):
        return False
    raise ConfigError(f"{variable}: {value!r} is not on or off")


def parse_count(value: str, variable: str) -> int:
    """A whole number from 0 to 10."""
    if not value.strip().isdigit() or int(value) > 10:
        raise ConfigError(f"{variable}: {value!r} is not a whole number from 0 to 10")
    return int(value)


def parse_database_url(value: str) -> str:
    """sqlite:///PATH or postgresql://... (the Insights database)."""
    value = value.strip()
    if not re.match(r"^(sqlite:///.+|postgres(ql)?://.+)$", value):
        raise ConfigError(
            "FAQBOT_DATABASE_URL: expected sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    return value


def parse_days(value: str) -> int:
    """A whole number of days from 1 to 3650."""
    if not value.strip().isdigit() or not 1 <= int(value) <= 3650:
        raise ConfigError(
            f"FAQBOT_INSIGHTS_DAYS: {value!r} is not a number of days from 1 to 3650"
        )
    return int(value)


def parse_admin_token(value: str) -> str:
    """A sign-in token long enough not to be guessed: at least 16 characters."""
    if len(value.strip()) < 16:
        raise ConfigError(
            "FAQBOT_ADMIN_TOKEN: use at least 16 characters "
            "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe())')"
        )
    return value.strip()


def setting_names() -> list[str]:
    """The names of all settings, for the docs test."""
    return [f.name for f in fields(Settings)]


# Each FAQBOT_* variable: the setting it sets and how its text is read. An empty value
# leaves the default, except where empty says something (no origins, no number).
VARIABLES: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "FAQBOT_CORPUS": ("corpus_dir", lambda value, _: Path(value)),
    "FAQBOT_INDEX": ("index_dir", lambda value, _: Path(value)),
    "FAQBOT_ALLOWED_ORIGINS": (
        "allowed_origins",
        lambda value, _: parse_origins(value),
    ),
    "FAQBOT_RATE_LIMIT": ("rate_limit", lambda value, _: parse_rate_limit(value)),
    "FAQBOT_REDIS_URL": ("redis_url", lambda value, _: parse_redis_url(value)),
    "FAQBOT_EMERGENCY_NUMBER": ("emergency_number", parse_phone),
    "FAQBOT_CRISIS_LINE": ("crisis_line", parse_phone),
    "FAQBOT_POISON_LINE": ("poison_line", parse_phone),
    "FAQBOT_CARE_LINE": ("care_line", parse_phone),
    "FAQBOT_TRIAGE_RULES": ("triage_rules", lambda value, _: parse_rulebook(value)),
    "FAQBOT_LOG_QUESTIONS": ("log_questions", parse_switch),
    "FAQBOT_TRUSTED_PROXIES": ("trusted_proxies", parse_count),
    "FAQBOT_SECRET_KEY": ("secret_key", lambda value, _: value),
    "FAQBOT_FILE_SECONDS": ("file_seconds", parse_seconds),
    "FAQBOT_FILE_MEMORY": ("file_memory", parse_megabytes),
    "FAQBOT_INSIGHTS": ("insights", parse_switch),
    "FAQBOT_DATABASE_URL": ("database_url", lambda value, _: parse_database_url(value)),
    "FAQBOT_INSIGHTS_DAYS": ("insights_days", lambda value, _: parse_days(value)),
    "FAQBOT_ADMIN_TOKEN": ("admin_token", lambda value, _: parse_admin_token(value)),
}
EMPTY_IS_A_VALUE = frozenset(
    {
        "FAQBOT_ALLOWED_ORIGINS",
        "FAQBOT_EMERGENCY_NUMBER",
        "FAQBOT_CRISIS_LINE",
        "FAQBOT_POISON_LINE",
        "FAQBOT_CARE_LINE",
    }
)
