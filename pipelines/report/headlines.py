"""One plain-language sentence per section, quoting the figures of `data.HEADLINE_SQL`."""

from __future__ import annotations

from pipelines.report.data import SMALL_GROUP, skill_name


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _points(x: float) -> str:
    points = round(100 * x)
    return f"{points:+d} point" + ("" if abs(points) == 1 else "s")


# Two shares of quota closer than this read as the same: the groups are a handful of managers.
NO_CLEAR_DIFFERENCE = 0.02


def _caveat(*counts: int | None, who: str = "managers", where: str = " on one side") -> str:
    """Said after a comparison of groups of `counts` people: whether one of them is too small to mean much."""
    if any((c or 0) < SMALL_GROUP for c in counts):
        return f" (fewer than {SMALL_GROUP} {who}{where}: too few to mean much)"
    return ""


def _versus(a: float | None, b: float | None) -> str:
    """Said after two shares (of quota, of favourable answers): whether they differ enough to mention."""
    if a is not None and b is not None and abs(a - b) < NO_CLEAR_DIFFERENCE:
        return ": no clear difference"
    return ""


def left_out(quarters: str | None, why: str) -> str:
    """' 2025 Q4, 2026 Q1 left out: {why} in them.' for the quarters listed, '' for none."""
    if not quarters:
        return ""
    return f" {quarters} left out: {why} in {'them' if ',' in quarters else 'it'}."


def intensity(n: dict) -> str:
    why = "no coaching recorded"
    if not n["quarters"]:
        return "No quarter with coaching recorded has a complete next quarter yet." + left_out(n.get("left_out"), why)
    return (
        f"Over {_count(n['quarters'], 'quarter')}, the managers who coached most "
        f"(quartile 4, {_count(n['top_n'], 'manager')}) reached "
        f"{_pct(n['top'])} of quota the quarter after; those who coached least (quartile 1, {n['bottom_n']}) "
        f"{_pct(n['bottom'])}{_versus(n['top'], n['bottom'])}{_caveat(n['top_n'], n['bottom_n'])}."
        + left_out(n.get("left_out"), why)
    )


def slm(n: dict) -> str:
    why = "no FLM coached by their SLM"
    if not (n["coached_n"] or n["not_coached_n"]):
        return "No quarter in which an SLM coached an FLM has a complete next quarter yet." + left_out(
            n.get("left_out"), why
        )
    return (
        f"Teams of FLMs coached by their SLM ({_count(n['coached_n'], 'manager')}) reached "
        f"{_pct(n['coached'])} of quota the "
        f"quarter after, against {_pct(n['not_coached'])} for FLMs who were not coached ({n['not_coached_n']})"
        f"{_versus(n['coached'], n['not_coached'])}{_caveat(n['coached_n'], n['not_coached_n'])}."
        + left_out(n.get("left_out"), why)
    )


NO_SURVEY_WAVE = "No survey wave of a complete quarter with coaching recorded has a team shown yet"


def engagement(n: dict) -> str:
    why = "no coaching recorded"
    not_yet = n.get("not_yet") or ""
    before = n.get("before_coverage") or ""
    after = left_out(n.get("left_out"), why)
    if not_yet:
        after += f" {not_yet}: {'their quarters are' if ',' in not_yet else 'its quarter is'} not complete yet."
    if before:
        after += f" {before}: before the first published quarter."
    if not n["waves"]:
        return f"{NO_SURVEY_WAVE}." + after
    said = f"Over {_count(n['waves'], 'survey wave')}, "
    if not (n["top_n"] or n["bottom_n"]):
        said += "no team of the FLMs who coached most or least in the wave's quarter had its answers shown."
    elif not (n["top_n"] and n["bottom_n"]):  # one end had no team shown: nothing to set the other against
        side = "least" if n["top_n"] else "most"
        said += (
            f"no team of the FLMs who coached {side} in the wave's quarter had its answers shown: quartile 4 cannot "
            "be set against quartile 1."
        )
    else:
        said += (
            f"the teams of the FLMs who coached most in the wave's quarter (quartile 4, "
            f'{_count(n["top_n"], "manager")}) answered 4 or 5 to "My manager gives me coaching that helps me '
            f'improve" {_pct(n["top"])} of the time on average; those who coached least (quartile 1, '
            f"{n['bottom_n']}) {_pct(n['bottom'])}{_versus(n['top'], n['bottom'])}"
            f"{_caveat(n['top_n'], n['bottom_n'])}."
        )
    return said + after


