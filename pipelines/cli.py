"""`coachwh`: the one entry point for people and scripts.

Each command imports its area lazily, so `coachwh generate` does not pay for loading Dagster and dbt.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

from pipelines.config import ENGINES, beside_python, settings
from pipelines.errors import CommandError
from pipelines.fast_exit import exit_now


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is no whole number of 1 or more")
    return number


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-26") from None


def _cmd_generate(args: argparse.Namespace) -> int:
    from pipelines.sample import generate

    out = Path(args.out) if args.out else settings().landing
    generate(
        out=out,
        profile=args.profile,
        seed=args.seed,
        start=args.start,
        history_until=args.history_until,
        days=args.days,
        hr_format=args.hr_format,
    )
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines.landing.ingest import ingest_pending

    report = ingest_pending(settings(), progress=print)
    return 1 if report.quarantined else 0


def _cmd_run(args: argparse.Namespace) -> int:
    from pipelines.locks import LockTimeout
    from pipelines.nightly import run_nightly

    if args.engine == "spark":  # refused before the gate loads anything, rather than as a failed night
        from pipelines.spark.build import SparkNotInstalled, check_spark_installed
        from pipelines.spark.exchange import ExchangeUnusable, exchange_dir

        try:
            check_spark_installed()
            exchange_dir(settings())
        except (SparkNotInstalled, ExchangeUnusable) as e:
            raise CommandError(str(e)) from None
    try:
        ok = run_nightly(
            settings(), full_refresh=args.full_refresh, verbose=args.verbose, wait=not args.no_wait, engine=args.engine
        )
    except LockTimeout as e:
        waits = "without --no-wait, `coachwh run` waits for it"
        raise CommandError(f"refused: {e}; another run is going ({waits})") from None
    return 0 if ok else 1


def _cmd_publications(args: argparse.Namespace) -> int:
    from pipelines.landing.registry import retracted_since_published
    from pipelines.publication import held_open, list_publications

    cfg = settings()
    kept = list_publications(cfg.published, cfg.publications)
    if not kept:
        print(f"no publications in {cfg.publications} yet")
        return 0
    retracted = retracted_since_published(cfg.warehouse, kept, cfg.quarantine)
    print(f"{'':2}{'run':<38}{'published (UTC)':<21}{'as of':<12}{'tables':>7}{'rows':>12}")
    for p in kept:
        mark = "* " if p.current else "  "
        when = p.published_at.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{mark}{p.run_id:<38}{when:<21}{str(p.as_of_date):<12}{p.tables:>7}{p.rows:>12,}")
        if p.run_id in retracted:
            print(f"{'':4}holds batches retracted since: {', '.join(retracted[p.run_id])}")
    held = None if any(p.current for p in kept) else held_open(cfg.published)
    if held:
        print(f"which one is current is unknown: {held}")
    print(f"* = current ({cfg.published}); `coachwh rollback [RUN_ID]` makes another one current")
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from pipelines.publication import rollback_lock

    cfg = settings()
    asked = datetime.now(UTC)
    if not cfg.published.exists() and not cfg.publications.is_dir():  # a mistyped home is left as it was
        raise CommandError(f"nothing has been published yet in {cfg.home} (is COACHWH_HOME right?)")
    with rollback_lock(cfg.run_lock):  # taken before Dagster's import, a second or two in which a run may end
        from pipelines.defs.repairs import roll_back
        from pipelines.instance import dagster_instance

        with dagster_instance(cfg) as instance:  # the runs going now, and the catalog to tell
            p, page, events, held = roll_back(cfg, args.run_id, instance, asked_at=asked)
            print(
                f"{cfg.published} now holds publication {p.run_id} (published {p.published_at:%Y-%m-%d %H:%M:%S} "
                f"UTC, as of {p.as_of_date}, {p.tables} tables, {p.rows:,} rows)"
            )
            if held:
                print(f"WARNING: it holds batches retracted since: {', '.join(held)}")
            print(f"report rebuilt from it: {page}")
            # done outside a run: recorded in the instance, so the UI's catalog shows them as the latest
            for event in events:
                instance.report_runless_asset_event(event)
    print("the next successful run publishes over it again")
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from pipelines.dbt_docs import build_and_serve

    return build_and_serve(settings(), port=args.port, serve=not args.no_serve)


def _cmd_status(args: argparse.Namespace) -> int:
    from pipelines.status import status_lines

    print("\n".join(status_lines(settings())))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from pipelines.quality.check import check_lines

    lines, errors = check_lines(settings().warehouse, args.batch, args.suite, args.limit)
    print("\n".join(lines))
    return 1 if errors else 0


def _cmd_retract(args: argparse.Namespace) -> int:
    from pipelines.defs.repairs import refuse_retraction_while_a_run_builds
    from pipelines.instance import dagster_instance
    from pipelines.landing.retract import retract

    cfg = settings()
    with dagster_instance(cfg) as instance:  # the runs the UI or the daemon launched
        refuse_retraction_while_a_run_builds(instance)
    print(retract(cfg, args.batch, args.reason))  # which refuses while a `coachwh run` goes (its lock)
    return 0


def _cmd_unarchive(args: argparse.Namespace) -> int:
    from pipelines.landing.unarchive import unarchive

    cfg = settings()
    moved, aside = unarchive(cfg)
    if aside is not None:
        print(f"moved the damaged warehouse aside: {aside}")
    print(f"moved {len(moved)} loaded deliveries from {cfg.archive} back into {cfg.landing}")
    print("rebuild the warehouse and the marts from them with: coachwh run")
    return 0


def _cmd_replay(args: argparse.Namespace) -> int:
    from pipelines.landing.replay import prepare_replay

    into = Path(args.into).resolve()
    copied = prepare_replay(settings(), args.date, into)
    print(f"copied {len(copied)} loaded batches up to {args.date.isoformat()} into {into / 'landing'}")
    # every path named, this coachwh's own included, so that the line runs as printed from any folder and a shell
    # set up for the production home (its landing zone, its Dagster instance) cannot send the replay's run there
    command = [
        "env",
        "-u",
        "DAGSTER_HOME",
        f"COACHWH_HOME={into}",
        f"COACHWH_LANDING={into / 'landing'}",
        str(beside_python("coachwh") or "coachwh"),
        "run",
    ]
    print(f"build the marts as of {args.date.isoformat()} there with:\n  {shlex.join(command)}")
    return 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    from pipelines.defs.warehouse import prepare_manifest

    prepare_manifest(force=not args.if_changed)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    """Generate the bundled small sample into an empty landing zone, then run the nightly job."""
    from pipelines.nightly import run_nightly
    from pipelines.sample import generate

    cfg = settings()
    if cfg.warehouse.exists() or (cfg.landing.exists() and any(cfg.landing.iterdir())):
        print(f"{cfg.home} already holds data: running the nightly job on what is there")
    else:
        generate(out=cfg.landing, profile="small")
    return 0 if run_nightly(cfg) else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from pipelines.report import build_report

    cfg = settings()
    print(build_report(cfg.published, Path(args.out) if args.out else cfg.report_dir))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from pipelines.bench import main as bench_main

    medium = {"yes": True, "no": False}.get(args.medium)
    return bench_main(args.profile, Path(args.workdir) if args.workdir else None, args.repeat, medium)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coachwh", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a sample landing zone of nightly exports")
    gen.add_argument("--profile", choices=["small", "medium", "large"], default="small", help="(default: %(default)s)")
    gen.add_argument("--out", help="landing zone to write (default: $COACHWH_LANDING)")
    gen.add_argument("--seed", type=int, default=7, help="the same seed writes the same files (default: %(default)s)")
    gen.add_argument("--start", type=_date, help="first day of history (default: by profile)")
    gen.add_argument("--history-until", type=_date, help="last day in the initial history batch (default: 2026-10-31)")
    gen.add_argument("--days", type=int, default=None, help="nightly batches after the history batch (default: 5)")
    gen.add_argument(
        "--hr-format", choices=["csv", "xlsx"], default="csv", help="HR files' format (default: %(default)s)"
    )
    gen.set_defaults(func=_cmd_generate)

    ing = sub.add_parser("ingest", help="load complete batches from the landing zone into raw tables")
    ing.set_defaults(func=_cmd_ingest)

    run = sub.add_parser("run", help="run the nightly job once, in-process: ingest, then build the marts")
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from raw")
    run.add_argument("--verbose", action="store_true", help="stream every Dagster and dbt log line")
    run.add_argument("--no-wait", action="store_true", help="refuse at once when another run is going")
    run.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="where dbt builds the models (spark: `make setup-spark` first; the marts come back to DuckDB)",
    )
    run.set_defaults(func=_cmd_run)

    status = sub.add_parser("status", help="batches loaded, waiting and refused; as-of date; freshness")
    status.set_defaults(func=_cmd_status)

    pubs = sub.add_parser("publications", help="the kept publications of the BI file (run, time, as-of, rows)")
    pubs.set_defaults(func=_cmd_publications)

    back = sub.add_parser("rollback", help="make an earlier publication the current BI file (atomically)")
    back.add_argument(
        "run_id",
        nargs="?",
        help="run id (or a unique prefix); default: the newest earlier one whose marts differ and that holds no "
        "batch retracted since (a named one is brought back all the same, with a warning naming such batches)",
    )
    back.set_defaults(func=_cmd_rollback)

    docs = sub.add_parser("docs", help="build the dbt docs site for the current warehouse and serve it")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="only build it (dbt_project/target/index.html)")
    docs.set_defaults(func=_cmd_docs)

    check = sub.add_parser("check", help="the latest source-contract results per suite and batch")
    check.add_argument("--batch", action="append", help="only this batch id, e.g. crm/2026-11-26 (repeatable)")
    check.add_argument("--suite", help="only this suite (raw table), e.g. crm_call")
    check.add_argument("--limit", type=_positive, default=50, help="rows of the table (default 50, newest first)")
    check.set_defaults(func=_cmd_check)

    retract = sub.add_parser("retract", help="take a loaded batch out of raw; the next run rebuilds without it")
    retract.add_argument("batch", metavar="SYSTEM/DATE", help="the loaded batch, e.g. hris/2026-11-26")
    retract.add_argument("--reason", required=True, help="why (kept in the registry and the quarantine)")
    retract.set_defaults(func=_cmd_retract)

    unarch = sub.add_parser(
        "unarchive",
        help="a lost or damaged warehouse: move every loaded delivery from the archive back into the landing zone "
        "(then `coachwh run` rebuilds it)",
    )
    unarch.set_defaults(func=_cmd_unarchive)

    replay = sub.add_parser(
        "replay", help="a new home whose landing zone holds the batches loaded up to a date: the marts as of then"
    )
    replay.add_argument("date", type=_date, metavar="DATE", help="the last extract date to replay, e.g. 2026-11-03")
    replay.add_argument("--into", required=True, help="a new (or empty) folder: the home of the replay")
    replay.set_defaults(func=_cmd_replay)

    prep = sub.add_parser("prepare", help="parse the dbt project into its manifest (done by setup)")
    prep.add_argument(
        "--if-changed", action="store_true", help="only when a file of the dbt project changed since the last parse"
    )
    prep.set_defaults(func=_cmd_prepare)

    demo = sub.add_parser("demo", help="generate the small sample (if nothing is there) and run the nightly job")
    demo.set_defaults(func=_cmd_demo)

    report = sub.add_parser("report", help="build the report page from the published marts ($COACHWH_HOME/report)")
    report.add_argument("--out", help="folder for index.html (default: $COACHWH_HOME/report)")
    report.set_defaults(func=_cmd_report)

    bench = sub.add_parser("bench", help="the nightly job end to end on a profile, against bare DuckDB reading it")
    bench.add_argument("--profile", choices=["small", "medium", "large"], default="large")
    bench.add_argument("--workdir", help="where to generate and run; reused next time (default: a temporary folder)")
    bench.add_argument("--repeat", type=int, default=1, help="runs per figure; the median is reported")
    bench.add_argument(
        "--medium",
        choices=["auto", "yes", "no"],
        default="auto",
        help="also time a night on the medium profile (auto: with --profile large)",
    )
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Resolved once, at start: dbt (a subprocess, run from dbt_project/) reads COACHWH_HOME in its profile,
    # and must open the same warehouse as the pipeline whatever the working directory was.
    try:
        os.environ["COACHWH_HOME"] = str(settings().home)
        return args.func(args)
    except CommandError as e:
        print(f"coachwh {args.command}: {e}", file=sys.stderr)
        return 2


def console() -> NoReturn:
    """The `coachwh` command and `python -m pipelines.cli`: main(), then leave at once (pipelines/fast_exit.py).
    Tests call main() itself: their process goes on."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader left early (`coachwh publications | head`): not an error of ours. Point stdout at
        # /dev/null so that the interpreter's own flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    exit_now(code)


if __name__ == "__main__":
    console()
