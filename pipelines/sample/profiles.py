"""Generator profiles (organisation size and history length) and the default dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Profile:
    name: str
    directors: int
    slms: int
    flms: int
    reps: int
    months: int
    visits_per_day: float  # mean submitted visits per rep and workday (group-call attendee rows come on top)


PROFILES: dict[str, Profile] = {
    "small": Profile("small", 1, 2, 8, 60, 12, 3.6),
    "medium": Profile("medium", 2, 8, 50, 500, 24, 3.6),
    "large": Profile("large", 6, 40, 400, 4000, 36, 3.6),
}

DEFAULT_HISTORY_UNTIL = date(2026, 10, 31)
DEFAULT_DAYS = 5


class UnknownProfileError(ValueError):
    pass


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(f"unknown profile '{name}', expected one of {sorted(PROFILES)}") from None


def default_start(history_until: date, months: int) -> date:
    """First day of the month `months` - 1 months before history_until's (12, 2026-10-31 → 2025-11-01)."""
    m = history_until.year * 12 + history_until.month - 1 - months + 1
    return date(m // 12, m % 12 + 1, 1)
