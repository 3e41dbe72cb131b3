"""An urgent reply: whom to call now, first and plain; and a red flag's safety net."""

from __future__ import annotations

from bot.answer.reply_settings import ReplySettings
from bot.answer.triage.rulebook import Category
from bot.answer.triage.urgency import Urgency
from bot.models import Call, Reply, Urgent


def urgent_reply(urgency: Urgency, settings: ReplySettings) -> Reply:
    """Whom to call now, first and plain, and the numbers as calls for the widget.

    `emergency`: emergency services, with the crisis line for suicidal thoughts and
    poison control for a swallowed medicine. `care_team_now`: the clinic's 24-hour line
    (FAQBOT_CARE_LINE), or, unset, a sentence that holds without it.
    """
    emergency = settings.emergency_number
    if urgency.level == "emergency":
        text = (
            f"This sounds like an emergency. Call {emergency} now, or go to the nearest "
            "emergency department."
        )
        calls = [Call("Emergency services", emergency)]
        if urgency.also_call == "crisis_line":
            text += (
                f" You can also call or text {settings.crisis_line}, the crisis line, "
                "any time, day or night, to talk to someone now."
            )
            calls.append(Call("Crisis line", settings.crisis_line))
        elif urgency.also_call == "poison_line":
            text += (
                f" Call Poison Control at {settings.poison_line} too, with the medicine's "
                "box or bottle to hand."
            )
            calls.append(Call("Poison Control", settings.poison_line))
    elif settings.care_line:
        text = (
            f"This needs your cancer care team now. Call their 24-hour line, "
            f"{settings.care_line}, now. If you cannot reach them, go to the nearest "
            f"emergency department, or call {emergency} if it gets worse."
        )
        calls = [Call("Cancer care team, 24-hour line", settings.care_line)]
    else:
        text = (
            "This needs your cancer care team now. Call your cancer care team's 24-hour "
            "number now, or go to the nearest emergency department. If it gets worse, "
            f"call {emergency}."
        )
        calls = []
    text += " Please do not wait for an answer from this chat."
    return Reply(
        kind="urgent",
        reply=text,
        urgency=Urgent(urgency.level, urgency.category, tuple(calls)),
    )


def safety_net_text(red_flag: Category, settings: ReplySettings) -> str:
    """The rulebook's safety-net sentence of a red flag, with the settings' numbers."""
    care_line = "your cancer care team's 24-hour line"
    if settings.care_line:
        care_line += f" ({settings.care_line})"
    return red_flag.safety_net.format(
        care_line=care_line,
        emergency_number=settings.emergency_number,
        crisis_line=settings.crisis_line,
        poison_line=settings.poison_line,
    )
