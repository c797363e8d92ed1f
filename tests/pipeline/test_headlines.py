"""The report's sentences on hand-made figures: they say how many managers stand behind a comparison, which
quarters were left out and why, and no difference where there is none worth the name."""

from pipelines.report.headlines import intensity, second_line, skills, slm


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
    assert "no other group to compare them with" in text


def test_points_are_singular_for_one():
    text = skills(
        {"rep_best": "closing", "rep_best_gap": 0.14, "rep_worst": "opening", "rep_worst_gap": 0.01,
         "coaching_best": None, "coaching_best_gap": None, "coaching_min_n": None}
    )  # fmt: skip
    assert "+14 points" in text and "only +1 point." in text
    coaching = skills(
        {"rep_best": "closing", "rep_best_gap": 0.14, "rep_worst": "opening", "rep_worst_gap": 0.01,
         "coaching_best": "feedback", "coaching_best_gap": 0.18, "coaching_min_n": 4}
    )  # fmt: skip
    assert coaching.endswith("feedback shows the widest gap in the team's attainment (+18 points) "
                             "(fewer than 5 coachee-quarters on one side: too few to mean much).")  # fmt: skip
