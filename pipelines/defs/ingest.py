"""Ingestion as Dagster assets: one asset per source file type, `["raw", <raw_table>]`, grouped by system.

Each system is one `@multi_asset` (can_subset=False): it loads every pending complete batch of that
system in batch-date order through the landing gate (`pipelines.landing.ingest`) and reports one
materialisation per file type, with rows loaded, batches, bytes and seconds. A refused batch does not
fail the step (the other batches loaded, and the marts should still build): it is logged as an error
and listed in the metadata; the quarantine and `ops.batch_registry` hold the details.

The sensor `landing_zone_sensor` requests a run when complete batches wait in the landing zone. Its
run_key is a hash of the pending batches' manifests, so a re-tick (or a second sensor evaluation while
the run is still going) never starts the same work twice; its cursor remembers the last key requested.
"""

import hashlib

import dagster as dg
from dagster import AssetExecutionContext, SensorEvaluationContext

from pipelines.config import settings
from pipelines.defs.resources import RESOURCE_KEY, CoachwhConfig
from pipelines.defs.retries import NIGHTLY_RETRY_POLICY, non_transient
from pipelines.landing.manifest import MANIFEST_NAME
from pipelines.landing.zone import STRAY_WHY, LandingZoneMissing, discover, require_landing
from pipelines.sources import SYSTEMS, System, files_of

INGEST_JOB = "ingest"
# DuckDB allows one writing process: the four system steps also wait on its file lock, but an instance
# can set this pool's limit to 1 to queue them in Dagster instead (`dagster instance concurrency set`).
WAREHOUSE_POOL = "duckdb_warehouse"
GATE_CHECK = "landing_gate"
# WARN: something in the landing zone that no gate reads (`CRM/2026-11-05/`, `crm/export.zip`): a delivery that
# went to the wrong place would otherwise be missed without a word until the freshness check notices the gap.
LAYOUT_CHECK = "landing_zone_layout"
# WARN: raw held the very files of a delivery the quarantine records as retracted (a warehouse restored from a backup
# made before the retraction); the gate took them out again (`retract.uphold_recorded_retractions`).
RETRACTIONS_CHECK = "retractions_upheld"
# WARN: a file of a batch loaded into the table did what the export contract takes only with a warning (line endings
# mixed, a snapshot without a row): the batch loads, and the run's summary says so.
FILE_WARNINGS_CHECK = "delivery_warnings"
# Metadata keys of a raw asset's materialisation that list batch ids, read back by the contract checks, the run
# report and the progress lines: loaded into this raw table, delivered again identically, still without manifest.
LOADED_BATCHES = "batch_ids"
DUPLICATE_BATCHES = "duplicate_batches"
WAITING_BATCHES = "waiting_batches"
OWNERS = ["team:data-engineering"]
SYSTEM_LABELS = {
    "crm": "Veeva CRM (Salesforce Data Loader export)",
    "hris": "Workday custom reports (CSV or .xlsx)",
    "survey": "Qualtrics engagement survey response export",
    "lms": "Cornerstone transcript report",
}


def raw_asset_specs(system: System) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            key=["raw", f.raw_table],
            group_name=system,
            description=(
                f"{f.description} Raw rows of {f.name} ({f.kind}) from {SYSTEM_LABELS[system]}, every "
                "column as delivered (text), plus lineage: _batch_id, _system, _extract_date, _source_file, "
                "_row_number, _loaded_at. Append-only."
            ),
            owners=OWNERS,
            kinds={"duckdb", "csv"} if f.formats == ("csv",) else {"duckdb", "csv", "excel"},
            metadata={
                "delivery_kind": f.kind,
                "source_file": f"{f.name}.{'|'.join(f.formats)}" if f.name != "responses" else "responses_<wave>.csv",
                "columns": dg.MetadataValue.json(list(f.columns)),
            },
            tags={"layer": "raw", "system": system},
        )
        for f in files_of(system)
    ]


INGEST_ASSET_SPECS: list[dg.AssetSpec] = [spec for system in SYSTEMS for spec in raw_asset_specs(system)]
RAW_ASSET_KEYS: list[dg.AssetKey] = [spec.key for spec in INGEST_ASSET_SPECS]


