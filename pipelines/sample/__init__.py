"""`coachwh generate`: a sample landing zone of nightly exports from CRM, HRIS, survey and LMS.

    generate(out, profile="small", seed=7, start=None, history_until=None, days=None, hr_format="csv")

writes, per system, one history batch dated `history_until` (everything from `start` on: snapshots as of
that day, delta files with each record's latest state, deleted records left out) and one nightly batch
for each of the `days` following days (snapshots complete, deltas with the day's changes and
tombstones). A survey batch appears on the history date (waves closed so far) and on nights a wave
closes. manifest.json is written last in every batch. Same arguments → byte-identical files.

Modules: ids (Salesforce ids), profiles, org (people simulation), coaching (sessions and outcomes),
crm / hris / survey / lms (one system each), writers (CSV, xlsx, manifest).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np

from pipelines.errors import CommandError
from pipelines.sample import crm, hris, lms, survey
from pipelines.sample.coaching import SkillProfiles, attainment, generate_coaching
from pipelines.sample.dates import MonthGrid, end_of_day_seconds
from pipelines.sample.ids import install_sql_macros
from pipelines.sample.org import simulate
from pipelines.sample.profiles import DEFAULT_DAYS, DEFAULT_HISTORY_UNTIL, default_start, get_profile
from pipelines.sample.writers import Batch
from pipelines.sources import files_of

__all__ = ["generate", "GeneratorArgumentError"]


class GeneratorArgumentError(CommandError, ValueError):
    """Arguments that cannot describe a landing zone (dates out of order, unknown format...)."""


def _progress():
    """Progress lines on stderr: elapsed seconds and the step just finished."""
    t0 = time.monotonic()

    def say(step: str) -> None:
        print(f"[{time.monotonic() - t0:7.1f}s] {step}", file=sys.stderr, flush=True)

    return say


def generate(
    out: Path,
    profile: str = "small",
    seed: int = 7,
    start: date | None = None,
    history_until: date | None = None,
    days: int | None = None,
    hr_format: str = "csv",
) -> dict:
    """Write the landing zone under `out`; returns {"<system>/<date>": {file: rows}} for every batch."""
    prof = get_profile(profile)
    history_until = history_until or DEFAULT_HISTORY_UNTIL
    start = start or default_start(history_until, prof.months)
    days = DEFAULT_DAYS if days is None else int(days)
    if hr_format not in ("csv", "xlsx"):
        raise GeneratorArgumentError(f"hr_format must be 'csv' or 'xlsx', not '{hr_format}'")
    if start >= history_until:
        raise GeneratorArgumentError(f"start {start} must be before history_until {history_until}")
    if days < 0:
        raise GeneratorArgumentError(f"days must be 0 or more, not {days}")
    out = Path(out)
    say = _progress()
    end = history_until + timedelta(days=days)
    # one stream per concern; a stream added later goes last, so the earlier ones keep their numbers
    streams = np.random.SeedSequence(seed).spawn(10)
    rng = {
        k: np.random.Generator(np.random.PCG64(s))
        for k, s in zip(
            ("org", "coaching", "outcomes", "users", "rates", "quota", "opps", "calls", "lms", "skills"),
            streams,
            strict=True,
        )
    }

    say(f"profile {prof.name}: simulating the organisation {start} .. {end}")
    org = simulate(prof, rng["org"], start, end)
    grid = MonthGrid(start, org.n_days)
    last_day, history_day = org.day_index(end), org.day_index(history_until)
    say(f"{len(org.people)} people, {sum(len(p.rows) for p in org.people)} job_history rows; coaching")
    profiles = SkillProfiles.draw(len(org.people), rng["skills"])
    coaching = generate_coaching(org, grid, last_day, history_day, rng["coaching"], profiles)
    att = attainment(org, grid, coaching, rng["outcomes"])
    users = crm.build_users(org, rng["users"])
    rates = crm.Rates(start, grid.months[-1], rng["rates"])

    summary: dict[str, dict[str, int]] = {}
    batch_dates = [history_until + timedelta(days=i) for i in range(days + 1)]
    with tempfile.TemporaryDirectory(prefix="coachwh-gen-") as tmp:
        con = duckdb.connect()
        con.execute(f"SET temp_directory = '{tmp}'")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET memory_limit = '3GB'")  # big sorts spill to the temp folder instead
        install_sql_macros(con)
        crm.build_tables(
            con, org, grid, users, rates, coaching, att, history_day, last_day, prof.visits_per_day, rng, say
        )
        lms.build_transcripts(con, org, last_day, rng["lms"])
        say("tables built; writing batches")
        for d in batch_dates:
            history = d == history_until
            t_end = end_of_day_seconds(d)
            b = Batch(out, "crm", d)
            b.write_csv("User.csv", [list(crm.USER_COLUMNS)], crm.users_rows(org, users, d))
            b.copy_query(con, "Call2_vod__c.csv", crm.calls_sql(start, t_end, history))
            b.copy_query(con, "Coaching_Report_vod__c.csv", crm.coaching_sql(start, t_end, history))
            b.copy_query(con, "Opportunity.csv", crm.opportunity_sql(start, t_end, history))
            b.copy_query(con, "ForecastingQuota.csv", crm.quota_sql(t_end))
            b.write_csv("DatedConversionRate.csv", [list(crm.RATE_COLUMNS)], rates.rows(d))
            summary[f"crm/{d}"] = dict(b.files)
            b.close()

            b = Batch(out, "hris", d)
            as_date = hr_format == "xlsx"
            for name, cols, rows in (
                ("workers", hris.WORKER_COLUMNS, hris.workers_rows(org, d, as_date)),
                ("job_history", hris.JOB_HISTORY_COLUMNS, hris.job_history_rows(org, d, as_date)),
            ):
                if as_date:
                    b.write_xlsx(f"{name}.xlsx", list(cols), rows)
                else:
                    b.write_csv(f"{name}.csv", [list(cols)], rows, bom=True)
            summary[f"hris/{d}"] = dict(b.files)
            b.close()

            waves = survey.waves_between(start if history else d, d)
            if waves:
                b = Batch(out, "survey", d)
                for w in waves:
                    wave_rng = np.random.Generator(
                        np.random.PCG64(np.random.SeedSequence([seed, 99, w.close.toordinal()]))
                    )
                    b.write_csv(
                        f"responses_{w.name}.csv",
                        survey.header_rows(),
                        survey.wave_rows(org, w, wave_rng),
                        bom=True,
                    )
                summary[f"survey/{d}"] = dict(b.files)
                b.close()

            b = Batch(out, "lms", d)
            b.write_csv("courses.csv", [list(lms.COURSE_COLUMNS)], lms.course_rows())
            b.copy_query(con, "transcripts.csv", lms.transcripts_sql(start, org.day_index(d), history))
            summary[f"lms/{d}"] = dict(b.files)
            b.close()
            say(f"batches of {d} written")
        con.close()
    _check_names(summary)
    return summary


def _check_names(summary: dict) -> None:
    """Every written file must be a file type of the source contract (pipelines.sources)."""
    for key, files in summary.items():
        system = key.split("/")[0]
        for name in files:
            if not any(f.matches(name) for f in files_of(system)):
                raise AssertionError(f"generator wrote {key}/{name}, which the source contract does not define")
