"""Coaching sessions (vectorised) and the outcomes they drive.

Second-line managers coach their front-line managers; front-line managers coach their reps. How much
a manager coaches and how well is a latent trait of the person (org.Person.coach_hours/coach_quality);
an FLM who was coached by their SLM in the last three months coaches more. Reps' monthly attainment
responds to the coaching they received this month and in the three months before (a lasting effect),
so both a rep-month and a manager-quarter analysis find the signal. Skills are not all alike: each person
has a strength per skill beyond their general skill (reps) or quality (coaches); the ratings show it, and
only some skills move results (SKILL_WEIGHTS). Nothing here loops over sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.sample.dates import NEVER, MonthGrid, epoch_seconds
from pipelines.sample.org import FLM, IC, SLM, Org

COACHING_TYPES = ("Field Ride-Along", "Virtual Ride-Along", "One-on-One", "Call Review")
LEVELS = ("Rep", "Manager")
# minutes a session of each type lasts, and how often each type happens, per coaching level
DURATIONS = {0: (120, 180, 240), 1: (60, 90, 120), 2: (30, 45, 60), 3: (30, 45)}
TYPE_P = {0: (0.35, 0.15, 0.35, 0.15), 1: (0.25, 0.15, 0.5, 0.1)}
COMMENTS = (
    "Good call structure; work on closing.",
    'Asked strong open questions. Next: use the "feel, felt, found" approach on price objections.',
    "Ride-along with two accounts, both receptive.\nAgreed actions:\n- pre-call plan for every visit\n"
    "- follow up on samples",
    "Needs to slow down, listen more, and confirm the customer's need before messaging.",
    'Excellent objection handling at Dr. Lee\'s office ("too expensive" -> value story).',
    "Reviewed call notes, territory plan, and Q targets.",
    "Coaching the coach: gave feedback on how you ran the ride-along; let the rep reflect first, then advise.",
    "Set goals for next month:\n1) 3 ride-alongs per rep\n2) weekly one-on-ones",
    "Missed pre-call planning, again; discussed why.",
    "Strong session, rep self-identified 2 improvement areas.",
)


# Attainment points per unit of a person's own strength in each skill, beyond their general level (the
# order of sources.REP_SKILL_FIELDS / COACHING_SKILL_FIELDS). Rep skills: needs discovery, objection handling
# and closing sell; the rest do not. Coaching skills: the coach's feedback, goal setting and accountability
# lift the attainment of the reps they coach; observation, questioning, motivation and strategy do not.
REP_SKILL_WEIGHTS = np.array([0.0, 0.0, 0.05, 0.0, 0.06, 0.08, 0.0])
COACHING_SKILL_WEIGHTS = np.array([0.0, 0.12, 0.0, 0.09, 0.07, 0.0, 0.0])


@dataclass
class SkillProfiles:
    """Hidden per-skill strengths, person x 7, around 0: added to the general skill / quality in ratings."""

    rep: np.ndarray
    coaching: np.ndarray

    @classmethod
    def draw(cls, n_people: int, rng) -> SkillProfiles:
        return cls(rep=rng.normal(0, 0.9, (n_people, 7)), coaching=rng.normal(0, 0.7, (n_people, 7)))

    def selling_edge(self) -> np.ndarray:
        """Attainment points each person's rep-skill profile adds, per person."""
        return self.rep @ REP_SKILL_WEIGHTS

    def coaching_edge(self) -> np.ndarray:
        """Attainment points a coach's coaching-skill profile adds to the reps they coach, per person."""
        return self.coaching @ COACHING_SKILL_WEIGHTS


@dataclass
class Coaching:
    """One row per coaching report (deleted duplicates included), plus the hidden hours matrices."""

    coach: np.ndarray
    coachee: np.ndarray
    day: np.ndarray  # review date, day index
    level: np.ndarray  # 0 Rep, 1 Manager
    ctype: np.ndarray
    minutes: np.ndarray
    ratings: np.ndarray  # int8 [n, 14]: 7 rep skills then 7 coaching skills, 0 = not observed
    comment: np.ndarray  # index into COMMENTS, -1 = none
    created: np.ndarray  # epoch seconds
    submitted: np.ndarray  # epoch seconds or NEVER
    approved: np.ndarray
    deleted: np.ndarray
    hours: np.ndarray  # float [person, month]: hours of coaching really received
    hours_given_quality: np.ndarray  # float [person, month]: coach quality behind that coaching
    hours_given_edge: np.ndarray  # float [person, month]: the coaches' coaching-skill edge behind it
    profiles: SkillProfiles

    def __len__(self) -> int:
        return len(self.coach)


