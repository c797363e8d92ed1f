"""Non-default arguments: a short history, a wave closing during the nightly window, argument errors."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipelines.sample import GeneratorArgumentError, generate
from pipelines.sample.profiles import default_start


def test_default_start_by_profile_months():
    assert default_start(date(2026, 10, 31), 12) == date(2025, 11, 1)
    assert default_start(date(2026, 10, 31), 24) == date(2024, 11, 1)
    assert default_start(date(2026, 10, 31), 36) == date(2023, 11, 1)


def test_survey_batch_only_on_the_night_a_wave_closes(tmp_path):
    summary = generate(tmp_path, start=date(2025, 12, 1), history_until=date(2026, 3, 12), days=5)
    survey = sorted(p.name for p in (tmp_path / "survey").iterdir())
    # the 2025-Q4 wave closed 2025-12-15 (history batch), 2026-Q1 closes on the night of 2026-03-15
    assert survey == ["2026-03-12", "2026-03-15"]
    assert sorted(summary["survey/2026-03-15"]) == ["responses_2026-Q1.csv"]
    assert sorted(summary["survey/2026-03-12"]) == ["responses_2025-Q4.csv"]
    manifest = json.loads((tmp_path / "survey" / "2026-03-15" / "manifest.json").read_text())
    assert manifest["files"]["responses_2026-Q1.csv"]["rows"] > 20
    assert sorted(p.name for p in (tmp_path / "crm").iterdir())[-1] == "2026-03-17"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start": date(2026, 11, 1)}, "before history_until"),
        ({"days": -1}, "days"),
        ({"hr_format": "xls"}, "hr_format"),
        ({"profile": "huge"}, "unknown profile"),
    ],
)
def test_bad_arguments_are_named(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())


def test_argument_error_type():
    assert issubclass(GeneratorArgumentError, ValueError)


def test_generate_help_names_the_generators_own_defaults(capsys):
    # the CLI does not import the generator to build its parser (numpy, duckdb): its help repeats the defaults
    from pipelines.cli import build_parser
    from pipelines.sample.profiles import DEFAULT_DAYS, DEFAULT_HISTORY_UNTIL

    with pytest.raises(SystemExit):
        build_parser().parse_args(["generate", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert f"after the history batch (default: {DEFAULT_DAYS})" in shown
    assert f"initial history batch (default: {DEFAULT_HISTORY_UNTIL.isoformat()})" in shown
