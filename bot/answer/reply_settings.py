"""The values a reply needs from the bot's settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.context import context_key
from bot.answer.triage.rulebook import Rulebook, RulebookError, load_rulebook
from bot.config import Settings
from bot.errors import ConfigError


@dataclass(frozen=True)
class ReplySettings:
    """The values replies need: how many passages, the numbers to call, the rulebook."""

    context_key: bytes
    answers_per_reply: int = 3
    emergency_number: str = "911"
    crisis_line: str = "988"
    poison_line: str = "1-800-222-1222"
    care_line: str | None = None
    rulebook: Rulebook | None = None  # None: the bundled one

    @classmethod
    def from_settings(cls, settings: Settings) -> ReplySettings:
        """The reply values of the bot's settings; ConfigError when the clinic's
        rulebook (FAQBOT_TRIAGE_RULES) does not load.

        The context key comes from FAQBOT_SECRET_KEY, or else is made on first start
        and kept in the instance folder (context.py): never from anything public.
        """
        try:
            rulebook = load_rulebook(settings.triage_rules)
        except RulebookError as error:
            raise ConfigError(f"FAQBOT_TRIAGE_RULES: {error}") from None
        return cls(
            context_key=context_key(settings.secret_key, settings.instance_dir),
            answers_per_reply=settings.answers_per_reply,
            emergency_number=settings.emergency_number,
            crisis_line=settings.crisis_line,
            poison_line=settings.poison_line,
            care_line=settings.care_line,
            rulebook=rulebook,
        )
