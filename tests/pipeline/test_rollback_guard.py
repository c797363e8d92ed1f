"""A rollback must not be undone a moment later, nor undo what nobody saw: it is refused while a run that may
publish is going, and when the current publication is newer than the request (a rollback queued behind a night)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from pipelines import publication as pub
from pipelines.config import Settings
from pipelines.defs.repairs import RETRACT_JOB, roll_back
from pipelines.instance import dagster_instance
from pipelines.locks import file_lock
from tests.pipeline.test_publish import _warehouse

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    """A home with two publications, the second current; the report page is not what is tested here."""
    monkeypatch.setattr("pipelines.report.build_report", lambda published, folder: folder / "index.html")
    cfg = Settings(home=tmp_path / "home", landing=tmp_path / "landing")
    cfg.home.mkdir(parents=True)
    for i, rows in enumerate((3, 5)):
        _warehouse(cfg.warehouse, rows)
        pub.publish(
            cfg.warehouse, cfg.published, cfg.publications, f"run-{i + 1}", now=lambda i=i: T0 + timedelta(days=i)
        )
    return cfg


def _add_run(instance, job_name: str, status: dg.DagsterRunStatus) -> str:
    run = dg.DagsterRun(job_name=job_name, run_id=str(uuid.uuid4()), status=status)
    instance.add_run(run)
    return run.run_id


def test_refused_while_a_night_is_going_and_allowed_beside_a_repair(cfg):
    with dagster_instance(cfg) as instance:
        night = _add_run(instance, "nightly", dg.DagsterRunStatus.STARTED)
        _add_run(instance, RETRACT_JOB, dg.DagsterRunStatus.STARTED)  # a repair never publishes
        _add_run(instance, "nightly", dg.DagsterRunStatus.SUCCESS)
        with pytest.raises(pub.PublicationError, match=f"run {night} is going and may publish when it ends"):
            roll_back(cfg, None, instance)
        assert pub.current(cfg.published).run_id == "run-2"

        instance.report_run_failed(instance.get_run_by_id(night))
        p, *_ = roll_back(cfg, None, instance)
        assert p.run_id == "run-1" and pub.current(cfg.published).run_id == "run-1"


def test_refused_while_a_coachwh_run_holds_the_run_lock(cfg):
    with (
        dagster_instance(cfg) as instance,
        file_lock(cfg.run_lock, "coachwh run"),
    ):  # the run's Dagster run not yet made
        with pytest.raises(pub.PublicationError, match=r"run\.lock is held by pid \d+ since .*: coachwh run"):
            roll_back(cfg, None, instance)
    assert pub.current(cfg.published).run_id == "run-2"


def test_refused_when_the_current_publication_is_newer_than_the_request(cfg):
    published_second = T0 + timedelta(days=1)
    with dagster_instance(cfg) as instance:
        with pytest.raises(pub.PublicationError, match="run-2 was published at 2026-11-04 02:00:00 UTC, after this"):
            roll_back(cfg, None, instance, asked_at=published_second - timedelta(minutes=5))
        assert pub.current(cfg.published).run_id == "run-2"
        p, *_ = roll_back(cfg, None, instance, asked_at=published_second + timedelta(minutes=5))
    assert p.run_id == "run-1"
