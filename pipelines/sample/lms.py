"""LMS (Cornerstone style): the course catalogue and the transcript of assignments (vectorised).

Assignments: yearly compliance for everyone, onboarding at (re)hire, a product course per quarter and a
short product-update video every month for reps, and the coaching curriculum for managers (more often,
and completed more often, by managers who coach more). Each assignment lives through Registered →
In Progress → Completed, or Past Due after the due date, or Cancelled. The transcript is a delta keyed
by (User ID, LO ID, Assigned Date); every state change is a new version dated by Last Modified. LMS
dates are MM/DD/YYYY and Last Modified is a date too, so an assignment changes at most once a day (the
generator guarantees it).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pipelines.sample.dates import NEVER
from pipelines.sample.org import FLM, IC, SLM, Org

# LO ID, title, type, competency, audience, duration hours, coaching curriculum
COURSES = (
    ("COMP-ETH-01", "Code of Conduct and Ethics", "Online Class", "Compliance", "All", 1.0, "N"),
    ("COMP-PRV-02", "Data Privacy, HIPAA and You", "Online Class", "Compliance", "All", 0.75, "N"),
    ("COMP-AE-03", "Adverse Event Reporting", "Online Class", "Compliance", "All", 0.5, "N"),
    ("ONB-REP-01", "New Rep Onboarding: Our Portfolio", "Curriculum", "Product Knowledge", "Rep", 8.0, "N"),
    ("ONB-REP-02", "Veeva CRM Essentials", "Online Class", "Systems", "Rep", 2.0, "N"),
    ("ONB-REP-03", "Territory Planning Basics", "Instructor-Led Training", "Selling Skills", "Rep", 4.0, "N"),
    ("PRD-CZ-10", "Cardiozen: Clinical Update", "Online Class", "Product Knowledge", "Rep", 1.5, "N"),
    (
        "PRD-NX-11",
        "Neurolix Launch Training",
        "Instructor-Led Training",
        "Product Knowledge",
        "Rep",
        6.0,
        "N",
    ),
    ("PRD-RS-12", "Respira: Handling Objections", "Video", "Product Knowledge", "Rep", 1.0, "N"),
    ("PRD-GM-13", "Glucomax Value Story", "Online Class", "Product Knowledge", "Rep", 1.5, "N"),
    (
        "SKL-NEG-20",
        "Consultative Selling, Level 1",
        "Instructor-Led Training",
        "Selling Skills",
        "Rep",
        8.0,
        "N",
    ),
    ("SKL-OBJ-21", "Objection Handling Lab", "Instructor-Led Training", "Selling Skills", "Rep", 4.0, "N"),
    ("MGR-LEAD-30", "Leading Field Teams", "Instructor-Led Training", "Leadership", "Manager", 8.0, "N"),
    ("MGR-HIRE-31", "Interviewing and Selecting Reps", "Online Class", "Leadership", "Manager", 2.0, "N"),
    ("CCH-FND-40", "Coaching Fundamentals for Sales Managers", "Curriculum", "Coaching", "Manager", 6.0, "Y"),
    (
        "CCH-GRW-41",
        "The Coaching Conversation: GROW Model",
        "Instructor-Led Training",
        "Coaching",
        "Manager",
        4.0,
        "Y",
    ),
    ("CCH-RIDE-42", "Field Ride-Along Coaching", "Online Class", "Coaching", "Manager", 2.0, "Y"),
    ("CCH-FB-43", "Giving Feedback That Sticks", "Video", "Coaching", "Manager", 1.0, "Y"),
    ("CCH-1ON1-44", "Running Effective One-on-Ones", "Online Class", "Coaching", "Manager", 1.5, "Y"),
    (
        "CCH-COACH-45",
        "Coaching the Coach: Developing First-Line Managers",
        "Instructor-Led Training",
        "Coaching",
        "Manager",
        6.0,
        "Y",
    ),
)
COURSES = (
    *COURSES,
    ("PRD-MU-14", "Monthly Product Update", "Video", "Product Knowledge", "Rep", 0.5, "N"),
)
MONTHLY_UPDATE = len(COURSES) - 1
COURSE_COLUMNS = (
    "LO ID",
    "Training Title",
    "Training Type",
    "Competency",
    "Audience",
    "Duration Hours",
    "Coaching Curriculum",
)
COMPLIANCE = [0, 1, 2]
ONBOARDING = [3, 4, 5]
PRODUCT = [6, 7, 8, 9, 10, 11]
COACHING = [14, 15, 16, 17, 18, 19]


def course_rows() -> list[list]:
    return [[c[0], c[1], c[2], c[3], c[4], f"{c[5]:.2f}", c[6]] for c in COURSES]


def build_transcripts(con, org: Org, last_day: int, rng) -> None:
    """Create DuckDB table `transcripts`: one row per assignment with the day of each state change."""
    people, los, days, due_in = [], [], [], []

    def assign(p, lo, day, due):
        people.append(np.asarray(p, dtype=np.int64))
        los.append(np.broadcast_to(np.asarray(lo, dtype=np.int64), np.shape(p)).copy())
        days.append(np.broadcast_to(np.asarray(day, dtype=np.int64), np.shape(p)).copy())
        due_in.append(np.full(np.shape(p), due, dtype=np.int64))

    n_days = last_day + 1
    for year in range(org.start.year, org.end.year + 1):
        d = org.day_index(date(year, 1, 12))
        if 0 <= d < n_days:
            p = np.flatnonzero(org.level[:, d] >= 0)
            for lo in COMPLIANCE:
                assign(p, lo, d, 60)
    for m_first in range(n_days):
        day = org.day(m_first)
        if day.day == 5 and day.month in (1, 4, 7, 10):
            p = np.flatnonzero(org.level[:, m_first] == IC)
            assign(p, PRODUCT[(day.year * 4 + day.month // 3) % len(PRODUCT)], m_first, 45)
        if day.day == 20:  # monthly: a short product update video for every rep
            p = np.flatnonzero(org.level[:, m_first] == IC)
            assign(p, MONTHLY_UPDATE, m_first, 14)
        if day.day == 8:  # monthly: some managers get a coaching-curriculum course
            lev = org.level[:, m_first]
            p = np.flatnonzero(
                ((lev == FLM) & (rng.random(len(lev)) < 0.22)) | ((lev == SLM) & (rng.random(len(lev)) < 0.08))
            )
            assign(p, rng.choice(COACHING, len(p)), m_first, 60)
    for person in org.people:  # (re)hires and promotions to FLM: small, per event
        for r in person.rows:
            d = org.day_index(r.day)
            if not 0 <= d < n_days:
                continue
            if r.process in ("Hire", "Rehire") and r.level == IC:
                for lo in ONBOARDING:
                    assign([person.idx], lo, d + 1, 30)
            if r.level == FLM and r.process in ("Hire", "Promotion"):
                assign([person.idx, person.idx], [COACHING[0], COACHING[2]], [d + 2, d + 2], 90)
    p, lo, day, due = (np.concatenate(x) for x in (people, los, days, due_in))
    ok = day < n_days
    p, lo, day, due = p[ok], lo[ok], day[ok], due[ok]
    _, first = np.unique(np.stack([p, lo, day]), axis=1, return_index=True)  # one assignment per key
    first = np.sort(first)
    p, lo, day, due = p[first], lo[first], day[first], due[first]
    n = len(p)
    hours_trait = np.array([x.coach_hours for x in org.people])
    coaching = np.isin(lo, COACHING)
    p_complete = np.where(
        coaching,
        np.clip(0.3 + 0.15 * hours_trait[p], 0.3, 0.95),
        np.where(np.isin(lo, COMPLIANCE), 0.93, 0.85),
    )
    due_day = day + due
    cancelled = rng.random(n) < 0.04
    cancel_day = np.where(cancelled, day + rng.integers(1, 20, n), NEVER)
    completes = ~cancelled & (rng.random(n) < p_complete)
    comp_day = np.where(completes, day + 1 + rng.exponential(due * 0.45, n).astype(np.int64), NEVER)
    # leavers do not complete after their last day
    last_seen = np.clip(comp_day, 0, org.n_days - 1)
    comp_day = np.where(completes & (org.level[p, last_seen] < 0), NEVER, comp_day)
    started = rng.random(n) < 0.6
    end_day = np.minimum(comp_day, cancel_day)
    prog_day = np.where(started, day + 1 + (rng.random(n) * np.minimum(end_day - day - 1, 20)).astype(np.int64), NEVER)
    prog_day = np.where(prog_day >= end_day, NEVER, prog_day)
    past_due = np.where((due_day + 1 < end_day), due_day + 1, NEVER)
    prog_day = np.where(prog_day >= past_due, NEVER, prog_day)
    score = np.where(completes & ~np.isin(lo, ONBOARDING[:1]), rng.integers(70, 101, n), -1)
    # case variants of the HRIS e-mail, fixed per person
    variant = rng.choice(3, len(org.people), p=[0.5, 0.3, 0.2])
    emails = [
        x.email if v == 0 else (x.email.lower() if v == 1 else x.email.upper())
        for x, v in zip(org.people, variant, strict=True)
    ]
    order = np.lexsort((lo, p, day))
    df = pd.DataFrame(
        {
            "seq": np.arange(n),
            "person": p[order],
            "lo": lo[order],
            "day": day[order],
            "due_day": due_day[order],
            "prog_day": prog_day[order],
            "past_due_day": past_due[order],
            "comp_day": comp_day[order],
            "cancel_day": cancel_day[order],
            "score": score[order],
        }
    )
    con.register("tr_df", df)
    con.execute("CREATE OR REPLACE TABLE transcripts AS SELECT * FROM tr_df")
    con.unregister("tr_df")
    con.register(
        "lms_user_df",
        pd.DataFrame({"person": np.arange(len(org.people)), "emp_id": [x.emp_id for x in org.people], "email": emails}),
    )
    con.execute("CREATE OR REPLACE TABLE lms_users AS SELECT * FROM lms_user_df")
    con.unregister("lms_user_df")
    con.execute(
        "CREATE OR REPLACE TABLE courses AS SELECT * FROM (VALUES "
        + ", ".join(f"({i}, '{c[0]}')" for i, c in enumerate(COURSES))
        + ") t(lo, lo_id)"
    )


def transcripts_sql(start: date, day: int, history: bool) -> str:
    """Transcript rows as of the end of day index `day`: all live assignments, or those changed that day."""

    def fmt(col: str) -> str:
        return f"strftime(DATE '{start.isoformat()}' + CAST({col} AS INTEGER), '%m/%d/%Y')"

    stamp = (
        f"CASE WHEN cancel_day <= {day} THEN cancel_day WHEN comp_day <= {day} THEN comp_day "
        f"WHEN past_due_day <= {day} THEN past_due_day WHEN prog_day <= {day} THEN prog_day ELSE t.day END"
    )
    status = (
        f"CASE WHEN cancel_day <= {day} THEN 'Cancelled' WHEN comp_day <= {day} THEN 'Completed' "
        f"WHEN past_due_day <= {day} THEN 'Past Due' WHEN prog_day <= {day} THEN 'In Progress' "
        "ELSE 'Registered' END"
    )
    window = "TRUE" if history else f"({stamp}) = {day}"
    return f"""
        SELECT u.emp_id AS "User ID", u.email AS "User Email", c.lo_id AS "LO ID",
        {fmt("t.day")} AS "Assigned Date",
               {fmt("due_day")} AS "Due Date",
               CASE WHEN comp_day <= {day} THEN {fmt("comp_day")} END AS "Completed Date",
               {status} AS "Transcript Status",
               CASE WHEN comp_day <= {day} AND score >= 0 THEN CAST(score AS VARCHAR) END AS "Score",
               {fmt(stamp)} AS "Last Modified"
        FROM transcripts t JOIN lms_users u USING (person) JOIN courses c USING (lo)
        WHERE t.day <= {day} AND {window}
        ORDER BY seq"""
