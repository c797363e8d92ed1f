"""`coachwh bench`: time the landing gate on a profile's history batches against bare DuckDB.

1. Generate the profile's landing zone (`pipelines.sample.generate`, history batches only) into the
   workdir, once; a later run with the same --workdir reuses it.
2. Read every history file once (primes the page cache for both contenders, fairly).
3. In a child process: bare DuckDB, `CREATE TABLE ... AS SELECT * FROM read_csv(...)` for every CSV of
   the history batches into a fresh database file, with the very reader options the gate uses (explicit
   VARCHAR columns, no sniffing): the baseline is the reader alone, so the ratio is our overhead.
4. In a child process: our gate, `ingest_pending()` of the same batches into a fresh warehouse
   (manifest checks, checksums, header checks, lineage columns, registry, archive move included).
Prints both wall times, the ratio, and each child's peak RSS. Exit status 0 when the targets hold
(ratio <= 1.3 on the large profile, peak RSS < 2 GiB, same row counts), else 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATIO_TARGET = 1.3
RSS_TARGET_BYTES = 2 * 1024**3


def _history_batches(landing: Path) -> list[Path]:
    """The first (history) batch folder of each system."""
    from pipelines.landing.zone import discover

    first: dict[str, Path] = {}
    for batch in discover(landing):
        if batch.complete and batch.system not in first:
            first[batch.system] = batch.path
    return list(first.values())


def _generate(profile: str, out: Path) -> str:
    from pipelines.sample import generate

    generate(out=out, profile=profile, days=0)
    return f"pipelines.sample.generate(profile={profile!r}, days=0)"


def _link_tree(batches: list[Path], source_landing: Path, landing: Path) -> None:
    """Hard-link (or copy) the history batches into a fresh landing zone: the ingest moves them away."""
    for batch in batches:
        target = landing / batch.relative_to(source_landing)
        target.mkdir(parents=True)
        for f in batch.iterdir():
            try:
                os.link(f, target / f.name)
            except OSError:
                shutil.copy2(f, target / f.name)


def _peak_rss_bytes() -> int:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries the parent's peak
    across fork+exec into it, so a child started by a big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _run_child(args: list[str]) -> tuple[dict, float, int]:
    """Run `python -m pipelines.bench <args>` and return its JSON, wall seconds and peak RSS bytes."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipelines.bench", *args], stdout=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"bench child {args[1]} failed with exit code {done.returncode}")
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result, wall, int(result["peak_rss"])


def _child_bare(files_json: str, db: str) -> dict:
    import duckdb

    from pipelines.landing.loader import csv_scan
    from pipelines.sources import classify

    files = json.loads(files_json)
    started = time.perf_counter()
    con = duckdb.connect(db)
    con.execute("SET enable_progress_bar = false")
    rows = 0
    for i, (system, path) in enumerate(files):
        f = classify(system, Path(path).name)
        assert f is not None
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM {csv_scan(Path(path), f, f.header_rows)}")
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _child_ingest(home: str) -> dict:
    from pipelines.config import Settings
    from pipelines.landing.ingest import ingest_pending

    started = time.perf_counter()
    cfg = Settings(home=Path(home), landing=Path(home) / "landing")
    report = ingest_pending(cfg, progress=lambda m: print(m, file=sys.stderr))
    return {
        "seconds": time.perf_counter() - started,
        "rows": sum(o.rows for o in report.loaded),
        "quarantined": [o.reason for o in report.quarantined],
    }


def main(profile: str = "large", workdir: Path | None = None) -> int:
    """Generate (or reuse) the profile under `workdir` and measure; a temporary workdir is removed after."""
    if workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
        return _measure(profile, Path(workdir))
    work = Path(tempfile.mkdtemp(prefix=f"coachwh-bench-{profile}-"))
    try:
        return _measure(profile, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(profile: str, work: Path) -> int:
    generated = work / "generated"
    if not (generated.exists() and _history_batches(generated)):
        shutil.rmtree(generated, ignore_errors=True)
        print(f"generating the {profile} profile into {generated} ...", flush=True)
        t = time.perf_counter()
        how = _generate(profile, generated)
        print(f"  {how}: {time.perf_counter() - t:.1f}s", flush=True)
    batches = _history_batches(generated)
    files = sorted((b.parent.name, str(p)) for b in batches for p in b.iterdir() if p.suffix.lower() == ".csv")
    size = sum(Path(p).stat().st_size for _, p in files)
    print(
        f"history batches: {', '.join(str(b.relative_to(generated)) for b in batches)}; "
        f"{len(files)} CSV files, {size / 1e9:.2f} GB"
    )
    for _, p in files:  # prime the page cache for both contenders
        with open(p, "rb") as fh:
            while fh.read(1 << 24):
                pass

    run = work / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    bare, bare_wall, bare_rss = _run_child(["--child", "bare", json.dumps(files), str(run / "bare.duckdb")])
    (run / "bare.duckdb").unlink(missing_ok=True)
    home = run / "home"
    _link_tree(batches, generated, home / "landing")
    ours, our_wall, our_rss = _run_child(["--child", "ingest", str(home)])
    if ours["quarantined"]:
        print("ingest quarantined a history batch: " + "; ".join(ours["quarantined"]))
        return 1
    ratio = ours["seconds"] / bare["seconds"]
    print(
        f"bare DuckDB read_csv into tables : {bare['seconds']:7.1f}s  {bare['rows']:>12,} rows  "
        f"peak RSS {bare_rss / 2**20:,.0f} MiB (process wall {bare_wall:.1f}s)"
    )
    print(
        f"coachwh ingest (the gate)        : {ours['seconds']:7.1f}s  {ours['rows']:>12,} rows  "
        f"peak RSS {our_rss / 2**20:,.0f} MiB (process wall {our_wall:.1f}s)"
    )
    print(f"ratio {ratio:.2f} (target <= {RATIO_TARGET}); peak RSS target < {RSS_TARGET_BYTES / 2**30:.0f} GiB")
    # The time target is set for the large profile; on small loads fixed costs (manifest, registry,
    # archive move) dominate and the ratio says little.
    ok = (ratio <= RATIO_TARGET or profile != "large") and our_rss < RSS_TARGET_BYTES and ours["rows"] == bare["rows"]
    if ours["rows"] != bare["rows"]:
        print(f"ROW COUNTS DIFFER: bare {bare['rows']:,}, ingest {ours['rows']:,}")
    shutil.rmtree(run, ignore_errors=True)
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        result = _child_bare(sys.argv[3], sys.argv[4]) if sys.argv[2] == "bare" else _child_ingest(sys.argv[3])
        result["peak_rss"] = _peak_rss_bytes()
        print(json.dumps(result))
        sys.exit(0)
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "large", Path(sys.argv[2]) if len(sys.argv) > 2 else None))
