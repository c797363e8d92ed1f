"""The report's sentences on hand-made figures: they say how many managers stand behind a comparison, which
quarters were left out and why, and no difference where there is none worth the name."""

import duckdb
import pytest

from pipelines.report.data import (
    ENGAGEMENT_SQL,
    LAST_COMPLETE_QUARTER_SQL,
    TABLE_LEFT_OUT_SQL,
    read_headline_numbers,
)
from pipelines.report.headlines import engagement, intensity, managers, second_line, skills, slm


def _published(tmp_path, *tables: str):
    """A published file holding the hand-made marts `tables` (each `name as select ...`); its path."""
    path = tmp_path / "published.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for table in tables:
            con.execute(f"create table marts.{table}")
    return path


def test_intensity_names_the_managers_and_the_quarter_left_out():
    text = intensity({"quarters": 3, "top": 1.10, "bottom": 0.86, "top_n": 6, "bottom_n": 5, "left_out": "2025 Q3"})
    assert text == (
        "Over 3 quarters, the managers who coached most (quartile 4, 6 managers) reached 110% of quota the quarter "
        "after; those who coached least (quartile 1, 5) 86%. 2025 Q3 left out: no coaching recorded in it."
    )


def test_a_gap_under_two_points_is_no_clear_difference_and_few_managers_are_flagged():
    text = slm({"coached": 0.951, "not_coached": 0.94, "coached_n": 8, "not_coached_n": 3, "left_out": ""})
    assert "95% of quota" in text and "94% for FLMs who were not coached (3): no clear difference" in text
    assert text.endswith("(fewer than 5 managers on one side: too few to mean much).")
    assert "left out" not in text
    one = intensity({"quarters": 1, "top": 0.9, "bottom": 0.5, "top_n": 5, "bottom_n": 5, "left_out": ""})
    assert one.startswith("Over 1 quarter, ") and "no clear difference" not in one


def test_second_line_with_one_side_empty_says_there_is_nothing_to_compare():
    text = second_line({"high": 6.3, "low": None, "high_n": 2, "low_n": 0, "left_out": "2025 Q3"})
    assert text.startswith("In every quarter counted, SLMs coached at least half of their FLMs (2 SLMs): those FLMs")
    assert "gave 6.3 coaching hours per rep the quarter after" in text
    assert "no other group to compare them with (fewer than 5 SLMs: too few to mean much)." in text
    many = second_line({"high": 6.3, "low": None, "high_n": 7, "low_n": 0, "left_out": None})
    assert many.endswith("with no other group to compare them with.")


def test_points_are_singular_for_one():
    text = skills(
        {"rep_best": "closing", "rep_best_gap": 0.14, "rep_worst": "opening", "rep_worst_gap": 0.01,
         "coaching_best": None, "coaching_best_gap": None, "coaching_best_n": None}
    )  # fmt: skip
    assert "+14 points" in text and "only +1 point." in text
    coaching = skills(
        {"rep_best": "closing", "rep_best_gap": 0.14, "rep_worst": "opening", "rep_worst_gap": 0.01,
         "coaching_best": "feedback", "coaching_best_gap": 0.18, "coaching_best_n": 4}
    )  # fmt: skip
    assert coaching.endswith("feedback shows the widest gap in the team's attainment (+18 points) "
                             "(fewer than 5 coachee-quarters on one side: too few to mean much).")  # fmt: skip


def test_the_coaching_skill_caveat_is_about_the_skill_the_sentence_names(tmp_path):
    """Feedback (5 and 7 rated low and high) is named; motivation, 2 rated low, must not lend it its caveat."""
    path = _published(
        tmp_path,
        (
            "mart_skill_impact as select * from (values "
            "('closing', 'rep', 'low', 20, 0.88), ('closing', 'rep', 'high', 20, 1.02), "
            "('feedback', 'coaching', 'low', 7, 0.87), ('feedback', 'coaching', 'high', 5, 1.05), "
            "('motivation', 'coaching', 'low', 2, 0.95), ('motivation', 'coaching', 'high', 4, 1.02)"
            ") as t(skill, skill_kind, rating_band, coachees_with_next_quarter_attainment, "
            "avg_next_quarter_attainment_pct)"
        ),
    )
    text = skills(read_headline_numbers(path, "skills"))
    assert text.endswith("feedback shows the widest gap in the team's attainment (+18 points)."), text


