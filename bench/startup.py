"""Start-up: how long `python -m potrack run --source NAME` takes from process start to the source's first row.

    python bench/startup.py [--runs 7] [--lines 100] [--pg-url URL] [--top 25] [--checkout DIR ...]

The source is an `sql` source reading a small table on the PostgreSQL server. Its query returns one more column,
`served_at`, a custom text column holding the server's `clock_timestamp()` of each row: the moment the server's
executor produced that row. The benchmark reads the wall clock just before it spawns the process; potrack stores
the stamps with the lines; the earliest stamp of the lines the run wrote, minus that clock, is the time from
process start to the query's first row (one clock: the server is on 127.0.0.1). The store is SQLite, in a temporary
instance directory. Measured, each several times:

- fresh store: a new instance directory each run, so the run creates the store's schema first;
- existing store: the same store night after night (incremental runs), the normal nightly case;
- bare driver: a process that imports psycopg, connects and fetches the first row of the same query (the floor).

Then `python -X importtime` of as many runs on the existing store: the modules imported before the first row, by
cumulative import time, and the imports after it (the alert evaluation's), medians of the runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.shapes import PG_URL, potrack_env  # noqa: E402 - after the path to the project

COLUMNS = (
    "po_number, line_number, item_code, supplier_code, quantity_ordered, quantity_received, unit_price, "
    "promised_date, status"
)
STAMP = "extract(epoch FROM clock_timestamp())::text AS served_at"
# No xref query: the source's query is the first and only one potrack sends the ERP before the first row.
SOURCE = """
[[sources]]
name = "bench"
kind = "sql"
url = "{url}"
query = "{query}"
custom_columns = {{ served_at = "text" }}
"""
TABLE = """
CREATE TABLE {t} (
    po_number varchar(12) NOT NULL, line_number integer NOT NULL, item_code varchar(10), supplier_code varchar(8),
    quantity_ordered numeric(18, 4), quantity_received numeric(18, 4), unit_price numeric(18, 6),
    promised_date date, status varchar(10), PRIMARY KEY (po_number, line_number)
)"""
ROWS = """
INSERT INTO {t}
SELECT 'PO' || lpad((i / 5)::text, 7, '0'), i % 5 + 1, 'ITM' || (i % 97), 'SUP' || (i % 13), 10 + i % 7, 0,
       1 + i % 100, date '2027-02-01' + i % 28, 'open'
FROM generate_series(0, {last}) AS i"""
# The floor: a process that imports only the driver, connects and fetches the first row of the same query.
BARE_FIRST_ROW = """
import sys
import psycopg
with psycopg.connect(sys.argv[1]) as conn:
    cursor = conn.cursor(name="first_row")  # server-side, as potrack reads (stream_results)
    cursor.execute(sys.argv[2])
    print(cursor.fetchone()[-1])
"""


def spawn(
    argv: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a process; the wall clock read just before spawning it, its seconds start to exit, the result."""
    began, start = time.time(), time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    return began, time.perf_counter() - start, proc


