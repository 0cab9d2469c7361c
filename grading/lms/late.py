"""The late policy: a deadline, a grace period, a penalty per day or hour, and a cap."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..errors import UsageError

UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}


@dataclass(frozen=True)
class LatePolicy:
    """Penalty = ``penalty`` per started ``unit`` after the deadline, at most ``cap``.

    A submission within ``grace`` of the deadline is on time; past the grace period, lateness
    counts from the deadline itself (1 minute past a 15-minute grace is 16 minutes late: one
    started hour or day). A submission the LMS flagged late (Canvas ``_LATE_``) without a time
    costs one unit.
    """

    deadline: datetime
    penalty: float  # fraction of the score per unit, e.g. 0.1
    unit: str = "day"
    grace: timedelta = timedelta(0)
    cap: float = 1.0  # the largest total fraction

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise UsageError(f"late penalty unit must be 'day' or 'hour', not {self.unit!r}")
        if not 0 <= self.penalty <= 1 or not 0 <= self.cap <= 1:
            raise UsageError("late penalty and cap are fractions between 0 and 1")
        if self.grace < timedelta(0):
            raise UsageError("the grace period cannot be negative")

    def lateness(self, submitted_at: datetime | None) -> timedelta | None:
        if submitted_at is None:
            return None
        return _aware(submitted_at) - _aware(self.deadline)

    def fraction(self, submitted_at: datetime | None, flagged_late: bool = False) -> float:
        """The share of the score a submission loses."""
        late_by = self.lateness(submitted_at)
        if late_by is None:
            return min(self.cap, self.penalty) if flagged_late else 0.0
        if late_by <= self.grace:
            return 0.0
        units = math.ceil(late_by / UNITS[self.unit])
        return min(self.cap, units * self.penalty)


def _aware(moment: datetime) -> datetime:
    """Times without a zone are taken as UTC (Canvas and Otter write them so)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_duration(text: str) -> timedelta:
    """``15m``, ``2h``, ``1d`` or ``90s``."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise UsageError(f"not a duration: {text!r} (use e.g. 15m, 2h, 1d)")
    value, unit = float(match.group(1)), match.group(2)
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: value})


def parse_fraction(text: str) -> float:
    """``10%`` or ``0.1``."""
    text = text.strip()
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if not 0 <= value <= 1:
        raise UsageError(f"not a fraction between 0 and 1 (or 0% and 100%): {text!r}")
    return value
