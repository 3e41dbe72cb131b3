"""What the Insights writer tells the log about its database: each change, once.

A log line names the database kind, never its URL (which may hold a password), and never
an event: SQLAlchemy's messages repeat the statement and its values, so only the error's
kind is logged, plus the driver's first line when connecting failed.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("bot.insights.recorder")

OUTAGES = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, OSError)


class Health:
    """Whether the database is down, logging only when that changes."""

    def __init__(self) -> None:
        self.dropped_before_outage: int | None = None  # None while the database is up
        self.refusal_logged = False

    def down(
        self, error: Exception, kind: str, secret: str | None, dropped: int, plan: str
    ) -> None:
        """A try failed for want of the database: log it if it was up until now."""
        if self.dropped_before_outage is None:
            self.dropped_before_outage = dropped
            why = reason(error, secret)
            log.warning(
                "Insights: the %s database is unreachable (%s); %s", kind, why, plan
            )

    def refused(self, error: Exception, kind: str, secret: str | None) -> None:
        """The database refused a batch, which is dropped: log the first time."""
        if not self.refusal_logged:
            self.refusal_logged = True
            why = reason(error, secret)
            log.error("Insights: the %s database refused a batch (%s)", kind, why)

    def up(self, kind: str, dropped: int) -> None:
        """A try succeeded: log the end of an outage, once."""
        if self.dropped_before_outage is None:
            return
        log.warning(
            "Insights: the %s database is reachable again (%d events dropped meanwhile)",
            kind,
            dropped - self.dropped_before_outage,
        )
        self.dropped_before_outage = None


def is_outage(error: Exception) -> bool:
    """Whether the database cannot be reached now (retry), rather than refused (don't)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OUTAGES)


def reason(error: Exception, secret: str | None) -> str:
    """What went wrong, safe to log: the error's kind, and a failed connection's cause."""
    if not isinstance(error, DBAPIError):
        return type(error).__name__
    name = type(error.orig).__name__
    if error.statement is not None:
        return name
    first_line = (str(error.orig).splitlines() or [""])[0][:200]
    if secret:
        first_line = first_line.replace(secret, "***")
    return f"{name}: {first_line}"
