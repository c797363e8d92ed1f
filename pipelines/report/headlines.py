"""One plain-language sentence per section, quoting the figures of `data.HEADLINE_SQL`."""

from __future__ import annotations

from pipelines.report.data import SMALL_GROUP


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _points(x: float) -> str:
    return f"{100 * x:+.0f} points"


def _caveat(*counts: int | None) -> str:
    if any((c or 0) < SMALL_GROUP for c in counts):
        return f" (fewer than {SMALL_GROUP} managers on one side: too few to mean much)"
    return ""


def intensity(n: dict) -> str:
    if not n["quarters"]:
        return "No quarter has a complete next quarter yet."
    return (
        f"Over {n['quarters']} quarter(s), the managers who coached most (quartile 4) reached "
        f"{_pct(n['top'])} of quota the quarter after; those who coached least (quartile 1) "
        f"{_pct(n['bottom'])}{_caveat(n['top_n'], n['bottom_n'])}."
    )


def slm(n: dict) -> str:
    if not (n["coached_n"] or n["not_coached_n"]):
        return "No quarter has a complete next quarter yet."
    return (
        f"Teams of FLMs coached by their SLM reached {_pct(n['coached'])} of quota the quarter after, "
        f"against {_pct(n['not_coached'])} for FLMs who were not coached{_caveat(n['coached_n'], n['not_coached_n'])}."
    )


def skills(n: dict) -> str:
    if n["rep_best"] is None:
        return "Not enough ratings with a complete next quarter to compare skills yet."
    text = (
        f"Rated high rather than low, reps in {n['rep_best'].replace('_', ' ')} reached "
        f"{_points(n['rep_best_gap'])} of quota the quarter after; in {n['rep_worst'].replace('_', ' ')} only "
        f"{_points(n['rep_worst_gap'])}."
    )
    if n["coaching_best"] is not None:
        text += (
            f" Among coaching skills, {n['coaching_best'].replace('_', ' ')} shows the widest gap in the team's "
            f"attainment ({_points(n['coaching_best_gap'])}){_caveat(n['coaching_min_n'])}."
        )
    return text


def second_line(n: dict) -> str:
    if not (n["high_n"] or n["low_n"]):
        return "No second-line manager quarter has a complete next quarter yet."
    hours = "n/a" if n["high"] is None else f"{n['high']:.1f}"
    low = "n/a" if n["low"] is None else f"{n['low']:.1f}"
    return (
        f"When an SLM coached at least half of their FLMs, those FLMs gave {hours} coaching hours per rep the "
        f"quarter after; when fewer, {low}{_caveat(n['high_n'], n['low_n'])}."
    )


def managers(n: dict) -> str:
    if not n["managers"]:
        return ""
    return (
        f"{n['managers']} front-line managers, from {n['min_hours']:.1f} to {n['max_hours']:.1f} coaching hours "
        f"per rep; their teams reached {_pct(n['avg_attainment'])} of quota on average."
    )


def all_headlines(numbers: dict[str, dict]) -> dict[str, str]:
    return {
        "intensity": intensity(numbers["intensity"]),
        "slm": slm(numbers["slm"]),
        "skills": skills(numbers["skills"]),
        "second_line": second_line(numbers["second_line"]),
        "managers": managers(numbers["managers"]),
    }
