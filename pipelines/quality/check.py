"""`coachwh check`: the latest validation of each suite on each batch, as a table a person can read.

Reads `ops.validation_results` (written by the gate for every batch it validated, loaded or refused),
newest first; below the table, every failed expectation in words, warnings included.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import CommandError
from pipelines.landing.registry import OPS_SCHEMA
from pipelines.quality import results
from pipelines.warehouse_file import connect_waiting, table_exists

HEADER = ("batch", "suite", "outcome", "validated at (UTC)", "expectations", "errors failed", "warnings failed")


def check_lines(
    warehouse: Path, batch_ids: list[str] | None = None, suite: str | None = None, limit: int = 50
) -> tuple[list[str], bool]:
    """(lines to print, whether any latest validation asked for, shown or not, has a failed error-level
    expectation)."""
    if not warehouse.exists():
        return [f"no warehouse at {warehouse}: nothing validated yet"], False
    with connect_waiting(warehouse, read_only=True, wait_seconds=60) as con:
        runs = results.latest(con, batch_ids, suite)
        validated = {r.batch_id for r in runs}
        unvalidated = _unvalidated(con, [b for b in batch_ids or [] if b not in validated])
    notes = [f"  {batch_id}: {why}" for batch_id, (why, _) in unvalidated.items()]
    refused = any(is_refusal for _, is_refusal in unvalidated.values())
    if notes:
        notes.insert(0, "Asked for, but no contract ran on them:")
    if not runs:
        if notes:
            return notes, refused
        asked = [f"batch {b}" for b in batch_ids or []] + ([f"suite {suite}"] if suite else [])
        if asked:  # a typo must not read as a clean bill
            raise CommandError(
                f"no validation results for {' and '.join(asked)} (see the batch ids and suites of `coachwh check`)"
            )
        return ["no validation results yet"], False
    shown = runs[:limit]
    rows = [
        (
            r.batch_id,
            r.suite,
            r.outcome,
            f"{r.validated_at:%Y-%m-%d %H:%M:%S}",
            str(r.expectations),
            str(r.errors_failed),
            str(r.warnings_failed),
        )
        for r in shown
    ]
    widths = [max(len(x) for x in column) for column in zip(HEADER, *rows, strict=True)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [HEADER, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    hidden = runs[limit:]
    if hidden:
        lines.append(f"... and {len(hidden)} older (batch, suite) validations (--limit, --batch)")
    failed = [(r, f) for r in shown for f in r.failures]
    if failed:
        lines += ["", "Failed expectations:"]
        lines += [f"  [{f['severity']}] {r.batch_id} {r.suite}: {f['message']}" for r, f in failed]
    # the exit code judges every latest validation, not the page shown: --limit must not turn a failure into 0
    hidden_errors = sorted({r.batch_id for r in hidden if r.errors_failed})
    if hidden_errors:
        lines += ["", f"Older validations with failed error-level expectations, not shown: {', '.join(hidden_errors)}"]
        lines.append("  (see them with --batch, or a larger --limit)")
    if notes:
        lines += ["", *notes]
    return lines, refused or any(r.errors_failed for r in runs)


def _unvalidated(con, batch_ids: list[str]) -> dict[str, tuple[str, bool]]:
    """Why a batch the gate knows has no validation results, from its latest registry record: (words, whether it
    was refused). A batch the gate never saw is left out (it is a typo, said by the caller)."""
    if not batch_ids or not table_exists(con, OPS_SCHEMA, "batch_registry"):
        return {}
    latest = con.execute(
        f"""
        select batch_id, status, reason, stored_at from {OPS_SCHEMA}.batch_registry
        where batch_id in (select unnest(?))
        qualify row_number() over (partition by batch_id order by recorded_at desc, delivery desc) = 1
        order by batch_id
        """,
        [batch_ids],
    ).fetchall()
    why: dict[str, tuple[str, bool]] = {}
    for batch_id, status, reason, stored_at in latest:
        if status == "quarantined":
            where = f" (see {Path(stored_at) / 'REJECTED.md'})" if stored_at else ""
            why[batch_id] = (f"refused at the gate before its contracts ran: {reason}{where}", True)
        elif status == "waiting":
            why[batch_id] = ("waiting for its manifest.json: not validated yet", False)
        else:
            why[batch_id] = (f"{status}{': ' + reason if reason else ''}; no contract results stored for it", False)
    return why
