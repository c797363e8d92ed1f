"""Sending an alert: a JSON body to a webhook (COACHWH_ALERT_WEBHOOK) and/or to a command's stdin
(COACHWH_ALERT_COMMAND, run by the shell), else one log line saying that nobody was told.

A channel that fails is reported (returned and logged), never raised: an alert must not turn a failed
night into a crashed sensor. The command also gets COACHWH_ALERT_RUN_ID and COACHWH_ALERT_SUMMARY in its
environment, for a one-line `mail` or `logger` call.
"""

from __future__ import annotations

import json
import os
import subprocess
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
    return f"coachwh {alert.get('job')} run {alert.get('run_id')} {verdict}: {reasons[0]}{more}"


def post_webhook(url: str, body: bytes) -> Delivery:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "coachwh-alert"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Delivery("webhook", 200 <= response.status < 300, f"{url} answered {response.status}")
    except OSError as e:  # URLError, HTTPError, timeouts, refused connections
        return Delivery("webhook", False, f"{url}: {e}")


def run_command(command: str, body: bytes, alert: dict) -> Delivery:
    env = {**os.environ, "COACHWH_ALERT_RUN_ID": str(alert.get("run_id")), "COACHWH_ALERT_SUMMARY": summary_line(alert)}
    try:
        done = subprocess.run(
            command, shell=True, input=body, env=env, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return Delivery("command", False, f"{command!r}: {e}")
    detail = f"{command!r} exited {done.returncode}"
    if done.returncode:
        detail += f": {done.stderr.decode(errors='replace').strip()[-500:]}"
    return Delivery("command", done.returncode == 0, detail)


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