def test_the_managers_table_skips_a_complete_quarter_without_coaching_and_says_so(tmp_path):
    """A short history: the last complete quarter predates the CRM's first coaching report (0 hours, no quota)."""
    with duckdb.connect(str(tmp_path / "published.duckdb")) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.mart_coaching_effectiveness as select * from (values "
            "(date '2026-04-01', date '2026-06-30', 0.0), (date '2026-07-01', date '2026-09-30', 0.0), "
            "(date '2026-10-01', date '2026-10-22', 2.5)) as t(quarter, quarter_end, coaching_hours_per_direct_report)"
        )
        assert con.execute(LAST_COMPLETE_QUARTER_SQL).fetchone()[0] is None
        assert con.execute(TABLE_LEFT_OUT_SQL).fetchone()[0] == "2026 Q2, 2026 Q3"
        con.execute("update marts.mart_coaching_effectiveness set coaching_hours_per_direct_report = 1 "
                    "where quarter = date '2026-04-01'")  # fmt: skip
        assert str(con.execute(LAST_COMPLETE_QUARTER_SQL).fetchone()[0]) == "2026-04-01"
        assert con.execute(TABLE_LEFT_OUT_SQL).fetchone()[0] == "2026 Q3"
    text = managers({"managers": 8, "min_hours": 0.0, "max_hours": 1.5, "avg_attainment": None})
    assert "n/a" not in text and text.endswith("; no quota recorded for their teams.")


def test_counts_of_one_quarters_left_out_and_a_negative_gap_read_as_english():
    one = intensity({"quarters": 1, "top": 1.07, "bottom": 0.87, "top_n": 1, "bottom_n": 2,
                     "left_out": "2025 Q4, 2026 Q1"})  # fmt: skip
    assert one.startswith("Over 1 quarter, the managers who coached most (quartile 4, 1 manager) reached 107%")
    assert one.endswith("2025 Q4, 2026 Q1 left out: no coaching recorded in them.")
    assert intensity({**{"quarters": 2, "top": 1.0, "bottom": 0.9, "top_n": 5, "bottom_n": 5},
                      "left_out": "2025 Q4"}).endswith("2025 Q4 left out: no coaching recorded in it.")  # fmt: skip
    text = skills(
        {"rep_best": "postcall_analysis", "rep_best_gap": 0.194, "rep_worst": "precall_planning",
         "rep_worst_gap": -0.126, "coaching_best": None, "coaching_best_gap": None, "coaching_best_n": None}
    )  # fmt: skip
    assert text.endswith("; in precall planning, reps rated high reached 13 points less of quota than those rated low.")


def test_engagement_names_the_teams_behind_each_side_and_says_when_no_wave_can_be_compared():
    text = engagement(
        {"waves": 2, "top": 0.81, "bottom": 0.29, "top_n": 6, "bottom_n": 5, "left_out": "2025-Q3", "not_yet": ""}
    )
    assert text == (
        "Over 2 survey waves, the teams of the FLMs who coached most in the wave's quarter (quartile 4, 6 managers) "
        'answered 4 or 5 to "My manager gives me coaching that helps me improve" 81% of the time on average; those '
        "who coached least (quartile 1, 5) 29%. 2025-Q3 left out: no coaching recorded in it."
    )
    same = engagement(
        {"waves": 1, "top": 0.60, "bottom": 0.59, "top_n": 1, "bottom_n": 7, "left_out": "", "not_yet": "2026-Q4"}
    )
    assert same.startswith("Over 1 survey wave, ") and "(quartile 4, 1 manager)" in same
    assert same.endswith(
        "59%: no clear difference (fewer than 5 managers on one side: too few to mean much). "
        "2026-Q4: its quarter is not complete yet."
    )
    one_side = engagement(
        {"waves": 1, "top": None, "bottom": 0.4, "top_n": 0, "bottom_n": 3, "left_out": "", "not_yet": ""}
    )
    assert one_side == (
        "Over 1 survey wave, no team of the FLMs who coached most in the wave's quarter had its answers shown: "
        "quartile 4 cannot be set against quartile 1."
    )
    # only quartiles 2 and 3 shown: neither end
    middle = {"waves": 2, "top": None, "bottom": None, "top_n": 0, "bottom_n": 0, "left_out": "", "not_yet": ""}
    assert engagement({**middle, "before_coverage": "2023-Q1"}) == (
        "Over 2 survey waves, no team of the FLMs who coached most or least in the wave's quarter had its answers "
        "shown. 2023-Q1: before the first published quarter."
    )
    none = {"waves": 0, "top": None, "bottom": None, "top_n": 0, "bottom_n": 0, "left_out": ""}
    assert engagement({**none, "not_yet": "2026-Q3, 2026-Q4"}) == (
        "No survey wave of a complete quarter with coaching recorded has a team shown yet. "
        "2026-Q3, 2026-Q4: their quarters are not complete yet."
    )