def _system_assets(system: System) -> dg.AssetsDefinition:
    specs = raw_asset_specs(system)

    @dg.multi_asset(
        name=f"ingest_{system}",
        specs=specs,
        can_subset=False,
        description=f"Load every complete {system} batch waiting in the landing zone into its raw tables.",
        op_tags={"system": system},
        pool=WAREHOUSE_POOL,
        retry_policy=NIGHTLY_RETRY_POLICY,  # in any job: a UI selection too
        check_specs=[
            dg.AssetCheckSpec(
                GATE_CHECK,
                asset=spec.key,
                description=f"No {system} batch was quarantined by this run's landing gate "
                "(see $COACHWH_HOME/quarantine/<system>/<date>/REJECTED.md).",
            )
            for spec in specs
        ]
        + [
            dg.AssetCheckSpec(
                FILE_WARNINGS_CHECK,
                asset=spec.key,
                description="The files of the batches this run loaded into the table did nothing the export contract "
                "takes only with a warning (lines ending some in LF and some in CRLF, a snapshot without a row): "
                "warns, never refuses.",
            )
            for spec in specs
        ]
        + [
            dg.AssetCheckSpec(
                LAYOUT_CHECK,
                asset=specs[0].key,
                description=f"Nothing for {system} lies in the landing zone outside a {system}/<YYYY-MM-DD>/ batch "
                "folder, where no gate would read it (a misnamed folder, a stray file): warns, never refuses.",
            ),
            dg.AssetCheckSpec(
                RETRACTIONS_CHECK,
                asset=specs[0].key,
                description=f"Raw held no rows of a {system} delivery retracted before (by the retraction.json in the "
                "quarantine); a warehouse restored from before a retraction does, and the gate takes them out again, "
                "as `coachwh retract` did: warns.",
            ),
        ],
    )
    def _ingest(context: AssetExecutionContext, coachwh: CoachwhConfig):
        from pipelines.landing.ingest import ingest_pending

        with non_transient():
            report = ingest_pending(coachwh.settings, progress=context.log.info, systems=[system])
        for outcome in report.quarantined:
            context.log.error(f"{outcome.batch_id} quarantined at {outcome.stored_at}: {outcome.reason}")
        stats = report.table_stats()
        quarantined = [o.batch_id for o in report.quarantined]
        for spec in specs:
            table = spec.key.path[-1]
            s = stats[table]
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={
                    "rows_loaded": dg.MetadataValue.int(int(s["rows"])),
                    "batches_loaded": dg.MetadataValue.int(int(s["batches"])),
                    "bytes_loaded": dg.MetadataValue.int(int(s["bytes"])),
                    "load_seconds": dg.MetadataValue.float(round(float(s["seconds"]), 3)),
                    LOADED_BATCHES: dg.MetadataValue.json(
                        [o.batch_id for o in report.loaded if any(f.raw_table == table for f in o.files)]
                    ),
                    "quarantined_batches": dg.MetadataValue.json(quarantined),
                    DUPLICATE_BATCHES: dg.MetadataValue.json([o.batch_id for o in report.duplicates]),
                    WAITING_BATCHES: dg.MetadataValue.json([o.batch_id for o in report.waiting]),
                    # the table's rows (what the UI shows as the asset's row count), not this run's: raw is append-only
                    **(
                        {"dagster/row_count": dg.MetadataValue.int(report.table_rows[table])}
                        if table in report.table_rows
                        else {}
                    ),
                },
            )
        strays = report.stray  # each named in the log by the gate's progress lines
        yield dg.AssetCheckResult(
            asset_key=specs[0].key,
            check_name=LAYOUT_CHECK,
            passed=not strays,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(f"'{e}' {STRAY_WHY}" for e in strays) or None,
            metadata={"stray_entries": dg.MetadataValue.json(strays)},
        )
        yield dg.AssetCheckResult(
            asset_key=specs[0].key,
            check_name=RETRACTIONS_CHECK,
            passed=not report.retractions_upheld,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(report.retractions_upheld) or None,
        )
        for spec in specs:
            warned = [w for o in report.loaded for w in o.file_warnings(spec.key.path[-1])]
            yield dg.AssetCheckResult(
                asset_key=spec.key,
                check_name=FILE_WARNINGS_CHECK,
                passed=not warned,
                severity=dg.AssetCheckSeverity.WARN,
                description="; ".join(warned) or None,
            )
            # A quarantined batch stops at the gate; the rest still loads and the marts still build, but
            # the run must say so loudly: an ERROR check in the UI, and `coachwh run` exits non-zero.
            yield dg.AssetCheckResult(
                asset_key=spec.key,
                check_name=GATE_CHECK,
                passed=not report.quarantined,
                severity=dg.AssetCheckSeverity.ERROR,
                description="; ".join(f"{o.batch_id}: {o.reason}" for o in report.quarantined) or None,
                metadata={
                    "quarantined": dg.MetadataValue.json(
                        {o.batch_id: {"reason": o.reason, "stored_at": str(o.stored_at)} for o in report.quarantined}
                    )
                },
            )

    return _ingest