def _weakest_skill(n: dict) -> str:
    """The skill whose high rating went with the least attainment: "only -13 points" would read as a gain."""
    name, gap = skill_name(n["rep_worst"]), n["rep_worst_gap"]
    if round(100 * gap) >= 0:
        return f"in {name} only {_points(gap)}."
    return (
        f"in {name}, reps rated high reached {_count(-round(100 * gap), 'point')} less of quota than those rated low."
    )


def skills(n: dict) -> str:
    if n["rep_best"] is None:
        return "Not enough ratings with a complete next quarter to compare skills yet."
    text = (
        f"Rated high rather than low, reps in {skill_name(n['rep_best'])} reached "
        f"{_points(n['rep_best_gap'])} of quota the quarter after; {_weakest_skill(n)}"
    )
    if n["coaching_best"] is not None:
        text += (
            f" Among coaching skills, {skill_name(n['coaching_best'])} shows the widest gap in the team's "
            f"attainment ({_points(n['coaching_best_gap'])})"
            # the skill marts count a person once per quarter rated, not once
            f"{_caveat(n['coaching_best_n'], who='coachee-quarters')}."
        )
    return text


def second_line(n: dict) -> str:
    why = "no SLM coached any of their FLMs"
    if not (n["high_n"] or n["low_n"]):
        return "No quarter in which an SLM coached their FLMs has a complete next quarter yet." + left_out(
            n.get("left_out"), why
        )
    hours = "n/a" if n["high"] is None else f"{n['high']:.1f}"
    low = "n/a" if n["low"] is None else f"{n['low']:.1f}"
    if not (n["high_n"] and n["low_n"]):  # one side is empty: nothing to compare with
        side = "at least half" if n["high_n"] else "fewer than half"
        return (
            f"In every quarter counted, SLMs coached {side} of their FLMs "
            f"({_count(n['high_n'] or n['low_n'], 'SLM')}): "
            f"those FLMs gave {hours if n['high_n'] else low} coaching hours per rep the quarter after, with no "
            f"other group to compare them with{_caveat(n['high_n'] or n['low_n'], who='SLMs', where='')}."
            + left_out(n.get("left_out"), why)
        )
    return (
        f"When an SLM coached at least half of their FLMs ({_count(n['high_n'], 'SLM')}), "
        f"those FLMs gave {hours} coaching "
        f"hours per rep the quarter after; when fewer ({n['low_n']}), {low}{_caveat(n['high_n'], n['low_n'])}."
        + left_out(n.get("left_out"), why)
    )


def managers(n: dict) -> str:
    if not n["managers"]:
        return ""
    text = (
        f"{n['managers']} front-line managers, from {n['min_hours']:.1f} to {n['max_hours']:.1f} coaching hours per rep"
    )
    if n["avg_attainment"] is None:  # no quota in the quarter: nothing to say of attainment
        return text + "; no quota recorded for their teams."
    return text + f"; their teams reached {_pct(n['avg_attainment'])} of quota on average."


def all_headlines(numbers: dict[str, dict]) -> dict[str, str]:
    return {
        "intensity": intensity(numbers["intensity"]),
        "slm": slm(numbers["slm"]),
        "engagement": engagement(numbers["engagement"]),
        "skills": skills(numbers["skills"]),
        "second_line": second_line(numbers["second_line"]),
        "managers": managers(numbers["managers"]),
    }
