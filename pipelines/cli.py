"""`coachwh`: the one entry point for people and scripts.

Each command imports its area lazily, so `coachwh generate` does not pay for loading Dagster and dbt.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pipelines.config import settings


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
    from pipelines.nightly import run_nightly

    return 0 if run_nightly(settings(), full_refresh=args.full_refresh) else 1


def _cmd_status(args: argparse.Namespace) -> int:
    from pipelines.status import status_lines

    print("\n".join(status_lines(settings())))
    return 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    from pipelines.defs.warehouse import prepare_manifest

    prepare_manifest(force=True)
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


def _cmd_bench(args: argparse.Namespace) -> int:
    from pipelines.bench import main as bench_main

    medium = {"yes": True, "no": False}.get(args.medium)
    return bench_main(args.profile, Path(args.workdir) if args.workdir else None, args.repeat, medium)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coachwh", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a sample landing zone of nightly exports")
    gen.add_argument("--profile", choices=["small", "medium", "large"], default="small")
    gen.add_argument("--out", help="landing zone to write (default: $COACHWH_LANDING)")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--start", type=_date, help="first day of history (default: by profile)")
    gen.add_argument("--history-until", type=_date, help="last day in the initial history batch")
    gen.add_argument("--days", type=int, default=None, help="nightly batches after the history batch")
    gen.add_argument("--hr-format", choices=["csv", "xlsx"], default="csv")
    gen.set_defaults(func=_cmd_generate)

    ing = sub.add_parser("ingest", help="load complete batches from the landing zone into raw tables")
    ing.set_defaults(func=_cmd_ingest)

    run = sub.add_parser("run", help="run the nightly job once, in-process: ingest, then build the marts")
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from raw")
    run.set_defaults(func=_cmd_run)

    status = sub.add_parser("status", help="batches loaded, waiting and refused; as-of date; freshness")
    status.set_defaults(func=_cmd_status)

    prep = sub.add_parser("prepare", help="parse the dbt project into its manifest (done by setup)")
    prep.set_defaults(func=_cmd_prepare)

    demo = sub.add_parser("demo", help="generate the small sample (if nothing is there) and run the nightly job")
    demo.set_defaults(func=_cmd_demo)

    bench = sub.add_parser("bench", help="the nightly job end to end on a profile, against bare DuckDB reading it")
    bench.add_argument("--profile", choices=["small", "medium", "large"], default="large")
    bench.add_argument("--workdir", help="where to generate and run; reused next time (default: a temporary folder)")
    bench.add_argument("--repeat", type=int, default=1, help="runs per figure; the median is reported")
    bench.add_argument("--medium", choices=["auto", "yes", "no"], default="auto",
                       help="also time a night on the medium profile (auto: with --profile large)")
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
