"""Engagement survey (Qualtrics style): quarterly waves, three header rows, one file per wave.

A wave launches two weeks before it closes (the 15th of the quarter's last month). Everyone active at
launch who has a manager is invited; most answer, some stop half way (Finished = 0). Answers lean on
how much and how well the respondent's manager coaches. Q4 waves are confidential (no EmployeeID).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pipelines.sample.dates import epoch_seconds, to_datetime
from pipelines.sample.ids import BASE62
from pipelines.sample.org import DIRECTOR, FLM, Org

COLUMNS = (
    "ResponseId",
    "StartDate",
    "EndDate",
    "Finished",
    "Wave",
    "EmployeeID",
    "ManagerID",
    "Q_COACH",
    "Q_FEEDBACK",
    "Q_GROWTH",
    "Q_RECOGNITION",
    "Q_INTENT_STAY",
    "Q_ENPS",
)
QUESTION_TEXT = (
    "Response ID",
    "Start Date",
    "End Date",
    "Finished",
    "Wave",
    "EmployeeID",
    "ManagerID",
    "My manager gives me coaching that helps me improve",
    "I receive regular, useful feedback on my work",
    "I see a path to grow my career here",
    "I receive appropriate recognition when I do good work",
    "I intend to be working here in one year",
    "How likely are you to recommend this company as a place to work? (0-10)",
)
IMPORT_IDS = (
    '{"ImportId":"_recordId"}',
    '{"ImportId":"startDate","timeZone":"Etc/GMT"}',
    '{"ImportId":"endDate","timeZone":"Etc/GMT"}',
    '{"ImportId":"finished"}',
    '{"ImportId":"Wave"}',
    '{"ImportId":"EmployeeID"}',
    '{"ImportId":"ManagerID"}',
    *(json.dumps({"ImportId": f"QID{i}"}, separators=(",", ":")) for i in range(1, 7)),
)


@dataclass(frozen=True)
class Wave:
    name: str
    launch: date
    close: date
    confidential: bool


def waves_between(first: date, last: date) -> list[Wave]:
    out = []
    for year in range(first.year - 1, last.year + 1):
        for q in range(1, 5):
            close = date(year, 3 * q, 15)
            if first <= close <= last:
                out.append(Wave(f"{year}-Q{q}", close - timedelta(days=14), close, confidential=(q == 4)))
    return out


def header_rows() -> list[list[str]]:
    return [list(COLUMNS), list(QUESTION_TEXT), list(IMPORT_IDS)]


def wave_rows(org: Org, wave: Wave, rng) -> list[list]:
    """The wave's responses in EndDate order; `rng` is the wave's own stream (same wave, same answers)."""
    day = org.day_index(wave.launch)
    lev = org.level[:, day]
    mgr = org.mgr[:, day]
    people = np.flatnonzero((lev >= 0) & (lev < DIRECTOR) & (mgr >= 0))
    answer = rng.random(len(people)) < 0.78
    people, boss = people[answer], mgr[people[answer]]
    n = len(people)
    hours = np.array([org.people[b].coach_hours if org.level[b, day] == FLM else 1.0 for b in boss])
    quality = np.array([org.people[b].coach_quality for b in boss])
    lean = 0.35 * (hours - 1.6) + 0.3 * (quality - 3)
    items = np.clip(
        np.rint(3.4 + lean[:, None] * np.array([1.4, 1.0, 0.7, 0.6, 0.8]) + rng.normal(0, 0.85, (n, 5))), 1, 5
    ).astype(int)
    enps = np.clip(np.rint(7.0 + 1.6 * lean + rng.normal(0, 1.8, n)), 0, 10).astype(int)
    finished = rng.random(n) >= 0.06
    skipped = rng.random((n, 6)) < np.where(finished, 0.03, 0.5)[:, None]
    start_s = epoch_seconds(wave.launch) + (rng.random(n) * 13.5 * 86400).astype(np.int64)
    end_s = start_s + rng.integers(90, 1500, n)
    letters = rng.integers(0, 62, (n, 15))
    order = np.argsort(end_s, kind="stable")
    rows = []
    for i in order.tolist():
        rid = "R_" + "".join(BASE62[c] for c in letters[i])
        answers = [None if skipped[i, j] else int(v) for j, v in enumerate([*items[i], enps[i]])]
        rows.append(
            [
                rid,
                to_datetime(start_s[i]).strftime("%Y-%m-%d %H:%M:%S"),
                to_datetime(end_s[i]).strftime("%Y-%m-%d %H:%M:%S"),
                1 if finished[i] else 0,
                wave.name,
                None if wave.confidential else org.people[people[i]].emp_id,
                org.people[boss[i]].emp_id,
                *answers,
            ]
        )
    return rows