def _sessions(rng, org: Org, grid: MonthGrid, last_day: int, person, month, lam, coach_level, coachee_level):
    n = rng.poisson(lam)
    coachee = np.repeat(person, n)
    m = np.repeat(month, n)
    first = grid.first_day[m]
    stop = np.minimum(grid.next_first[m], last_day + 1)
    day = first + np.floor(rng.random(len(m)) * (stop - first)).astype(np.int64)
    coach = org.mgr[coachee, day]
    ok = coach >= 0
    ok[ok] &= org.level[coach[ok], day[ok]] == coach_level
    ok &= org.level[coachee, day] == coachee_level
    return coachee[ok], coach[ok], day[ok], m[ok]


def _mid_days(grid: MonthGrid) -> np.ndarray:
    return np.minimum(grid.first_day + 14, grid.next_first - 1)


def _trailing_mean(x: np.ndarray, k: int = 3) -> np.ndarray:
    """Mean of the k previous months (zeros before the first), per row."""
    c = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    months = np.arange(x.shape[1])
    lo = np.maximum(months - k, 0)
    return (c[:, months] - c[:, lo]) / k


def _ratings(rng, base: np.ndarray, sd: float, empty_p: float) -> np.ndarray:
    """base: [session, 7], the expected rating of each skill."""
    r = np.rint(base + rng.normal(0, sd, base.shape))
    r = np.clip(r, 1, 5).astype(np.int8)
    r[rng.random(r.shape) < empty_p] = 0
    return r


