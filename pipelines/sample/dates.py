"""Day and month arithmetic shared by the fact generators (numpy-friendly day indices)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)
NEVER = np.int64(2**62)  # "this event never happens" in an int64 epoch-seconds column


def add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_starts(first: date, last: date) -> list[date]:
    """First days of every month from first's month to last's month, inclusive."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def epoch_seconds(d: date) -> int:
    return (d - EPOCH).days * 86400


def end_of_day_seconds(d: date) -> int:
    """Epoch second just after day d ends: an extract dated d holds events with stamp < this."""
    return epoch_seconds(d + timedelta(days=1))


def to_datetime(seconds: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds))


class MonthGrid:
    """Months covering day indices 0..n_days-1 from `start` (day 0)."""

    def __init__(self, start: date, n_days: int):
        self.start = start
        self.n_days = n_days
        self.months = month_starts(start, start + timedelta(days=n_days - 1))
        self.first_day = np.array([max(0, (m - start).days) for m in self.months], dtype=np.int64)
        self.next_first = np.array([min(n_days, (add_months(m, 1) - start).days) for m in self.months], dtype=np.int64)
        self.month_of_day = np.repeat(np.arange(len(self.months)), self.next_first - self.first_day)
        weekday0 = start.weekday()
        self.is_workday = ((np.arange(n_days) + weekday0) % 7) < 5

    def __len__(self) -> int:
        return len(self.months)

    def index(self, d: date) -> int:
        return self.months.index(month_start(d))
