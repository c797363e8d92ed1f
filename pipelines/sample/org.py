"""The people simulation: an organisation living through time, day by day.

Directors lead second-line managers (SLMs), SLMs lead teams, each team has a front-line manager (FLM)
and reps. Every day reps may resign or be let go (voluntary exits depend on how much their FLM coaches),
vacancies are back-filled (sometimes by rehiring a former rep under the same Employee ID), reps transfer
between regions, are moved between teams, get promoted; when an FLM leaves, the team reports to the SLM
until a rep is promoted (or an FLM hired) and the team moves to the new FLM.

Output: the effective-dated job history (the HRIS truth) plus day-indexed matrices (manager, level,
team of every person on every day) that the vectorised fact generators look up.

This is plain Python over people and events (a few thousand people, a few events a day): small data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from pipelines.sample.profiles import Profile

IC, FLM, SLM, DIRECTOR = 0, 1, 2, 3
LEVEL_NAMES = ("Individual Contributor", "First-Line Manager", "Second-Line Manager", "Director")
# (region, currency, CRM time zone)
REGIONS = (
    ("North America", "USD", "America/New_York"),
    ("Canada", "CAD", "America/Toronto"),
    ("Europe", "EUR", "Europe/Berlin"),
    ("United Kingdom", "GBP", "Europe/London"),
    ("Japan", "JPY", "Asia/Tokyo"),
)
PROFILE_REP, PROFILE_SENIOR_REP = "Sales Representative", "Senior Sales Representative"
PROFILE_BY_LEVEL = {FLM: "District Sales Manager", SLM: "Regional Sales Manager", DIRECTOR: "Sales Director"}

VOLUNTARY_REASONS = (
    "Better Opportunity",
    "Compensation",
    "Career Change",
    "Relocation",
    "Personal Reasons",
    "Manager Relationship",
)
INVOLUNTARY_REASONS = ("Performance", "Misconduct", "Position Eliminated")

FIRST = (
    "Anna Ben Carla David Elena Frank Grace Hugo Ines Jonas Kara Liam Maya Noah Olga Paul Quinn Rosa Sam "
    "Tara Umar Vera Will Xenia Yusuf Zoe Aiko Bruno Chloe Diego Emma Felix Gina Hiro Ivy Jack Kenji Lena "
    "Marco Nina Oscar Priya Raj Sofia Tom Uma Victor Wendy Yuki Zack Amelie Claire Daniel Eva Finn Hanna "
    "Isaac Julia Kai Lucas Mia"
).split()
LAST = (
    "Smith Muller Tanaka Brown Garcia Rossi Martin Dubois Novak Kowalski Jensen Silva Lee Wilson Taylor "
    "Thomas Moore Jackson White Harris Clark Lewis Walker Hall Young King Wright Scott Green Baker Adams "
    "Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards "
    "Stewart "
    "Morris Murphy Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Gomez Kelly Howard Ward Cox Diaz "
    "Richardson Wood Watson Brooks Bennett Gray James Reyes Cruz Hughes Price Myers Long Foster Sanders "
    "Ross Morales Powell Sullivan Russell Ortiz Jenkins Gutierrez Perry Butler Barnes Fisher Henderson "
    "Coleman Simmons Patterson Jordan Reynolds Hamilton Graham Kim Gonzales Alexander Ramos Wallace "
    "Griffin West Cole Hayes Chavez Gibson Bryant Ellis Stevens Murray Ford Marshall Owens McDonald "
    "Harrison Ruiz Kennedy Wells Alvarez Woods Mendoza Castillo Olson Webb Washington Tucker Freeman "
    "Burns Henry Vasquez Snyder Simpson Crawford Jimenez Porter Mason Shaw Gordon Wagner Hunter Romero "
    "Hicks Dixon Hunt Palmer Robertson Black Holmes Stone Meyer Boyd Mills Warren Fox Rose Rice"
).split()
EMAIL_DOMAIN = "corvia-pharma.com"


@dataclass
class JobRow:
    day: date
    process: str
    level: int
    profile: str
    region: int
    manager: int  # person index, -1 = none
    team: int  # internal: team index, -1 = none (not exported)
    reason: str = ""
    category: str = ""
    regrettable: str = ""


@dataclass
class Person:
    idx: int
    emp_id: str
    first: str
    last: str
    email: str  # as HRIS spells it
    rows: list[JobRow] = field(default_factory=list)
    # latent traits (hidden from the exports): how much and how well this person coaches / sells
    coach_hours: float = 0.0  # hours of coaching per direct report and month this person tends to give
    coach_quality: float = 3.0  # 1-5 scale, how good that coaching is
    skill: float = 0.0  # rep selling skill, ~N(0, 1)
    loa: tuple[date, date] | None = None  # a leave of absence (Worker Status only)

    @property
    def state(self) -> JobRow:
        return self.rows[-1]

    @property
    def active(self) -> bool:
        return bool(self.rows) and self.rows[-1].process != "Termination"


@dataclass
class Team:
    idx: int
    region: int
    slm: int
    flm: int  # -1 while vacant


@dataclass
class Org:
    people: list[Person]
    teams: list[Team]
    start: date  # day index 0 of the matrices
    end: date  # last simulated day; later matrix days repeat its state
    mgr: np.ndarray  # int32 [person, day]: manager index, -1 no manager, -2 not employed
    level: np.ndarray  # int8 [person, day]: level, -1 not employed
    team: np.ndarray  # int16 [person, day]: team index, -1 none
    team_region: np.ndarray  # int8 [team]

    @property
    def n_days(self) -> int:
        return self.mgr.shape[1]

    def day_index(self, d: date) -> int:
        return (d - self.start).days

    def day(self, i: int) -> date:
        return self.start + timedelta(days=int(i))


class _Sim:
    def __init__(self, profile: Profile, rng: np.random.Generator, start: date, end: date):
        self.p, self.rng, self.start, self.end = profile, rng, start, end
        self.people: list[Person] = []
        self.teams: list[Team] = []
        self.todo: dict[date, list[tuple]] = defaultdict(list)
        self.touched: set[int] = set()
        self.today = start
        self.former: list[int] = []  # rehire pool: former reps
        self.rehires = 0
        self.active: set[int] = set()
        order = rng.permutation(len(FIRST) * len(LAST))
        self._names = iter(order.tolist())
        self._emails: set[str] = set()

    # ---- people -------------------------------------------------------------------------------
    def new_person(self) -> Person:
        k = next(self._names, None)
        if k is None:  # more people than name pairs: reuse with a middle initial
            k = int(self.rng.integers(len(FIRST) * len(LAST)))
        first, last = FIRST[k % len(FIRST)], LAST[k // len(FIRST)]
        local = f"{first}.{last}"
        n = 2
        while local.lower() in self._emails:
            local = f"{first}.{last}{n}"
            n += 1
        self._emails.add(local.lower())
        idx = len(self.people)
        person = Person(idx, f"{1001 + idx:06d}", first, last, f"{local}@{EMAIL_DOMAIN}")
        person.coach_hours = float(np.clip(self.rng.lognormal(np.log(1.6), 0.6), 0.1, 6.0))
        person.coach_quality = float(np.clip(2.4 + 0.35 * person.coach_hours + self.rng.normal(0, 0.45), 1.2, 4.9))
        person.skill = float(self.rng.normal(0, 1))
        if self.rng.random() < 0.04:
            a = self.start + timedelta(days=int(self.rng.integers(0, max(1, (self.end - self.start).days))))
            person.loa = (a, a + timedelta(days=int(self.rng.integers(30, 120))))
        self.people.append(person)
        return person

    def add_row(self, who: int, row: JobRow) -> None:
        person = self.people[who]
        if person.rows and person.rows[-1].day == row.day:
            raise AssertionError(f"two job_history rows for {person.emp_id} on {row.day}")  # a generator bug
        person.rows.append(row)
        self.touched.add(who)
        if row.process == "Termination":
            self.active.discard(who)
        else:
            self.active.add(who)

    def change(self, who: int, process: str, **kw) -> None:
        s = self.people[who].state
        row = JobRow(
            self.today,
            process,
            kw.get("level", s.level),
            kw.get("profile", s.profile),
            kw.get("region", s.region),
            kw.get("manager", s.manager),
            kw.get("team", s.team),
        )
        self.add_row(who, row)

    def leader(self, t: int) -> int:
        team = self.teams[t]
        return team.flm if team.flm >= 0 else team.slm

    def members(self, t: int) -> list[int]:
        return [w for w in self.active_reps() if self.people[w].state.team == t]

    # ---- initial organisation -----------------------------------------------------------------
    def build(self) -> None:
        p, rng, start = self.p, self.rng, self.start

        def hire(level: int, manager: int, team: int, region: int, earliest: date, latest: date) -> int:
            person = self.new_person()
            span = max(1, (latest - earliest).days)
            day = earliest + timedelta(days=int(rng.integers(0, span)))
            prof = PROFILE_BY_LEVEL.get(level, PROFILE_REP)
            if level == IC and (start - day).days > 700 and rng.random() < 0.5:
                prof = PROFILE_SENIOR_REP
            person.rows.append(JobRow(day, "Hire", level, prof, region, manager, team))
            self.active.add(person.idx)
            return person.idx

        floor = start - timedelta(days=5 * 365)
        directors = [
            hire(DIRECTOR, -1, -1, d % len(REGIONS), floor, floor + timedelta(days=200)) for d in range(p.directors)
        ]
        slms = []
        for s in range(p.slms):
            boss = directors[s % len(directors)]
            d0 = self.people[boss].rows[0].day
            slms.append(hire(SLM, boss, -1, s % len(REGIONS), d0, d0 + timedelta(days=400)))
        for t in range(p.flms):
            slm = slms[t % len(slms)]
            region = t % len(REGIONS)
            d0 = self.people[slm].rows[0].day
            self.teams.append(Team(t, region, slm, -1))
            self.teams[t].flm = hire(FLM, slm, t, region, d0, start - timedelta(days=120))
        for r in range(p.reps):
            t = r % p.flms
            d0 = self.people[self.teams[t].flm].rows[0].day
            hire(IC, self.teams[t].flm, t, self.teams[t].region, d0, start - timedelta(days=10))
        # a guaranteed FLM vacancy early on: resignation mid-month, back-filled by a promotion
        self.forced_flm_exit = date(start.year + (start.month + 1) // 12, (start.month + 1) % 12 + 1, 13)

    # ---- daily events -------------------------------------------------------------------------
    def terminate(self, who: int, voluntary: bool) -> None:
        rng, person = self.rng, self.people[who]
        if voluntary:
            reason = VOLUNTARY_REASONS[int(rng.integers(len(VOLUNTARY_REASONS)))]
            regrettable = "Yes" if rng.random() < 0.35 + 0.2 * person.skill else "No"
        else:
            reason = INVOLUNTARY_REASONS[int(rng.choice(3, p=[0.6, 0.1, 0.3]))]
            regrettable = "No"
        s = person.state
        self.add_row(
            who,
            JobRow(
                self.today,
                "Termination",
                s.level,
                s.profile,
                s.region,
                s.manager,
                s.team,
                reason,
                "Voluntary" if voluntary else "Involuntary",
                regrettable,
            ),
        )
        if s.level == IC and reason not in ("Misconduct", "Performance"):
            self.former.append(who)
        if s.level == IC:
            self.schedule(int(rng.integers(20, 70)), ("backfill_rep", s.team))
        elif s.level == FLM:
            self.teams[s.team].flm = -1
            self.schedule(1, ("vacate", s.team))
            self.schedule(int(rng.integers(28, 56)), ("backfill_flm", s.team))

    def schedule(self, in_days: int, action: tuple) -> None:
        self.todo[self.today + timedelta(days=in_days)].append(action)

    def move_team(self, t: int, to: int) -> None:
        for who in self.members(t):
            if self.people[who].state.manager == to:
                continue
            if who in self.touched:
                self.schedule(1, ("move_one", who, t))
            else:
                self.change(who, "Change Manager", manager=to)

    def backfill_rep(self, t: int) -> None:
        rng, team = self.rng, self.teams[t]
        pool = [w for w in self.former if (self.today - self.people[w].state.day).days >= 90 and w not in self.touched]
        force = self.rehires == 0 and (self.today - self.start).days > 100
        if pool and (force or rng.random() < 0.2):
            who = pool[int(rng.integers(len(pool)))]
            self.former.remove(who)
            self.rehires += 1
            self.add_row(who, JobRow(self.today, "Rehire", IC, PROFILE_REP, team.region, self.leader(t), t))
        else:
            person = self.new_person()
            self.add_row(person.idx, JobRow(self.today, "Hire", IC, PROFILE_REP, team.region, self.leader(t), t))

    def backfill_flm(self, t: int) -> None:
        rng, team = self.rng, self.teams[t]
        if team.flm >= 0:
            return
        candidates = [
            w
            for w in self.active_reps()
            if self.people[w].state.team != t
            and w not in self.touched
            and self.teams[self.people[w].state.team].flm >= 0
        ]
        if candidates and rng.random() < 0.7:
            skills = np.array([self.people[c].skill for c in candidates])
            who = candidates[int(np.argmax(skills + rng.normal(0, 0.5, len(skills))))]
            old_team = self.people[who].state.team
            self.change(
                who,
                "Promotion",
                level=FLM,
                profile=PROFILE_BY_LEVEL[FLM],
                region=team.region,
                manager=team.slm,
                team=t,
            )
            self.schedule(int(rng.integers(20, 60)), ("backfill_rep", old_team))
        else:
            who = self.new_person().idx
            self.add_row(who, JobRow(self.today, "Hire", FLM, PROFILE_BY_LEVEL[FLM], team.region, team.slm, t))
        team.flm = who
        self.move_team(t, who)

    def run_day(self) -> None:
        rng = self.rng
        self.touched = set()
        for action in self.todo.pop(self.today, []):
            kind = action[0]
            if kind == "vacate":
                self.move_team(action[1], self.leader(action[1]))
            elif kind == "backfill_flm":
                self.backfill_flm(action[1])
            elif kind == "backfill_rep":
                self.backfill_rep(action[1])
            elif kind == "move_one":
                who, t = action[1], action[2]
                s = self.people[who].state
                if self.people[who].active and s.team == t and s.manager != self.leader(t):
                    if who in self.touched:
                        self.schedule(1, action)
                    else:
                        self.change(who, "Change Manager", manager=self.leader(t))
        if self.today == self.forced_flm_exit:
            t = 0
            if self.teams[t].flm >= 0 and self.teams[t].flm not in self.touched:
                self.terminate(self.teams[t].flm, voluntary=True)
                self.todo[self.today + timedelta(days=28)].insert(0, ("backfill_flm", t))
        # random events for everyone not yet touched today
        flms = [t.flm for t in self.teams if t.flm >= 0 and t.flm not in self.touched]
        draws = rng.random(len(flms))
        for who, u in zip(flms, draws, strict=True):
            if u < 0.12 / 365:
                self.terminate(who, voluntary=rng.random() < 0.8)
        reps = [w for w in self.active_reps() if w not in self.touched]
        if not reps:
            return
        u = rng.random((len(reps), 5))
        coached = np.array([self.boss_coaching(w) for w in reps])
        skill_low = np.array([self.people[w].skill < -1.2 for w in reps])
        vol = 0.17 / 365 * np.clip(np.exp(-0.45 * (coached - 1.6)), 0.35, 2.5)
        invol = (0.06 + 0.04 * skill_low) / 365
        hit = (
            (u[:, 0] < vol)
            | (u[:, 1] < invol)
            | (u[:, 2] < 0.04 / 365)
            | (u[:, 3] < 0.05 / 365)
            | (u[:, 4] < 0.08 / 365)
        )
        for i in np.flatnonzero(hit).tolist():
            who = reps[i]
            s = self.people[who].state
            if u[i, 0] < vol[i]:
                self.terminate(who, voluntary=True)
            elif u[i, 1] < invol[i]:
                self.terminate(who, voluntary=False)
            elif u[i, 2] < 0.04 / 365:  # transfer to another region
                others = [t for t in self.teams if t.region != s.region]
                if others:
                    t = others[int(rng.integers(len(others)))]
                    self.change(who, "Transfer", region=t.region, manager=self.leader(t.idx), team=t.idx)
            elif u[i, 3] < 0.05 / 365:  # moved to another team of the same region
                others = [t for t in self.teams if t.region == s.region and t.idx != s.team]
                if others:
                    t = others[int(rng.integers(len(others)))]
                    self.change(who, "Change Manager", manager=self.leader(t.idx), team=t.idx)
            elif s.profile == PROFILE_REP:
                self.change(who, "Promotion", profile=PROFILE_SENIOR_REP)

    def boss_coaching(self, who: int) -> float:
        s = self.people[who].state
        if s.manager < 0:
            return 0.3
        boss = self.people[s.manager]
        return boss.coach_hours if boss.state.level == FLM else 0.3

    def active_reps(self) -> list[int]:
        return sorted(w for w in self.active if self.people[w].state.level == IC)

    def run(self) -> None:
        self.build()
        day = self.start + timedelta(days=1)
        while day <= self.end:
            self.today = day
            self.run_day()
            day += timedelta(days=1)


def _matrices(people: list[Person], start: date, end: date, horizon_days: int):
    n, days = len(people), (end - start).days + 1 + horizon_days
    mgr = np.full((n, days), -2, dtype=np.int32)
    level = np.full((n, days), -1, dtype=np.int8)
    team = np.full((n, days), -1, dtype=np.int16)
    for person in people:
        rows = person.rows
        for i, row in enumerate(rows):
            a = max(0, (row.day - start).days)
            if row.process == "Termination":
                b = (row.day - start).days + 1  # the last day worked is still a working day
                a = max(0, b - 1)
            else:
                b = (rows[i + 1].day - start).days if i + 1 < len(rows) else days
                if i + 1 < len(rows) and rows[i + 1].process == "Termination":
                    b += 1
            b = min(max(b, 0), days)
            if b > a:
                mgr[person.idx, a:b] = row.manager
                level[person.idx, a:b] = row.level
                team[person.idx, a:b] = row.team
    return mgr, level, team


def simulate(profile: Profile, rng: np.random.Generator, start: date, end: date, horizon_days: int = 120) -> Org:
    """Run the organisation from `start` to `end`; matrices reach `horizon_days` past `end` (frozen state)."""
    sim = _Sim(profile, rng, start, end)
    sim.run()
    mgr, level, team = _matrices(sim.people, start, end, horizon_days)
    team_region = np.array([t.region for t in sim.teams], dtype=np.int8)
    return Org(sim.people, sim.teams, start, end, mgr, level, team, team_region)