def test_engagement_numbers_count_shown_flm_teams_of_complete_coached_quarters_only(tmp_path):
    """Hand-made marts: wave 2026-Q1 beside quarter 2026-01-01. A suppressed team (D), an SLM's team (S: no row in
    mart_coaching_effectiveness), a team shown that left the item unanswered (E), the wave of a quarter without
    coaching (2025-Q4), that of a quarter not complete yet (2026-Q2, as of 2026-05-10) and that of a quarter before
    the first published one (2025-Q2) stay out of the figures; the last three are named."""
    path = _published(
        tmp_path,
        (
            "mart_coaching_effectiveness as select * from (values "
            "('A', date '2026-01-01', date '2026-03-31', 4, 3.0), ('B', date '2026-01-01', date '2026-03-31', 1, 0.5), "
            "('C', date '2026-01-01', date '2026-03-31', 4, 2.0), ('A', date '2025-10-01', date '2025-12-31', 4, 0.0), "
            "('B', date '2025-10-01', date '2025-12-31', 1, 0.0), ('A', date '2026-04-01', date '2026-05-10', 4, 1.0), "
            "('D', date '2026-01-01', date '2026-03-31', 1, 0.2), ('E', date '2026-01-01', date '2026-03-31', 1, 0.1)"
            ") as t(manager_employee_id, quarter, quarter_end, coaching_intensity_quartile, "
            "coaching_hours_per_direct_report)"
        ),
        (
            "mart_manager_engagement as select * from (values "
            "('A', '2026-Q1', false, 6, 0.8, 10.0), ('C', '2026-Q1', false, 5, 0.6, 0.0), "
            "('B', '2026-Q1', false, 8, 0.25, -20.0), ('S', '2026-Q1', false, 9, 0.1, -50.0), "
            "('D', '2026-Q1', true, 3, null, null), ('E', '2026-Q1', false, 5, null, 20.0), "
            "('A', '2025-Q4', false, 7, 0.9, 30.0), ('A', '2026-Q2', false, 9, 0.5, 5.0), "
            "('A', '2025-Q2', false, 6, 0.7, 0.0)"
            ") as t(manager_employee_id, wave, is_suppressed, responses, q_coach_favorable_pct, enps)"
        ),
    )
    n = read_headline_numbers(path, "engagement")
    # quartile 4: A and C, (0.8 + 0.6) / 2; quartile 1: B's team only (D suppressed, E without a share)
    assert n == {
        "waves": 1,
        "top": pytest.approx(0.7),
        "bottom": 0.25,
        "top_n": 2,
        "bottom_n": 1,
        "left_out": "2025-Q4",
        "not_yet": "2026-Q2",
        "before_coverage": "2025-Q2",
    }
    with duckdb.connect(str(path), read_only=True) as con:
        chart = con.execute(ENGAGEMENT_SQL).fetchall()
    # E's team counts in quartile 1's eNPS but not among its teams with a share: 1 team, too few
    assert chart == [("2026-Q1", 1, 1, 13, 0.25, 0.0, True), ("2026-Q1", 4, 2, 11, pytest.approx(0.7), 5.0, True)]