INGEST_ASSETS: list[dg.AssetsDefinition] = [_system_assets(system) for system in SYSTEMS]

ingest_job = dg.define_asset_job(
    INGEST_JOB,
    selection=dg.AssetSelection.assets(*RAW_ASSET_KEYS),
    description="Load every complete batch waiting in the landing zone into the raw tables.",
)


def pending_fingerprint(landing=None) -> tuple[list[str], str | None]:
    """The complete batches waiting in the landing zone and a key that changes when they do.

    The key hashes each complete batch's id, its manifest's bytes and its folder's identity (inode and change
    time), so a redelivery under the same name is new work, also a byte-identical one (after a retraction, say:
    moving the folder in changes its change time), while the same pending set seen again is not.
    """
    landing = landing or settings().landing
    h = hashlib.sha256()
    pending = []
    for batch in discover(landing):
        if not batch.complete:
            continue
        pending.append(batch.batch_id)
        h.update(batch.batch_id.encode())
        try:
            h.update((batch.path / MANIFEST_NAME).read_bytes())
            folder = batch.path.stat()
            h.update(f"{folder.st_ino}:{folder.st_ctime_ns}".encode())
        except OSError:  # moved away between listing and reading: the next tick sees the new state
            continue
    return pending, (h.hexdigest()[:24] if pending else None)


def build_landing_sensor(
    job_name: str = INGEST_JOB,
    minimum_interval_seconds: int = 60,
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.STOPPED,
) -> dg.SensorDefinition:
    """A sensor that requests `job_name` when complete batches wait in the landing zone.

    Note: if a requested run fails and nothing in the landing zone changes, the key stays the same and
    the sensor does not ask again (that is what keeps it from double-running); re-execute the failed
    run from the UI, or redeliver.
    """

    @dg.sensor(
        name="landing_zone_sensor",
        job_name=job_name,
        minimum_interval_seconds=minimum_interval_seconds,
        description="Starts the nightly job when complete batches (with manifest.json) wait in the landing zone.",
        default_status=default_status,
    )
    def landing_zone_sensor(context: SensorEvaluationContext, coachwh: CoachwhConfig):
        landing = coachwh.settings.landing
        try:
            require_landing(landing)
        except LandingZoneMissing as missing:  # said on every tick in the UI; the nightly run fails on it, alerting
            return dg.SkipReason(str(missing))
        pending, key = pending_fingerprint(landing)
        if key is None:
            return dg.SkipReason("no complete batch waiting in the landing zone")
        if key == context.cursor:
            return dg.SkipReason(f"already requested a run for {len(pending)} pending batch(es) ({key})")
        context.update_cursor(key)
        return dg.RunRequest(
            run_key=f"landing-{key}",
            # what the sensor saw waiting: the run loads whatever is complete when its gate starts, these and any
            # batch that arrived since (its summary and the raw assets' metadata list what it loaded)
            tags={"coachwh/pending_batches": ",".join(pending)[:1000]},
        )

    return landing_zone_sensor


def ingest_definitions(
    sensor_job_name: str = INGEST_JOB,
    sensor_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.STOPPED,
    coachwh: CoachwhConfig | None = None,
) -> dg.Definitions:
    """The ingestion assets, the `ingest` job, and the landing-zone sensor pointed at `sensor_job_name`,
    with the settings resource (`coachwh`, default: from the environment now)."""
    return dg.Definitions(
        assets=INGEST_ASSETS,
        jobs=[ingest_job],
        sensors=[build_landing_sensor(sensor_job_name, default_status=sensor_status)],
        resources={RESOURCE_KEY: coachwh or CoachwhConfig.from_settings(settings())},
    )
