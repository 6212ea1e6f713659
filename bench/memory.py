"""Peak memory of a night, whatever it looks like: a clean night from a SQLite ERP, the same night from a PostgreSQL
ERP, and a night whose every row is rejected; and the helpers every benchmark measures its child processes with.

    python bench/memory.py [--rows 1000000] [--keep DIR] [--pg-url URL]

Each case is a first (baseline) run of one sql source into a fresh SQLite store, in its own Python process, whose
peak RSS (VmHWM) is its own; growth is that peak over the RSS once the store is open. The rows are bench/pipeline.py's
generated night 0; the PostgreSQL ERP holds the same rows in typed columns (numeric, date) in a scratch schema; the
rejected night holds them with a 2,000-character description (the limit is 400), so every row is rejected and kept
as a failed row of about 2 KB. Every run must report exactly the expected counts, or the benchmark fails (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DESCRIPTION = 2000  # characters of each rejected row's description: a failed row of about 2 KB
SPREAD = 0.20  # the three peaks must lie within 20 % of each other
PG_TYPES = {
    "line_number": "integer",
    "quantity_ordered": "numeric",
    "quantity_received": "numeric",
    "unit_price": "numeric",
    "order_date": "date",
    "promised_date": "date",
    "need_by_date": "date",
    "udf_3": "numeric",
}


def in_child(script: str, *args: str, timeout: float = 600) -> dict:
    """Run a benchmark script in a fresh Python process and return the JSON object its last line prints."""
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{script} failed with exit code {proc.returncode}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def reject_every_row(path: Path) -> None:
    """Give every row of a generated ERP a description five times too long (its own text, padded with x)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute(
        f"UPDATE po_lines SET description = substr(description || replace(printf('%{DESCRIPTION}s', ''), "
        f"' ', 'x'), 1, {DESCRIPTION})"
    )
    con.commit()
    con.close()


def copy_to_postgresql(erp: Path, pg_url: str, schema: str) -> None:
    """The ERP's po_lines and xref in a new PostgreSQL schema, with typed columns, by COPY."""
    import sqlalchemy as sa

    from bench.pipeline import COLUMNS

    engine = sa.create_engine(pg_url)
    lite = sqlite3.connect(erp)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            columns = ", ".join(f"{c} {PG_TYPES.get(c, 'text')}" for c in COLUMNS)
            conn.execute(sa.text(f"CREATE TABLE {schema}.po_lines ({columns})"))
            conn.execute(sa.text(f"CREATE TABLE {schema}.xref (item_code text, internal_part_id text)"))
            cursor = conn.connection.cursor()
            for table in ("po_lines", "xref"):
                with cursor.copy(f"COPY {schema}.{table} FROM STDIN") as copy:
                    for row in lite.execute(f"SELECT * FROM {table}"):
                        copy.write_row(row)
    finally:
        lite.close()
        engine.dispose()


def drop_schema(pg_url: str, schema: str) -> None:
    """Drop the scratch schema and what it holds (nothing happens when it was never made)."""
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        engine.dispose()


def night(workdir: Path, url: str, prefix: str) -> dict:
    """One baseline run of a sql source reading `url` (tables `prefix`po_lines and xref) into a fresh store in
    workdir; called in a child process."""
    os.environ["POTRACK_INSTANCE"] = str(workdir / "instance")
    os.environ["POTRACK_CONFIG"] = str(workdir / "potrack.toml")
    os.environ.pop("POTRACK_DATABASE_URL", None)
    (workdir / "potrack.toml").write_text(f"""
[[sources]]
name = "bench"
kind = "sql"
url = "{url}"
query = "SELECT * FROM {prefix}po_lines"
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ query = "SELECT item_code, internal_part_id FROM {prefix}xref" }}
""")
    sys.path.insert(0, str(ROOT))
    from potrack.pipeline.runner import Pipeline
    from potrack.runtime import start
    from tests.support.memory import memory_kib

    runtime = start()
    start_kib = memory_kib("VmRSS")
    began = time.perf_counter()
    report = Pipeline(runtime.settings, runtime.engine).run("bench", trigger="cli", baseline=True)
    return {
        "seconds": time.perf_counter() - began,
        "report": report.as_json(),
        "rss_start_mib": start_kib / 1024,
        "rss_peak_mib": memory_kib("VmHWM") / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="generate the ERPs in this directory and keep them")
    parser.add_argument("--pg-url", default=PG_URL, help="SQLAlchemy URL of the PostgreSQL database for the ERP")
    parser.add_argument("--night", nargs=3, metavar=("DIR", "URL", "PREFIX"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.night:
        workdir, url, prefix = args.night
        print(json.dumps(night(Path(workdir), url, prefix)))
        return 0

    sys.path.insert(0, str(ROOT))
    from bench.pipeline import generate

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="potrack-bench-memory-"))
    schema = f"potrack_bench_{uuid.uuid4().hex[:10]}"
    results = {}
    try:
        clean, bad = workdir / "erp-clean.sqlite", workdir / "erp-rejected.sqlite"
        began = time.perf_counter()
        for path in (clean, bad):
            path.unlink(missing_ok=True)
        expected = generate(clean, args.rows, 0, 1)
        shutil.copyfile(clean, bad)
        reject_every_row(bad)
        copy_to_postgresql(clean, args.pg_url, schema)
        print(
            f"generated {args.rows:,} rows (SQLite, PostgreSQL, rejected) in {time.perf_counter() - began:.0f} s",
            file=sys.stderr,
        )
        cases = {
            "sqlite": (f"sqlite:///{clean}", ""),
            "postgresql": (args.pg_url, f"{schema}."),
            "rejected": (f"sqlite:///{bad}", ""),
        }
        for case, (url, prefix) in cases.items():
            casedir = workdir / case
            shutil.rmtree(casedir, ignore_errors=True)
            casedir.mkdir(parents=True)
            results[case] = in_child(__file__, "--night", str(casedir), url, prefix, timeout=3600)
            print(f"{case}: {json.dumps(results[case])}", file=sys.stderr)
    finally:
        drop_schema(args.pg_url, schema)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    failures = []
    for case, result in results.items():
        r = result["report"]
        want = (
            {"status": "partial", "lines_processed": args.rows, "lines_new": 0, "errors": args.rows}
            if case == "rejected"
            else {
                "status": "success",
                "lines_processed": expected.lines_processed,
                "lines_new": expected.lines_new,
                "errors": 0,
            }
        )
        got = {k: r[k] for k in want}
        if got != want:
            failures.append(f"{case}: {got}, expected {want}")
    print(
        f"{'case':<11} {'rows':>10} {'status':>8} {'errors':>10} {'s':>7} {'start MiB':>9} {'peak MiB':>9} "
        f"{'growth MiB':>10}"
    )
    for case, result in results.items():
        r = result["report"]
        print(
            f"{case:<11} {r['lines_processed']:>10,} {r['status']:>8} {r['errors']:>10,} {result['seconds']:>7.1f} "
            f"{result['rss_start_mib']:>9.0f} {result['rss_peak_mib']:>9.0f} "
            f"{result['rss_peak_mib'] - result['rss_start_mib']:>10.0f}"
        )
    peaks = [result["rss_peak_mib"] for result in results.values()]
    spread = max(peaks) / min(peaks) - 1
    print(f"largest peak over smallest: +{spread:.0%} (limit +{SPREAD:.0%})")
    if failures:
        print("RUNS DO NOT REPORT THE EXPECTED COUNTS:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0 if spread <= SPREAD else 2


if __name__ == "__main__":
    sys.exit(main())