def generate_coaching(
    org: Org, grid: MonthGrid, last_day: int, history_day: int, rng, profiles: SkillProfiles
) -> Coaching:
    n_people, n_months = len(org.people), len(grid)
    hours_trait = np.array([p.coach_hours for p in org.people])
    quality = np.array([p.coach_quality for p in org.people])
    skill = np.array([p.skill for p in org.people])
    mids = _mid_days(grid)
    live = grid.first_day <= last_day
    lev = org.level[:, mids]
    mgr = org.mgr[:, mids]

    # 1) SLMs coach FLMs ("coaching the coach")
    p, m = np.nonzero((lev == FLM) & live[None, :])
    boss = mgr[p, m]
    boss_ok = (boss >= 0) & (org.level[np.maximum(boss, 0), mids[m]] == SLM)
    lam = np.where(boss_ok, 0.55 * hours_trait[np.maximum(boss, 0)], 0.0) * rng.gamma(2.0, 0.5, len(p)) / 1.2
    m_coachee, m_coach, m_day, m_month = _sessions(rng, org, grid, last_day, p, m, lam, SLM, FLM)
    m_type = rng.choice(4, len(m_day), p=TYPE_P[1])
    m_minutes = rng.choice((45, 60, 90, 120), len(m_day), p=(0.3, 0.3, 0.25, 0.15))
    received = np.zeros((n_people, n_months))
    np.add.at(received, (m_coachee, m_month), m_minutes / 60)
    recv3 = _trailing_mean(received)

    # 2) FLMs coach reps; an FLM coached by their SLM lately coaches more
    p, m = np.nonzero((lev == IC) & live[None, :])
    boss = np.maximum(mgr[p, m], 0)
    boss_flm = (mgr[p, m] >= 0) & (org.level[boss, mids[m]] == FLM)
    base = np.where(boss_flm, hours_trait[boss] * (0.7 + 0.3 * np.minimum(recv3[boss, m], 2.0)), 0.15)
    lam = base * rng.gamma(1.5, 1 / 1.5, len(p)) / 1.63
    r_coachee, r_coach, r_day, r_month = _sessions(rng, org, grid, last_day, p, m, lam, FLM, IC)
    r_type = rng.choice(4, len(r_day), p=TYPE_P[0])
    r_minutes = np.zeros(len(r_day), dtype=np.int64)
    for t, options in DURATIONS.items():
        sel = r_type == t
        r_minutes[sel] = rng.choice(options, int(sel.sum()))
    hours = np.zeros((n_people, n_months))
    np.add.at(hours, (r_coachee, r_month), r_minutes / 60)
    qsum = np.zeros((n_people, n_months))
    # an FLM coached by their SLM lately also coaches better
    r_quality = np.minimum(quality[r_coach] + 0.3 * np.minimum(recv3[r_coach, r_month], 1.0), 5.0)
    np.add.at(qsum, (r_coachee, r_month), r_quality * r_minutes / 60)
    hours_quality = np.divide(qsum, hours, out=np.full_like(hours, 3.0), where=hours > 0)
    esum = np.zeros((n_people, n_months))
    np.add.at(esum, (r_coachee, r_month), profiles.coaching_edge()[r_coach] * r_minutes / 60)
    hours_edge = np.divide(esum, hours, out=np.zeros_like(hours), where=hours > 0)
    hours += received  # an FLM's own coaching received also counts as hours received

    coachee = np.concatenate([r_coachee, m_coachee])
    coach = np.concatenate([r_coach, m_coach])
    day = np.concatenate([r_day, m_day])
    level = np.concatenate([np.zeros(len(r_day), np.int8), np.ones(len(m_day), np.int8)])
    ctype = np.concatenate([r_type, m_type])
    minutes = np.concatenate([r_minutes, m_minutes])
    ratings = np.zeros((len(day), 14), dtype=np.int8)
    nr = len(r_day)
    rep_base = 3 + 0.35 * skill[r_coachee, None] + 0.6 * profiles.rep[r_coachee] + 0.25 * (r_quality[:, None] - 3)
    ratings[:nr, :7] = _ratings(rng, rep_base, 0.7, 0.15)
    coach_level = 3 + 0.5 * (quality[m_coachee, None] - 3) + 0.15 * (quality[m_coach, None] - 3)
    coach_base = coach_level + 0.9 * profiles.coaching[m_coachee]
    ratings[nr:, 7:] = _ratings(rng, coach_base, 0.6, 0.15)

    # life of a report: created on/after the review day, usually submitted, often approved; some stay Draft
    start_s = epoch_seconds(org.start)
    n = len(day)
    created = (
        start_s
        + day * 86400
        + rng.integers(9 * 3600, 20 * 3600, n)
        + (rng.integers(0, 3, n) * 86400 * (rng.random(n) < 0.4))
    )
    submitted = np.where(rng.random(n) < 0.93, created + rng.integers(600, 4 * 86400, n), NEVER)
    approved = np.where(
        (submitted != NEVER) & (rng.random(n) < 0.45), submitted + rng.integers(3600, 7 * 86400, n), NEVER
    )
    deleted = np.full(n, NEVER)
    comment = np.where(rng.random(n) < 0.7, rng.integers(0, len(COMMENTS), n), -1)

    # duplicates entered by mistake and deleted later (tombstones); a few deleted after the history batch
    dup = np.flatnonzero(rng.random(n) < 0.025)
    recent = np.flatnonzero((day > history_day - 20) & (day <= history_day) & (submitted != NEVER))
    forced = np.zeros(0, dtype=np.int64)
    if last_day > history_day and len(recent):
        forced = rng.choice(recent, min(3, len(recent)), replace=False)
        dup = np.union1d(dup, forced)
    d_created = created[dup] + rng.integers(60, 3600, len(dup))
    d_deleted = d_created + rng.integers(86400, 20 * 86400, len(dup))
    night = np.isin(dup, forced)
    hist_end = start_s + (history_day + 1) * 86400
    d_created[night] = np.minimum(d_created[night], hist_end - 60)
    d_deleted[night] = hist_end + rng.integers(3600, max(3601, (last_day - history_day) * 86400), int(night.sum()))

    def cat(a, b):
        return np.concatenate([a, b])

    return Coaching(
        coach=cat(coach, coach[dup]),
        coachee=cat(coachee, coachee[dup]),
        day=cat(day, day[dup]),
        level=cat(level, level[dup]),
        ctype=cat(ctype, ctype[dup]),
        minutes=cat(minutes, minutes[dup]),
        ratings=np.concatenate([ratings, ratings[dup]]),
        comment=cat(comment, comment[dup]),
        created=cat(created, d_created),
        submitted=cat(submitted, np.minimum(d_created + 300, d_deleted - 1)),
        approved=cat(approved, np.full(len(dup), NEVER)),
        deleted=cat(deleted, d_deleted),
        hours=hours,
        hours_given_quality=hours_quality,
        hours_given_edge=hours_edge,
        profiles=profiles,
    )


def attainment(org: Org, grid: MonthGrid, coaching: Coaching, rng) -> np.ndarray:
    """Hidden attainment (bookings ÷ quota) per person and month: coaching now and lately (how much, how
    well, and the coach's edge in the coaching skills that matter), skill and the selling skills that
    matter, noise."""
    skill = np.array([p.skill for p in org.people])
    h = coaching.hours
    h_eff = 0.6 * h + 0.4 * _trailing_mean(h)
    q = coaching.hours_given_quality
    att = (
        0.87
        + 0.068 * np.minimum(h_eff, 3.5)
        + 0.03 * (q - 3) * (h > 0)
        + coaching.hours_given_edge * (h > 0)
        + 0.05 * skill[:, None]
        + coaching.profiles.selling_edge()[:, None]
        + rng.normal(0, 0.09, h.shape)
    )
    return np.clip(att, 0.15, None)