def potrack_first_row(checkout: Path, env: dict[str, str], store: Path, lines: int) -> tuple[float, float]:
    """One `python -m potrack run --source bench`: seconds from spawning it to the query's first row, and to exit."""
    argv = [sys.executable, "-m", "potrack", "run", "--source", "bench", "--json"]
    began, seconds, proc = spawn(argv, checkout, env)
    if proc.returncode != 0:
        raise SystemExit(f"potrack run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    run_id = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("{")))["run_id"]
    con = sqlite3.connect(store)
    try:
        written = [
            json.loads(custom)["served_at"]
            for (custom,) in con.execute("SELECT custom FROM po_lines WHERE last_changed_run_id = ?", (run_id,))
        ]
    finally:
        con.close()
    if len(written) != lines:  # each row's stamp is new every night: every run writes every line
        raise SystemExit(f"run #{run_id} wrote {len(written)} of the {lines} lines: the first row's stamp may be lost")
    return min(float(stamp) for stamp in written) - began, seconds


def bare_first_row(url: str, query: str) -> tuple[float, float]:
    """The floor: seconds from spawning the bare driver's process to the query's first row, and to exit."""
    began, seconds, proc = spawn([sys.executable, "-c", BARE_FIRST_ROW, url, query])
    if proc.returncode != 0:
        raise SystemExit(f"bare read failed: {proc.stderr[-2000:]}")
    return float(proc.stdout.strip()) - began, seconds


def summary(name: str, samples: list[tuple[float, float]]) -> str:
    first = [s[0] for s in samples]
    total = [s[1] for s in samples]
    return (
        f"{name:<20} {statistics.median(first):>7.3f} {min(first):>7.3f} {max(first):>7.3f}   "
        f"{statistics.median(total):>7.3f}   {' '.join(f'{s:.3f}' for s in first)}"
    )


def import_times(checkout: Path, env: dict[str, str], runs: int, top: int) -> list[str]:
    """Runs under `-X importtime`: the modules imported before the source's first row by cumulative import time
    (nesting shown), and the top-level imports after it; medians of the runs. The source's driver, psycopg, is
    imported as the source connects: what importtime lists before psycopg's own line (its lines come in the order
    imports finish) was imported before the first row."""
    argv = [sys.executable, "-X", "importtime", "-m", "potrack", "run", "--source", "bench"]
    before: dict[str, list[tuple[float, float]]] = {}
    after: dict[str, list[float]] = {}
    for _ in range(runs):
        _, _, proc = spawn(argv, checkout, env)
        entries = []
        for line in proc.stderr.splitlines():
            if line.startswith("import time:") and "cumulative" not in line:
                own, cumulative, name = line.removeprefix("import time:").split("|")
                entries.append((int(cumulative) / 1e6, int(own) / 1e6, name.rstrip()))
        driver = next(i for i, (_, _, name) in enumerate(entries) if name == " psycopg") + 1
        for cumulative, own, name in entries[:driver]:
            before.setdefault(name, []).append((cumulative, own))
        for cumulative, _, name in entries[driver:]:
            if not name.startswith("  "):  # top level
                after.setdefault(name.strip(), []).append(cumulative)
    cumulative_own = {
        name: (statistics.median(c for c, _ in times), statistics.median(o for _, o in times))
        for name, times in before.items()
    }
    after_median = {name: statistics.median(times) for name, times in after.items()}
    total = sum(c for name, (c, _) in cumulative_own.items() if not name.startswith("  "))
    lines = [
        f"imports before the first row: {total:.3f} s; after it: {sum(after_median.values()):.3f} s "
        f"({', '.join(f'{name} {c:.3f}' for name, c in after_median.items())}); medians of {runs} runs",
        f"{'cumulative s':>12} {'own s':>7}   before the first row",
    ]
    ranked = sorted(cumulative_own.items(), key=lambda item: item[1], reverse=True)[:top]
    lines += [f"{c:>12.3f} {o:>7.3f} {name}" for name, (c, o) in ranked]
    return lines


def measure(args: argparse.Namespace, workdir: Path, schema: str) -> None:
    query = f"SELECT {COLUMNS}, {STAMP} FROM {schema}.po_lines"
    checkouts = [path.resolve() for path in args.checkout] or [ROOT]
    envs = []
    for i in range(len(checkouts)):  # each checkout its own store
        (workdir / str(i)).mkdir()
        env = potrack_env(workdir / str(i), SOURCE.format(url=args.pg_url, query=query))
        # As installed, Python writes a module's bytecode on its first start. With PYTHONDONTWRITEBYTECODE (set in
        # some shells) every start would compile each module changed since its last .pyc again (about 0.1-0.3 s).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        envs.append(env)
    driver_url = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    fresh: list[list[tuple[float, float]]] = [[] for _ in checkouts]
    existing: list[list[tuple[float, float]]] = [[] for _ in checkouts]
    bare = []
    for checkout, env in zip(checkouts, envs, strict=True):  # warm-up: the file cache, each checkout's bytecode
        potrack_first_row(checkout, env, Path(env["POTRACK_INSTANCE"]) / "potrack.db", args.lines)
    for _ in range(args.runs):  # interleaved, so that a noisy moment of the machine does not fall on one case only
        for i, (checkout, env) in enumerate(zip(checkouts, envs, strict=True)):
            instance = Path(env["POTRACK_INSTANCE"])
            shutil.rmtree(instance)
            fresh[i].append(potrack_first_row(checkout, env, instance / "potrack.db", args.lines))
            existing[i].append(potrack_first_row(checkout, env, instance / "potrack.db", args.lines))
        bare.append(bare_first_row(driver_url, query))
    print(
        f"{args.runs} runs each, {args.lines:,} source lines; seconds from spawning the process to the source "
        "query's first row, and to the process's exit"
    )
    for i, checkout in enumerate(checkouts, 1):
        print(f"[{i}] python -m potrack run --source bench, potrack of {checkout}")
    print(f"{'':<20} {'median':>7} {'min':>7} {'max':>7}   {'exit':>7}   each run")
    for i in range(len(checkouts)):
        print(summary(f"[{i + 1}] fresh store", fresh[i]))
        print(summary(f"[{i + 1}] existing store", existing[i]))
    print(summary("bare driver", bare))
    for checkout, env in zip(checkouts, envs, strict=True):
        print(f"\n`python -X importtime -m potrack run --source bench` of {checkout}, existing store:")
        print("\n".join(import_times(checkout, env, args.runs, args.top)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs of each case")
    parser.add_argument("--lines", type=int, default=100, help="lines of the source table")
    parser.add_argument("--pg-url", default=PG_URL, help="SQLAlchemy URL of the PostgreSQL database")
    parser.add_argument("--top", type=int, default=25, help="modules of the import-time list")
    parser.add_argument(
        "--checkout",
        type=Path,
        action="append",
        default=[],
        help="measure the potrack of this checkout (repeat it to compare several, measured in turn; default: this one)",
    )
    args = parser.parse_args()
    schema = f"potrack_startup_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(args.pg_url)
    workdir = Path(tempfile.mkdtemp(prefix="potrack-startup-"))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            conn.execute(sa.text(TABLE.format(t=f"{schema}.po_lines")))
            conn.execute(sa.text(ROWS.format(t=f"{schema}.po_lines", last=args.lines - 1)))
        measure(args, workdir, schema)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
