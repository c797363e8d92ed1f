"""HRIS (Workday style) snapshots: workers and job_history as of an extract date, rows for CSV or xlsx."""

from __future__ import annotations

from datetime import date

from pipelines.sample.org import LEVEL_NAMES, REGIONS, Org

WORKER_COLUMNS = (
    "Employee ID",
    "Legal Name",
    "Work Email",
    "Hire Date",
    "Original Hire Date",
    "Termination Date",
    "Primary Termination Reason",
    "Termination Category",
    "Regrettable Termination",
    "Management Level",
    "Job Profile",
    "Region",
    "Manager Employee ID",
    "Worker Status",
)
JOB_HISTORY_COLUMNS = (
    "Employee ID",
    "Effective Date",
    "Business Process",
    "Management Level",
    "Job Profile",
    "Region",
    "Manager Employee ID",
    "Primary Termination Reason",
    "Termination Category",
    "Regrettable Termination",
)


def _d(d: date | None, as_date: bool):
    """MM/DD/YYYY text for CSV, the date itself for an Excel date cell."""
    if d is None:
        return None
    return d if as_date else d.strftime("%m/%d/%Y")


def job_history_rows(org: Org, d: date, as_date: bool = False) -> list[list]:
    out = []
    for p in sorted(org.people, key=lambda p: p.emp_id):
        for r in p.rows:
            if r.day > d:
                break
            mgr = org.people[r.manager].emp_id if r.manager >= 0 else None
            out.append(
                [
                    p.emp_id,
                    _d(r.day, as_date),
                    r.process,
                    LEVEL_NAMES[r.level],
                    r.profile,
                    REGIONS[r.region][0],
                    mgr,
                    r.reason or None,
                    r.category or None,
                    r.regrettable or None,
                ]
            )
    return out


def workers_rows(org: Org, d: date, as_date: bool = False) -> list[list]:
    """One row per person hired by d: current state; the termination columns only while terminated.

    A rehired, active worker shows no termination: the workers file describes the current employment
    (its latest termination is in job_history).
    """
    out = []
    for p in sorted(org.people, key=lambda p: p.emp_id):
        rows = [r for r in p.rows if r.day <= d]
        if not rows:
            continue
        cur = rows[-1]
        hires = [r.day for r in rows if r.process in ("Hire", "Rehire")]
        terminated = cur.process == "Termination"
        if terminated:
            status = "Terminated"
        elif p.loa and p.loa[0] <= d <= p.loa[1]:
            status = "Leave of Absence"
        else:
            status = "Active"
        mgr = org.people[cur.manager].emp_id if cur.manager >= 0 else None
        out.append(
            [
                p.emp_id,
                f"{p.first} {p.last}",
                p.email,
                _d(hires[-1], as_date),
                _d(hires[0], as_date),
                _d(cur.day, as_date) if terminated else None,
                cur.reason if terminated else None,
                cur.category if terminated else None,
                cur.regrettable if terminated else None,
                LEVEL_NAMES[cur.level],
                cur.profile,
                REGIONS[cur.region][0],
                mgr,
                status,
            ]
        )
    return out
