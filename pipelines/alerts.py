"""Sending an alert: a JSON body to a webhook (COACHWH_ALERT_WEBHOOK) and/or to a command's stdin
(COACHWH_ALERT_COMMAND, run by the shell), else one log line saying that nobody was told.

A channel that fails is reported (returned and logged), never raised: an alert must not turn a failed
night into a crashed sensor. The command also gets COACHWH_ALERT_RUN_ID and COACHWH_ALERT_SUMMARY in its
environment, for a one-line `mail` or `logger` call.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Delivery:
    channel: str  # webhook | command | log
    ok: bool
    detail: str


def summary_line(alert: dict) -> str:
    reasons = alert.get("reasons") or ["no reason recorded"]
    more = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
    verdict = alert.get("verdict") or alert.get("status")
    retry = f" [{alert['retry']}]" if alert.get("retry") else ""
    return f"coachwh {alert.get('job')} run {alert.get('run_id')} {verdict}{retry}: {reasons[0]}{more}"


def post_webhook(url: str, body: bytes) -> Delivery:
    """POST the alert; a failure after TIMEOUT_SECONDS in all. urllib's timeout bounds each read only: a server
    that trickles its answer a header at a time would hold the run, and its lock, for good."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "coachwh-alert"}
    )

    def post() -> Delivery:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return Delivery("webhook", 200 <= response.status < 300, f"{url} answered {response.status}")
        except OSError as e:  # URLError, HTTPError, timeouts, refused connections
            return Delivery("webhook", False, f"{url}: {e}")

    answers: list[Delivery] = []
    # a daemon thread: one left waiting on a silent server does not keep the process from ending
    poster = threading.Thread(target=lambda: answers.append(post()), name="coachwh-alert-webhook", daemon=True)
    poster.start()
    poster.join(TIMEOUT_SECONDS)
    return answers[0] if answers else Delivery("webhook", False, f"{url}: no answer within {TIMEOUT_SECONDS} s")


def run_command(command: str, body: bytes, alert: dict) -> Delivery:
    """Run the alert command with the alert on stdin; killed, with whatever it started, after TIMEOUT_SECONDS."""
    env = {**os.environ, "COACHWH_ALERT_RUN_ID": str(alert.get("run_id")), "COACHWH_ALERT_SUMMARY": summary_line(alert)}
    try:
        # a session of its own: on a timeout the whole group goes, not only the shell (`sleep 600` would stay)
        process = subprocess.Popen(
            command,
            shell=True,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as e:
        return Delivery("command", False, f"{command!r}: {e}")
    try:
        _, stderr = process.communicate(body, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return Delivery("command", False, f"{command!r}: no end within {TIMEOUT_SECONDS} s, killed")
    detail = f"{command!r} exited {process.returncode}"
    if process.returncode:
        detail += f": {stderr.decode(errors='replace').strip()[-500:]}"
    return Delivery("command", process.returncode == 0, detail)


def send_alert(
    alert: dict, webhook: str | None, command: str | None, log: Callable[[str], None] = print
) -> list[Delivery]:
    """Deliver `alert` through every configured channel; log the outcome of each."""
    body = json.dumps(alert, default=str, sort_keys=True).encode()
    deliveries = []
    if webhook:
        deliveries.append(post_webhook(webhook, body))
    if command:
        deliveries.append(run_command(command, body, alert))
    if not deliveries:
        log(f"ALERT (no COACHWH_ALERT_WEBHOOK or COACHWH_ALERT_COMMAND set, nobody was told): {summary_line(alert)}")
        return [Delivery("log", True, "logged only")]
    for d in deliveries:
        log(f"alert via {d.channel} {'sent' if d.ok else 'FAILED'}: {d.detail}")
    return deliveries
