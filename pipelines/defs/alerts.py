"""Alerts for unattended nights: two run-status sensors (on by default), run by the Dagster daemon.

- `alert_on_run_failure`: a run of this code location failed (a step failed, the run worker crashed).
- `alert_on_failed_checks`: a run succeeded but an ERROR check failed or the gate refused a batch (the
  marts were still published from what passed, so the run itself is green).
Both send the same JSON (`pipelines.defs.run_report.RunReport.as_alert`) through `pipelines.alerts`.
`coachwh run` sends it too when it runs the job in-process (the daemon does not watch in-process runs'
outcome reliably when it is not running at all). The code location's third sensor, `settle_dead_runs`
(pipelines/defs/dead_runs.py), turns a run whose worker died unseen into a failure these sensors report.
"""

import dagster as dg

from pipelines.alerts import send_alert
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.run_report import read_run

# In-process `coachwh run` alerts by itself: the sensors skip runs it tagged, so nobody is told twice.
ALERTED_TAG = "coachwh/alerts"
ALERTED_BY_CLI = "sent-by-cli"
# A run Dagster calls SUCCESS that still needs attention (a refused batch, a failed ERROR check) says so in the UI's
# Runs list and on its run page, not only in the alert channel: a tag with the verdict of the alert.
VERDICT_TAG = "coachwh/verdict"


def tag_verdict(instance: dg.DagsterInstance, report) -> None:
    if report.went_wrong and report.status == "SUCCESS":
        instance.add_run_tags(report.run_id, {VERDICT_TAG: report.verdict})


def alert_for_run(instance: dg.DagsterInstance, run_id: str, cfg: CoachwhConfig, log, only_if_wrong: bool) -> bool:
    report = read_run(instance, run_id)
    if only_if_wrong and not report.went_wrong:
        return False
    tag_verdict(instance, report)
    send_alert(report.as_alert(), cfg.alert_webhook, cfg.alert_command, log=log)
    return True


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends the run's failed steps, checks and refused batches to COACHWH_ALERT_WEBHOOK and/or "
    "COACHWH_ALERT_COMMAND (a log line when neither is set).",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, coachwh: CoachwhConfig):
    if context.dagster_run.tags.get(ALERTED_TAG) == ALERTED_BY_CLI:
        return dg.SkipReason("coachwh run already sent this run's alert")
    alert_for_run(context.instance, context.dagster_run.run_id, coachwh, context.log.info, only_if_wrong=False)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="alert_on_failed_checks",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert for a successful run in which an ERROR check failed or a batch was refused.",
)
def alert_on_failed_checks(context: dg.RunStatusSensorContext, coachwh: CoachwhConfig):
    if context.dagster_run.tags.get(ALERTED_TAG) == ALERTED_BY_CLI:
        return dg.SkipReason("coachwh run already sent this run's alert")
    alert_for_run(context.instance, context.dagster_run.run_id, coachwh, context.log.info, only_if_wrong=True)


def alert_definitions() -> dg.Definitions:
    from pipelines.defs.dead_runs import settle_dead_runs_sensor

    return dg.Definitions(sensors=[alert_on_run_failure, alert_on_failed_checks, settle_dead_runs_sensor])
