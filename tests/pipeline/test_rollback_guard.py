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
from pipelines.locks import LockTimeout, file_lock
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
    # a queued run says where the daemon will load its job from
    from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    location = InProcessCodeLocationOrigin(LoadableTargetOrigin(module_name="pipelines.definitions"))
    origin = RemoteJobOrigin(RemoteRepositoryOrigin(location, "__repository__"), job_name)
    run = dg.DagsterRun(job_name=job_name, run_id=str(uuid.uuid4()), status=status, remote_job_origin=origin)
    instance.add_run(run)
    return run.run_id


# every status of a run that has not ended (pipelines.instance.unfinished_run_statuses): one being cancelled may still
# be publishing, one not started yet may start
@pytest.mark.parametrize(
    "status",
    [
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.CANCELING,
    ],
)
def test_refused_while_a_night_is_queued_or_going_and_allowed_beside_a_repair(cfg, status):
    with dagster_instance(cfg) as instance:
        night = _add_run(instance, "nightly", status)
        _add_run(instance, RETRACT_JOB, dg.DagsterRunStatus.STARTED)  # a repair never publishes
        _add_run(instance, "nightly", dg.DagsterRunStatus.SUCCESS)
        with pytest.raises(pub.PublicationError, match=rf"run {night} \({status.value}\) may publish when it ends"):
            roll_back(cfg, None, instance)
        assert pub.current(cfg.published).run_id == "run-2"

        instance.delete_run(night)  # it ended (or was terminated)
        p, *_ = roll_back(cfg, None, instance)
        assert p.run_id == "run-1" and pub.current(cfg.published).run_id == "run-1"


def test_refused_while_a_coachwh_run_holds_the_run_lock(cfg):
    with file_lock(cfg.run_lock, "coachwh run"):  # a coachwh run before its Dagster run is made, or publishing
        with pytest.raises(pub.PublicationError, match=r"run\.lock is held by pid \d+ since .*: coachwh run"):
            with pub.rollback_lock(cfg.run_lock):
                pass
    with pub.rollback_lock(cfg.run_lock):  # free again; and held, it keeps a coachwh run from starting
        with pytest.raises(LockTimeout, match="coachwh rollback"):
            with file_lock(cfg.run_lock, "coachwh run", wait_seconds=0):
                pass


def test_refused_when_the_current_file_was_put_there_after_the_request(cfg):
    became_current = datetime.fromtimestamp(cfg.published.stat().st_mtime, UTC)  # not the publication's start
    with dagster_instance(cfg) as instance:
        with pytest.raises(pub.PublicationError, match="became publication run-2 at .* after this rollback was asked"):
            roll_back(cfg, None, instance, asked_at=became_current - timedelta(seconds=1))
        assert pub.current(cfg.published).run_id == "run-2"
        p, *_ = roll_back(cfg, None, instance, asked_at=became_current + timedelta(seconds=1))
    assert p.run_id == "run-1"
