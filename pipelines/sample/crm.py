"""CRM (Veeva on Salesforce) exports: users, calls, coaching reports, opportunities, quotas, rates.

Bulk facts (calls, opportunities, coaching reports, quotas) are made with numpy, loaded into DuckDB as
numeric tables with event times (epoch seconds), and every batch is a SQL query "state as of the end of
day D": the history batch holds each record's latest state up to history_until (deleted ones left
out), a nightly delta holds the records whose latest state was stamped that day (tombstones included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from pipelines.sample.coaching import COACHING_TYPES, COMMENTS, LEVELS, Coaching
from pipelines.sample.dates import (
    NEVER,
    MonthGrid,
    add_months,
    end_of_day_seconds,
    epoch_seconds,
    month_starts,
    to_datetime,
)
from pipelines.sample.ids import PREFIX, sfid
from pipelines.sample.org import EMAIL_DOMAIN, IC, REGIONS, Org
from pipelines.sources import COACHING_SKILL_FIELDS, RATING_PICKLIST, REP_SKILL_FIELDS

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD")
BASE_RATE = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 149.5, "CAD": 1.36}
STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
)
CALL_STATUS = ("Planned_vod", "Saved_vod", "Submitted_vod")
CALL_TYPES = ("Detail Only", "Detail with Sample", "Sample Only", "Group Detail", "Group Detail with Sample")
CHANNELS = ("In-person", "Phone", "Video", "Email")
PRODUCTS = (
    "Cardiozen",
    "Cardiozen;Neurolix",
    "Neurolix",
    "Respira",
    "Respira;Cardiozen",
    "Glucomax",
    "Glucomax;Respira",
    "Neurolix;Glucomax;Cardiozen",
    "Dermaclear",
    "Oncovia",
)
ACCOUNT_WORDS = (
    "St. Mary's Hospital",
    "Riverside Clinic",
    "Northgate Medical Group",
    "Lakeside Pharmacy",
    "Hillcrest Health",
    "Oakwood Family Practice",
    "Central Cardiology",
    "Bayview Oncology",
    "Summit Pediatrics",
    "Greenfield Diabetes Center",
    "Maple Respiratory Care",
    "Harbor Dermatology",
)
REGION_CODE = ("NA", "CA", "EU", "UK", "JP")

USER_BASE, ACCOUNT_BASE, CALL_BASE = 62**6 * 3 + 1000, 62**7 * 2 + 500, 62**6 * 40
OPP_BASE, QUOTA_BASE, RATE_BASE, REPORT_BASE = 62**6 * 9 + 77, 62**5 * 11, 62**5 * 3, 62**6 * 5
CRM_TS = "%Y-%m-%dT%H:%M:%S.000Z"


def _ts(col: str) -> str:
    return f"strftime(make_timestamp({col} * 1000000), '{CRM_TS}')"


def _date(day_col: str, start: date) -> str:
    return f"strftime(DATE '{start.isoformat()}' + CAST({day_col} AS INTEGER), '%Y-%m-%d')"


def _bool(expr: str) -> str:
    return f"CASE WHEN {expr} THEN 'true' ELSE 'false' END"


def _money(amount: str, currency: str) -> str:
    """SQL: an amount (a non-negative DOUBLE) in `currency` (its index in CURRENCIES) as Salesforce's export writes
    it: whole yen, cents otherwise, in E notation from 10^7 up (`_sf_number`)."""
    jpy = CURRENCIES.index("JPY")
    return _sf_number(
        f"CASE WHEN {currency} = {jpy} THEN CAST(CAST(round({amount}) AS BIGINT) AS VARCHAR) "
        f"ELSE CAST(CAST({amount} AS DECIMAL(18, 2)) AS VARCHAR) END"
    )


def _sf_number(text: str) -> str:
    """SQL: a non-negative plain decimal (text) as Salesforce's API writes it, a Java double: from 10^7 up in E
    notation, its digits without trailing zeros (`12345678.50` -> `1.23456785E7`, `15000000` -> `1.5E7`)."""
    whole, digits = f"split_part({text}, '.', 1)", f"rtrim(replace({text}, '.', ''), '0')"
    return (
        f"CASE WHEN length({whole}) < 8 THEN {text} ELSE left({digits}, 1) || '.' || "
        f"coalesce(nullif(substr({digits}, 2), ''), '0') || 'E' || (length({whole}) - 1) END"
    )


def _in_list(values, idx_col: str) -> str:
    items = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"[{items}][{idx_col} + 1]"


# ---------------------------------------------------------------------------------------------------
# Users (small: plain Python)
# ---------------------------------------------------------------------------------------------------
@dataclass
class CrmUser:
    idx: int  # user number; people first (idx = person index), then non-workers
    person: int  # -1 for admins and contractors
    first: str
    last: str
    email: str
    employee_number: str | None
    created_s: int
    lag_days: int  # how far the CRM's ManagerId lags HRIS
    title: str = ""
    time_zone: str = "America/New_York"
    manager_user: int = -1

    @property
    def id(self) -> str:
        return sfid("User", USER_BASE + self.idx)


def _employee_number_quirk(emp_id: str, k: int, u: float) -> str | None:
    """As typed by an admin: usually right, sometimes empty, zero-stripped or padded with spaces."""
    if k == 3 or (k > 12 and u < 0.10):
        return emp_id.lstrip("0")
    if k == 5 or (k > 12 and u < 0.15):
        return f" {emp_id} " if k % 2 else f"{emp_id} "
    if k == 7 or (k > 12 and u < 0.20):
        return None
    return emp_id


def build_users(org: Org, rng) -> list[CrmUser]:
    users = []
    u = rng.random(len(org.people))
    lag = np.where(rng.random(len(org.people)) < 0.3, rng.integers(10, 60, len(org.people)), 0)
    for p in org.people:
        first_day = p.rows[0].day
        created = epoch_seconds(first_day) + 7 * 3600 + int(rng.integers(0, 3600 * 9))
        users.append(
            CrmUser(
                p.idx,
                p.idx,
                p.first,
                p.last,
                p.email.lower(),
                _employee_number_quirk(p.emp_id, p.idx, float(u[p.idx])),
                created,
                int(lag[p.idx]),
            )
        )
    extras = [
        ("Sys", "Admin", "System Administrator"),
        ("Integration", "User", "Integration User"),
        ("Veeva", "Support", "System Administrator"),
    ]
    n_contractors = max(3, len(org.teams) // 10)
    flms = [t.flm for t in org.teams if t.flm >= 0]
    for i in range(n_contractors):
        k = int(rng.integers(0, 400))
        extras.append(
            (
                ("Alex", "Jordan", "Casey", "Robin", "Drew", "Sky")[k % 6],
                ("Contractor", "Temp", "Flex", "Agency")[k % 4] + f"{i + 1}",
                "Contract Sales Representative",
            )
        )
    start_s = epoch_seconds(org.start)
    for j, (first, last, title) in enumerate(extras):
        idx = len(org.people) + j
        contractor = title.startswith("Contract")
        email = (f"{first}.{last}@flexforce-staffing.com" if contractor else f"{first}.{last}@{EMAIL_DOMAIN}").lower()
        number = f"C{1040 + j}" if contractor and j % 2 else None
        user = CrmUser(idx, -1, first, last, email, number, start_s - 86400 * int(rng.integers(5, 300)), 0, title)
        if contractor and flms:
            user.manager_user = flms[j % len(flms)]
        users.append(user)
    return users


def users_rows(org: Org, users: list[CrmUser], d: date) -> list[list]:
    """User.csv as of the end of day d."""
    t_end = end_of_day_seconds(d)
    by_person = {u.person: u for u in users if u.person >= 0}
    out = []
    for user in users:
        if user.created_s >= t_end:
            continue
        if user.person < 0:
            mgr_id = users[user.manager_user].id if user.manager_user >= 0 else None
            out.append(
                [
                    user.id,
                    user.email + ".crm",
                    user.first,
                    user.last,
                    user.email,
                    user.employee_number,
                    mgr_id,
                    user.title,
                    "true",
                    "America/New_York",
                    _fmt_s(user.created_s),
                    _fmt_s(user.created_s + 3600),
                ]
            )
            continue
        p = org.people[user.person]
        rows = [r for r in p.rows if r.day <= d]
        if not rows:  # created before the hire row? (not possible: created on the first row's day)
            continue
        cur = rows[-1]
        lagged = [r for r in rows if r.day + timedelta(days=user.lag_days) <= d] or rows[:1]
        manager = lagged[-1].manager
        lag = timedelta(days=user.lag_days)
        stamp_days = [r.day for r in rows] + [r.day + lag for r in lagged if r.day + lag <= d]
        stamp = max(user.created_s, epoch_seconds(max(stamp_days)) + 4 * 3600 + (user.idx * 37) % 3600)
        mgr_id = by_person[manager].id if manager >= 0 else None
        active = cur.process != "Termination"
        out.append(
            [
                user.id,
                user.email + ".crm",
                user.first,
                user.last,
                user.email,
                user.employee_number,
                mgr_id,
                cur.profile,
                "true" if active else "false",
                REGIONS[cur.region][2],
                _fmt_s(user.created_s),
                _fmt_s(stamp),
            ]
        )
    return out


def _fmt_s(s: int) -> str:
    return to_datetime(s).strftime(CRM_TS)


# ---------------------------------------------------------------------------------------------------
# Dated conversion rates (small)
# ---------------------------------------------------------------------------------------------------
class Rates:
    """Monthly rates per currency, units per USD, from 12 months before start to the last month."""

    def __init__(self, start: date, last: date, rng):
        self.months = month_starts(add_months(start, -12), last)
        self.rate = {}
        for c in CURRENCIES:
            if c == "USD":
                self.rate[c] = np.ones(len(self.months))
            else:
                walk = np.exp(np.cumsum(rng.normal(0, 0.015, len(self.months))))
                self.rate[c] = np.round(BASE_RATE[c] * walk, 6)

    def at(self, currency: str, month: date) -> float:
        return float(self.rate[currency][self.months.index(month)])

    def rows(self, d: date) -> list[list]:
        out = []
        cur_month = d.replace(day=1)
        for ci, c in enumerate(CURRENCIES):
            for mi, m in enumerate(self.months):
                if m > cur_month:
                    break
                nxt = add_months(m, 1)
                out.append(
                    [
                        sfid("DatedConversionRate", RATE_BASE + ci * 1000 + mi),
                        c,
                        m.isoformat(),
                        nxt.isoformat() if nxt <= cur_month else None,
                        f"{self.rate[c][mi]:.6f}",
                    ]
                )
        return out


# ---------------------------------------------------------------------------------------------------
# Bulk facts into DuckDB
# ---------------------------------------------------------------------------------------------------
def _first_last_days(org: Org, grid: MonthGrid, level: int):
    """Per person and month: first and last day index at `level` in the month (-1 when none)."""
    n, m = len(org.people), len(grid)
    first = np.full((n, m), -1, dtype=np.int64)
    last = np.full((n, m), -1, dtype=np.int64)
    for k in range(m):
        a, b = grid.first_day[k], grid.next_first[k]
        sl = org.level[:, a:b] == level
        anyd = sl.any(axis=1)
        first[anyd, k] = a + np.argmax(sl[anyd], axis=1)
        last[anyd, k] = b - 1 - np.argmax(sl[anyd, ::-1], axis=1)
    return first, last


def build_tables(
    con,
    org: Org,
    grid: MonthGrid,
    users: list[CrmUser],
    rates: Rates,
    coaching: Coaching,
    att: np.ndarray,
    history_day: int,
    last_day: int,
    visits_per_day: float,
    rngs,
    progress,
) -> None:
    start_s = epoch_seconds(org.start)
    con.register(
        "user_df",
        pd.DataFrame(
            {
                "uidx": [u.idx for u in users],
                "person": [u.person for u in users],
                "n": [USER_BASE + u.idx for u in users],
            }
        ),
    )
    con.execute(  # uidx = person index for workers' users; admins and contractors have person -1
        "CREATE OR REPLACE TABLE users AS "
        "SELECT uidx, person, sfid('005', n) AS id, sfid15('005', n) AS id15 FROM user_df"
    )
    con.unregister("user_df")
    con.register(
        "team_df",
        pd.DataFrame(
            {
                "team": np.arange(len(org.teams)),
                "territory": [f"{REGION_CODE[t.region]}-T{t.idx + 1:03d}" for t in org.teams],
            }
        ),
    )
    con.execute("CREATE OR REPLACE TABLE teams AS SELECT * FROM team_df")
    con.unregister("team_df")
    con.execute(f"""CREATE OR REPLACE TABLE accounts AS SELECT CAST(a AS INTEGER) AS account,
        sfid('001', {ACCOUNT_BASE} + a) AS id FROM range({max(1, len(org.teams)) * 400}) t(a)""")
    con.register("comment_df", pd.DataFrame({"idx": np.arange(len(COMMENTS)), "text": list(COMMENTS)}))
    con.execute("CREATE OR REPLACE TABLE comments AS SELECT * FROM comment_df")
    con.unregister("comment_df")

    first, last = _first_last_days(org, grid, IC)
    months_till = np.array([grid.first_day[k] <= last_day for k in range(len(grid))])
    base_usd = np.round(np.clip(rng_lognormal(rngs["quota"], len(org.people)), 30_000, 120_000), -3)
    rate_idx = np.array([rates.months.index(m) for m in grid.months])
    rate_mat = np.stack([rates.rate[c][rate_idx] for c in CURRENCIES])  # [currency, month]
    cur_of_region = np.array([CURRENCIES.index(r[1]) for r in REGIONS])
    _quota(con, org, grid, first, months_till, base_usd, rate_mat, cur_of_region, start_s)
    progress("quotas")
    _opportunities(
        con,
        org,
        grid,
        first,
        last,
        base_usd,
        rate_mat,
        cur_of_region,
        att,
        history_day,
        last_day,
        start_s,
        rngs["opps"],
    )
    progress("opportunities")
    _coaching_reports(con, coaching, org.start)
    progress("coaching reports")
    _calls(con, org, grid, users, last_day, visits_per_day, start_s, rngs["calls"])
    progress("calls")


def rng_lognormal(rng, n):
    return 62_000 * rng.lognormal(0, 0.18, n)


def _span_start(org: Org) -> np.ndarray:
    """int32 [person, day]: first day of the employment span the person is in (far past for day-0 staff)."""
    active = org.level >= 0
    begins = active & ~np.concatenate([np.zeros((active.shape[0], 1), bool), active[:, :-1]], axis=1)
    begins[:, 0] = False  # employed at the start: hired long before
    idx = np.where(begins, np.arange(active.shape[1], dtype=np.int32)[None, :], np.int32(-100_000))
    return np.maximum.accumulate(idx, axis=1)


def _region_at(org: Org, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    team = org.team[person, np.clip(day, 0, org.n_days - 1)]
    return np.where(team >= 0, org.team_region[np.maximum(team, 0)], 0)


def _quota(con, org, grid, first, months_till, base_usd, rate_mat, cur_of_region, start_s) -> None:
    p, m = np.nonzero((first >= 0) & months_till[None, :])
    created_day = first[p, m]
    # the first and last grid months may be cut; a month's length is its calendar length
    cal_len = np.array([(add_months(mm, 1) - mm).days for mm in grid.months])[m]
    month_first_abs = np.array([(mm - org.start).days for mm in grid.months])[m]
    share = (month_first_abs + cal_len - created_day) / cal_len
    cur = cur_of_region[_region_at(org, p, created_day)]
    amount_local = base_usd[p] * rate_mat[cur, m] * np.minimum(share, 1.0)
    amount = np.where(cur == CURRENCIES.index("JPY"), np.round(amount_local, -4), np.round(amount_local, -2))
    created_s = start_s + created_day * 86400 + 3 * 3600 + (p % 3600)
    order = np.lexsort((p, m))
    df = pd.DataFrame(
        {
            "seq": np.arange(len(p)),
            "person": p[order],
            "month": m[order],
            "created_s": created_s[order],
            "amount": amount[order],
            "cur": cur[order],
        }
    )
    con.register("quota_df", df)
    month_sql = _in_list([mm.isoformat() for mm in grid.months], "month")
    con.execute(f"""CREATE OR REPLACE TABLE quota AS
        SELECT seq, person, {month_sql} AS start_date, created_s, amount, cur FROM quota_df""")
    con.unregister("quota_df")


def _opportunities(
    con, org, grid, first, last, base_usd, rate_mat, cur_of_region, att, history_day, last_day, start_s, rng
) -> None:
    horizon = last_day + 90
    live = grid.first_day <= horizon
    p, m = np.nonzero((first >= 0) & live[None, :])
    f, lst = first[p, m], last[p, m]
    cal_len = np.array([(add_months(mm, 1) - mm).days for mm in grid.months])[m]
    frac = (lst - f + 1) / cal_len
    cur_rm = cur_of_region[_region_at(org, p, f)]
    target = att[p, m] * base_usd[p] * rate_mat[cur_rm, m] * frac
    n_won = 1 + rng.poisson(2.0, len(p))
    n_lost = rng.poisson(1.6, len(p))
    n = n_won + n_lost
    rm = np.repeat(np.arange(len(p)), n)
    k = np.arange(len(rm)) - np.repeat(np.cumsum(n) - n, n)
    won = k < n_won[rm]
    share = rng.gamma(2.0, 1.0, len(rm))
    share_sum = np.zeros(len(p))
    np.add.at(share_sum, rm[won], share[won])
    amount = np.where(
        won,
        target[rm] * share / np.maximum(share_sum[rm], 1e-9),
        base_usd[p[rm]] * rate_mat[cur_rm[rm], m[rm]] * rng.lognormal(-1.3, 0.5, len(rm)),
    )
    cur = cur_rm[rm]
    jpy = cur == CURRENCIES.index("JPY")
    amount = np.where(jpy, np.round(amount, -3), np.round(amount, 2))
    owner = p[rm]
    close_day = f[rm] + np.floor(rng.random(len(rm)) * (lst[rm] - f[rm] + 1)).astype(np.int64)
    created_day = close_day - rng.integers(10, 120, len(rm))
    # a rep hired lately cannot have created a deal before their first day
    span = _span_start(org)
    hired = span[owner, np.clip(close_day, 0, org.n_days - 1)]
    created_day = np.minimum(np.maximum(created_day, hired), close_day - 1)
    created_s = start_s + created_day * 86400 + rng.integers(8 * 3600, 19 * 3600, len(rm))
    close_s = start_s + close_day * 86400 + rng.integers(9 * 3600, 22 * 3600, len(rm))
    keep = close_day <= horizon
    owner, amount, cur, close_day, created_day, created_s, close_s, won = (
        a[keep] for a in (owner, amount, cur, close_day, created_day, created_s, close_s, won)
    )
    order = np.lexsort((owner, created_s))
    owner, amount, cur, close_day, created_day, created_s, close_s, won = (
        a[order] for a in (owner, amount, cur, close_day, created_day, created_s, close_s, won)
    )
    n_opp = len(owner)
    team = org.team[owner, np.clip(created_day, 0, org.n_days - 1)].astype(np.int64)
    account = np.maximum(team, 0) * 400 + rng.integers(0, 400, n_opp)
    product = rng.integers(0, len(PRODUCTS), n_opp)

    # stage versions: Prospecting at creation, then some of the next stages, then the close
    n_open = np.where(won, rng.integers(2, 6, n_opp), rng.integers(1, 6, n_opp))
    vo = np.repeat(np.arange(n_opp), n_open)
    stage = np.arange(len(vo)) - np.repeat(np.cumsum(n_open) - n_open, n_open)
    span = close_s[vo] - created_s[vo]
    ts = np.where(
        stage == 0,
        created_s[vo],
        created_s[vo] + ((stage + rng.random(len(vo)) * 0.9 + 0.05) / n_open[vo] * span).astype(np.int64),
    )
    versions = {
        "opp": [vo, np.arange(n_opp)],
        "ts": [ts, close_s],
        "stage": [stage, np.where(won, 5, 6)],
        "amount": [amount[vo], amount],
        "close_day": [close_day[vo], close_day],
    }
    # after the close: amount edits, close-date edits, reopen-and-close-again
    u = rng.random(n_opp)
    hist_end = start_s + (history_day + 1) * 86400
    night_s = max(1, (last_day - history_day) * 86400)
    edit = u < 0.03
    recent_won = np.flatnonzero(won & (close_day > history_day - 20) & (close_day <= history_day) & (u >= 0.05))
    forced = rng.choice(recent_won, min(3, len(recent_won)), replace=False) if last_day > history_day else []
    edit[forced] = True
    e = np.flatnonzero(edit)
    e_ts = close_s[e] + rng.integers(86400, 30 * 86400, len(e))
    e_ts[np.isin(e, forced)] = hist_end + rng.integers(600, night_s, len(forced))
    _add(
        versions,
        e,
        e_ts,
        np.where(won[e], 5, 6),
        np.round(amount[e] * rng.uniform(0.8, 1.2, len(e)), 2),
        close_day[e],
    )
    cd = np.flatnonzero((u >= 0.03) & (u < 0.045))
    _add(
        versions,
        cd,
        close_s[cd] + rng.integers(86400, 15 * 86400, len(cd)),
        np.where(won[cd], 5, 6),
        amount[cd],
        close_day[cd] + rng.choice([-9, -5, -2, 3, 6, 10], len(cd)),
    )
    ro = np.flatnonzero((u >= 0.045) & (u < 0.052))
    ro_ts = close_s[ro] + rng.integers(2 * 86400, 20 * 86400, len(ro))
    _add(versions, ro, ro_ts, np.full(len(ro), 4), amount[ro], close_day[ro] + 30)
    re_ts = ro_ts + rng.integers(3 * 86400, 30 * 86400, len(ro))
    _add(versions, ro, re_ts, np.full(len(ro), 5), amount[ro], (re_ts - start_s) // 86400)
    # deletions: some opportunities are deleted (a tombstone), a few during the nightly window
    deleted = np.full(n_opp, NEVER)
    dl = np.flatnonzero((u >= 0.06) & (u < 0.072))
    deleted[dl] = created_s[dl] + (rng.random(len(dl)) * (close_s[dl] - created_s[dl] + 20 * 86400)).astype(np.int64)
    open_at_h = np.flatnonzero((created_s < hist_end - 86400) & (close_s > hist_end + night_s) & (u >= 0.2))
    if last_day > history_day and len(open_at_h):
        fd = rng.choice(open_at_h, min(2, len(open_at_h)), replace=False)
        deleted[fd] = hist_end + rng.integers(600, night_s, len(fd))
    con.register(
        "opp_df",
        pd.DataFrame(
            {
                "opp": np.arange(n_opp),
                "owner": owner,
                "account": account,
                "product": product,
                "cur": cur,
                "created_s": created_s,
                "deleted_s": deleted,
            }
        ),
    )
    con.execute("CREATE OR REPLACE TABLE opp AS SELECT * FROM opp_df")
    con.unregister("opp_df")
    con.register("ver_df", pd.DataFrame({k: np.concatenate(v) for k, v in versions.items()}))
    con.execute("""CREATE OR REPLACE TABLE opp_version AS
        SELECT v.* FROM ver_df v JOIN opp o USING (opp) WHERE v.ts < o.deleted_s""")
    con.unregister("ver_df")


def _add(versions, idx, ts, stage, amount, close_day) -> None:
    for k, v in (("opp", idx), ("ts", ts), ("stage", stage), ("amount", amount), ("close_day", close_day)):
        versions[k].append(np.asarray(v))


def _coaching_reports(con, c: Coaching, start: date) -> None:
    order = np.lexsort((c.coachee, c.created))
    cols = {
        "coach": c.coach,
        "coachee": c.coachee,
        "day": c.day,
        "level": c.level,
        "ctype": c.ctype,
        "minutes": c.minutes,
        "comment": c.comment,
        "created_s": c.created,
        "submitted_s": c.submitted,
        "approved_s": c.approved,
        "deleted_s": c.deleted,
    }
    df = pd.DataFrame({k: np.asarray(v)[order] for k, v in cols.items()})
    for j in range(14):
        df[f"r{j}"] = c.ratings[order, j]
    df.insert(0, "seq", np.arange(len(df)))
    con.register("cr_df", df)
    con.execute("CREATE OR REPLACE TABLE coaching AS SELECT * FROM cr_df")
    con.unregister("cr_df")


def _calls(con, org, grid, users, last_day, visits_per_day, start_s, rng, chunk_people: int = 400) -> None:
    """Calls table, built for a block of people at a time so memory stays bounded on the large profile.

    `owner` is the CRM user number (= person index for workers). Contract reps, who are no worker, make
    calls too: their calls belong to no person and must count nowhere in the marts.
    """
    days = min(org.n_days, last_day + 11)
    lam_rep = visits_per_day * rng.uniform(0.85, 1.15, len(users))

    def worker_team(vp, vd):
        return org.team[vp, vd]

    blocks = []
    for lo in range(0, len(org.people), chunk_people):
        people = slice(lo, min(lo + chunk_people, len(org.people)))
        mask = (org.level[people, :days] == IC) & grid.is_workday[None, :days]
        p, d = np.nonzero(mask)
        blocks.append((p + lo, d, worker_team))
    contractors = [u for u in users if u.person < 0 and u.manager_user >= 0]
    if contractors:
        first_day = org.day_index(org.start)
        c_team = np.zeros(len(users), dtype=np.int64)
        for u in contractors:
            c_team[u.idx] = max(0, int(org.team[u.manager_user, last_day]))
        workdays = np.flatnonzero(grid.is_workday[:days])
        workdays = workdays[workdays >= first_day]
        p = np.repeat(np.array([u.idx for u in contractors]), len(workdays))
        d = np.tile(workdays, len(contractors))
        blocks.append((p, d, lambda vp, vd: c_team[vp]))
    offset = 0
    for p, d, team_of in blocks:
        df = _call_rows(p, d, team_of, lam_rep, last_day, start_s, offset, rng)
        if df is None:
            continue
        offset += len(df)
        con.register("call_df", df)
        if offset == len(df):  # the first block with calls creates the table
            con.execute("CREATE OR REPLACE TABLE calls AS SELECT * FROM call_df")
        else:
            con.execute("INSERT INTO calls SELECT * FROM call_df")
        con.unregister("call_df")
        del df


def _call_rows(p, d, team_of, lam_rep, last_day, start_s, offset, rng) -> pd.DataFrame | None:
    n = rng.poisson(lam_rep[p])
    vp, vd = np.repeat(p, n), np.repeat(d, n)
    planned = rng.random(len(vp)) < 0.25
    keep = (vd <= last_day) | planned  # future calls exist only when planned ahead
    vp, vd, planned = vp[keep], vd[keep], planned[keep]
    nv = len(vp)
    call_s = start_s + vd.astype(np.int64) * 86400 + rng.integers(7 * 3600, 18 * 3600, nv)
    group = rng.random(nv) < 0.10
    ctype = np.where(group, rng.choice([3, 4], nv, p=[0.7, 0.3]), rng.choice([0, 1, 2], nv, p=[0.6, 0.3, 0.1]))
    channel = np.where(group, rng.choice([0, 2], nv, p=[0.8, 0.2]), rng.choice(4, nv, p=[0.72, 0.12, 0.1, 0.06]))
    channel = np.where((ctype == 1) | (ctype == 2) | (ctype == 4), 0, channel)  # samples: in person
    status = np.where(rng.random(nv) < 0.96, 2, 1)
    created = np.where(
        planned, call_s - rng.integers(86400, 10 * 86400, nv), call_s + rng.integers(1800, 30 * 3600, nv)
    )
    final = np.where(planned, call_s + rng.integers(1800, 30 * 3600, nv), created)
    deleted = np.where(rng.random(nv) < 0.0025, final + rng.integers(86400, 15 * 86400, nv), NEVER)
    products = rng.integers(0, len(PRODUCTS), nv)
    team = team_of(vp, vd).astype(np.int64)  # int16 in the matrix: widen before arithmetic
    if nv == 0:
        return None
    # one row per visit plus one per group attendee; attendee rows follow their parent
    rows_per = 1 + np.where(group, rng.integers(2, 6, nv), 0)
    first_row = np.cumsum(rows_per) - rows_per
    v = np.repeat(np.arange(nv), rows_per)
    k = np.arange(len(v)) - first_row[v]
    account = np.maximum(team[v], 0) * 400 + rng.integers(0, 400, len(v))
    return pd.DataFrame(
        {
            "seq": offset + np.arange(len(v), dtype=np.int64),
            "owner": vp[v].astype(np.int32),
            "account": account.astype(np.int32),
            "day": vd[v].astype(np.int32),
            "call_s": call_s[v],
            "status": status[v].astype(np.int8),
            "ctype": ctype[v].astype(np.int8),
            "channel": channel[v].astype(np.int8),
            "parent": np.where(k > 0, offset + first_row[v], -1),
            "products": products[v].astype(np.int8),
            "team": team[v].astype(np.int16),
            "created_s": created[v],
            "final_s": final[v],
            "deleted_s": deleted[v],
        }
    )


# ---------------------------------------------------------------------------------------------------
# Batch queries
# ---------------------------------------------------------------------------------------------------
def _window(t_end: int, history: bool, stamp: str, deleted: str) -> str:
    """Rows of a batch: the history batch has live records, a nightly delta those stamped that day."""
    if history:
        return f"NOT ({deleted})"
    return f"{stamp} >= {t_end - 86400}"


def calls_sql(start: date, t_end: int, history: bool) -> str:
    stamp = f"CASE WHEN deleted_s < {t_end} THEN deleted_s WHEN final_s < {t_end} THEN final_s ELSE created_s END"
    deleted = f"deleted_s < {t_end}"
    status = f"CASE WHEN final_s < {t_end} THEN {_in_list(CALL_STATUS, 'status')} ELSE 'Planned_vod' END"
    return f"""
        SELECT sfid('{PREFIX["Call2_vod__c"]}', {CALL_BASE} + seq) AS "Id", u.id AS "OwnerId",
               a.id AS "Account_vod__c", {_date("day", start)} AS "Call_Date_vod__c",
               {_ts("call_s")} AS "Call_Datetime_vod__c", {status} AS "Status_vod__c",
               {_in_list(CALL_TYPES, "ctype")} AS "Call_Type_vod__c",
               {_in_list(CHANNELS, "channel")} AS "Call_Channel_vod__c",
               CASE WHEN parent >= 0 THEN sfid('{PREFIX["Call2_vod__c"]}',
               {CALL_BASE} + parent) END AS "Parent_Call_vod__c",
               {_in_list(PRODUCTS, "products")} AS "Detailed_Products_vod__c",
               t.territory AS "Territory_vod__c",
               {_bool(deleted)} AS "IsDeleted", {_ts("created_s")} AS "CreatedDate",
               {_ts(stamp)} AS "SystemModstamp"
        FROM calls c JOIN users u ON u.uidx = c.owner LEFT JOIN teams t ON t.team = c.team
             JOIN accounts a ON a.account = c.account
        WHERE created_s < {t_end} AND {_window(t_end, history, stamp, deleted)}
        ORDER BY seq"""


def coaching_sql(start: date, t_end: int, history: bool) -> str:
    stamp = (
        f"CASE WHEN deleted_s < {t_end} THEN deleted_s WHEN approved_s < {t_end} THEN approved_s "
        f"WHEN submitted_s < {t_end} THEN submitted_s ELSE created_s END"
    )
    deleted = f"deleted_s < {t_end}"
    status = (
        f"CASE WHEN approved_s < {t_end} THEN 'Approved' WHEN submitted_s < {t_end} THEN 'Submitted' ELSE 'Draft' END"
    )
    ratings = ",\n".join(
        f'CASE WHEN r{j} > 0 THEN {_in_list(RATING_PICKLIST, f"r{j} - 1")} END AS "{name}"'
        for j, name in enumerate((*REP_SKILL_FIELDS, *COACHING_SKILL_FIELDS))
    )
    return f"""
        SELECT sfid('{PREFIX["Coaching_Report_vod__c"]}', {REPORT_BASE} + seq) AS "Id",
               'CR-' || lpad(CAST(seq + 1 AS VARCHAR), 7, '0') AS "Name",
               e.id AS "OwnerId", m.id AS "Manager_vod__c", e.id AS "Employee_vod__c",
               {_date("day", start)} AS "Review_Date__c", {status} AS "Status__c",
               {_in_list(COACHING_TYPES, "ctype")} AS "Coaching_Type__c", minutes AS "Duration_Minutes__c",
               {_in_list(LEVELS, "level")} AS "Coaching_Level__c",
               {ratings},
               cm.text AS "Comments__c", {_bool(deleted)} AS "IsDeleted", {_ts("created_s")} AS "CreatedDate",
               {_ts(stamp)} AS "SystemModstamp"
        FROM coaching c JOIN users e ON e.person = c.coachee JOIN users m ON m.person = c.coach
             LEFT JOIN comments cm ON cm.idx = c.comment
        WHERE created_s < {t_end} AND {_window(t_end, history, stamp, deleted)}
        ORDER BY seq"""


def opportunity_sql(start: date, t_end: int, history: bool) -> str:
    stamp = f"CASE WHEN o.deleted_s < {t_end} THEN o.deleted_s ELSE v.ts END"
    deleted = f"o.deleted_s < {t_end}"
    return f"""
        WITH latest AS (
            SELECT * FROM opp_version WHERE ts < {t_end}
            QUALIFY row_number() OVER (PARTITION BY opp ORDER BY ts DESC) = 1)
        SELECT sfid('006', {OPP_BASE} + o.opp) AS "Id", u.id AS "OwnerId",
               a.id AS "AccountId",
               {_in_list(ACCOUNT_WORDS, "o.account % " + str(len(ACCOUNT_WORDS)))} || ' - ' ||
                   {_in_list(PRODUCTS, "o.product")} || ' ' ||
                   strftime(make_timestamp(o.created_s * 1000000), '%b %Y')
                   AS "Name",
               {_in_list(STAGES, "v.stage")} AS "StageName",
               {_money("v.amount", "o.cur")} AS "Amount",
               {_in_list(CURRENCIES, "o.cur")} AS "CurrencyIsoCode",
               {_date("v.close_day", start)} AS "CloseDate",
               {_bool("v.stage >= 5")} AS "IsClosed", {_bool("v.stage = 5")} AS "IsWon",
               {_ts("o.created_s")} AS "CreatedDate", {_bool(deleted)} AS "IsDeleted",
               {_ts(stamp)} AS "SystemModstamp"
        FROM latest v JOIN opp o USING (opp) JOIN users u ON u.person = o.owner
             JOIN accounts a ON a.account = o.account
        WHERE o.created_s < {t_end} AND {_window(t_end, history, stamp, deleted)}
        ORDER BY o.opp"""


def quota_sql(t_end: int) -> str:
    return f"""
        SELECT sfid('0J9', {QUOTA_BASE} + q.seq) AS "Id", u.id15 AS "QuotaOwnerId",
        q.start_date AS "StartDate",
               {_money("q.amount", "q.cur")} AS "QuotaAmount",
               {_in_list(CURRENCIES, "q.cur")} AS "CurrencyIsoCode", {_ts("q.created_s")} AS "SystemModstamp"
        FROM quota q JOIN users u ON u.person = q.person
        WHERE q.created_s < {t_end}
        ORDER BY q.seq"""


USER_COLUMNS = (
    "Id",
    "Username",
    "FirstName",
    "LastName",
    "Email",
    "EmployeeNumber",
    "ManagerId",
    "Title",
    "IsActive",
    "TimeZoneSidKey",
    "CreatedDate",
    "SystemModstamp",
)
RATE_COLUMNS = ("Id", "IsoCode", "StartDate", "NextStartDate", "ConversionRate")
