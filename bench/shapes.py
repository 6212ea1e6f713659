"""Speed on an ERP's shape: potrack's CLI end to end against the bare read of the same source query.

    python bench/shapes.py --shape generator|typed|adventureworks [--lines N] [--pg-url URL] [--keep DIR] [--profile]

Every figure is a whole process, start to exit, as a scheduler runs it: the bare read (the plain driver streams
every row of the source query and does nothing else), then `python -m potrack run --baseline` on night 0, then
`python -m potrack run` on night 1; wall seconds, the ratio to the bare read of the same night, and the process's
peak RSS. potrack's counts are checked against what the night's SQL changed (exit 1 when they differ).

- generator (1M lines by default): bench/pipeline.py's generated ERP in SQLite files (floats and text, a flat
  table, two custom columns).
- typed (1M lines by default): a flat table on the PostgreSQL server whose columns the ERP types: integer keys and
  counts, NUMERIC quantities and prices (the driver gives Decimals), TIMESTAMP dates (datetimes), three custom
  columns (text, NUMERIC, integer). Night 1 slips 2 % of the promised dates (half of them with a receipt),
  reprices 0.1 %, closes 0.3 % and adds 0.5 % new lines.
- adventureworks (884,500 lines by default): the AdventureWorks purchasing tables (shared/realdata/adventureworks)
  in a SQLite ERP behind the `SELECT *` view that joins five tables, potrack configured with the renames and custom
  columns of the tests (tests/support/adventureworks.py). The header and detail rows are copied in SQL, copy k with
  PurchaseOrderID + k * 10,000, as many times as --lines asks (100 copies of the 8,845 detail rows by default).
  Night 1 slips 2 % of the DueDates by a week, receives 10 more on 1 %, reprices 0.1 % by 5 %, deletes 0.3 % of
  the detail rows and inserts 0.5 % new ones (copies with PurchaseOrderDetailID + 100,000, nothing received);
  the tests' independent model must find every row of the unscaled data valid, so that no night has errors.

--profile [0|1] samples night 1 (or night 0, the baseline) with py-spy (`pip install py-spy==0.4.3`) and prints the
functions that hold the most samples (own time, and with what they call).
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
from collections import Counter
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline import generate  # noqa: E402 - after the path to the project
from potrack.fields import FIELDS, KEY_FIELDS  # noqa: E402
from tests.support import adventureworks as aw  # noqa: E402 - the tests' ERP builder, view, renames and model

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
CHECKED = ("lines_processed", "lines_new", "lines_changed", "lines_removed", "errors")
TYPED_COLUMNS = (*KEY_FIELDS, *FIELDS, "project", "weight_kg", "pallets")  # three custom columns
TYPED_TABLE = """
CREATE TABLE {t} (
    seq integer NOT NULL, po_number varchar(12) NOT NULL, line_number integer NOT NULL, item_code varchar(10),
    supplier_code varchar(8), description varchar(40), uom varchar(4), quantity_ordered numeric(18, 4),
    quantity_received numeric(18, 4), unit_price numeric(18, 6), currency char(3), order_date timestamp,
    promised_date timestamp, need_by_date timestamp, status varchar(10), buyer varchar(12), plant varchar(6),
    project varchar(10), weight_kg numeric(12, 3), pallets integer, PRIMARY KEY (po_number, line_number)
)"""
TYPED_ROWS = """
INSERT INTO {t}
SELECT i, 'PO' || lpad((i / 5)::text, 7, '0'), i % 5 + 1, 'ITM' || lpad((i % 20000)::text, 5, '0'),
       'SUP' || lpad((i % 300)::text, 3, '0'), 'Part ' || (i % 20000), 'EA', 100, 0, 1 + (i % 1000) / 10.0, 'EUR',
       timestamp '2026-10-01', timestamp '2027-02-01' + (i % 28) * interval '1 day', timestamp '2027-02-20', 'open',
       'buyer' || (i % 12), 'P' || (i % 4), CASE WHEN i % 3 > 0 THEN 'PRJ' || (i % 9) END,
       CASE WHEN i % 2 = 1 THEN (i % 50) * 1.5 END, i % 7
FROM generate_series({first}, {last}) AS i"""
# Night 1, as SQL: which lines it touches is a function of seq, so the expected counts come from the database.
SLIPPED = "(seq * 7 + 1) % 1000 < 20"
REPRICED = "seq % 1000 = 500"
CLOSED = "(seq * 13 + 1) % 1000 < 3"

AW_LINES = 884_500  # 100 copies of the 8,845 detail rows
AW_COPY_OFFSET = 10_000  # copy k of a purchase order: PurchaseOrderID + k * 10,000 (the data's ids are below it)
AW_NEW_LINE_OFFSET = 100_000  # a new line: a detail row copied with PurchaseOrderDetailID + 100,000 (likewise)
AW_QUERY = "SELECT * FROM po_lines_v"
# Night 1 on the AdventureWorks detail rows, as SQL over the key: the detail id and the copy the row belongs to (so
# that each copy has its own selection). Which lines a night touches is a function of the key, and the expected
# counts are the statements' row counts.
AW_COPY = f"PurchaseOrderID / {AW_COPY_OFFSET}"
AW_SLIPPED = f"(PurchaseOrderDetailID * 7 + {AW_COPY}) % 1000 < 20"
AW_RECEIVED = f"(PurchaseOrderDetailID * 11 + {AW_COPY}) % 1000 < 10"
AW_REPRICED = f"(PurchaseOrderDetailID * 3 + {AW_COPY}) % 1000 = 500"
AW_REMOVED = f"(PurchaseOrderDetailID * 13 + {AW_COPY}) % 1000 < 3"
AW_ADDED = f"(PurchaseOrderDetailID * 17 + {AW_COPY}) % 1000 < 5"
AW_NEW_PRICE = "round(UnitPrice * 1.05, 4)"
AW_NIGHT_1_CHANGES = f"""
UPDATE PurchaseOrderDetail SET
    DueDate = CASE WHEN {AW_SLIPPED} THEN strftime('%Y-%m-%d %H:%M:%f', DueDate, '+7 days') ELSE DueDate END,
    ReceivedQty = CASE WHEN {AW_RECEIVED} THEN ReceivedQty + 10 ELSE ReceivedQty END,
    StockedQty = CASE WHEN {AW_RECEIVED} THEN ReceivedQty + 10 - coalesce(RejectedQty, 0) ELSE StockedQty END,
    UnitPrice = CASE WHEN {AW_REPRICED} THEN {AW_NEW_PRICE} ELSE UnitPrice END,
    LineTotal = CASE WHEN {AW_REPRICED} THEN round({AW_NEW_PRICE} * OrderQty, 4) ELSE LineTotal END
WHERE {AW_SLIPPED} OR {AW_RECEIVED} OR ({AW_REPRICED} AND {AW_NEW_PRICE} <> UnitPrice)"""
# (a price that 5 % does not move at 4 decimals would be no change: such a row is left out unless it also slips or
# receives; a moved 4-decimal price differs at the 6 decimals potrack stores)
AW_NIGHT_1_NEW_LINES = f"""
INSERT INTO PurchaseOrderDetail (PurchaseOrderID, PurchaseOrderDetailID, DueDate, OrderQty, ProductID, UnitPrice,
                                 LineTotal, ReceivedQty, RejectedQty, StockedQty, ModifiedDate)
SELECT PurchaseOrderID, PurchaseOrderDetailID + {AW_NEW_LINE_OFFSET}, DueDate, OrderQty, ProductID, UnitPrice,
       LineTotal, 0, 0, 0, ModifiedDate
FROM PurchaseOrderDetail WHERE {AW_ADDED}"""


# The bare read: a process that imports only the driver and streams every row of the query, doing nothing else.
BARE_READ = """
import json, sys
url, query, count = sys.argv[1], sys.argv[2], 0
if url.startswith("sqlite"):
    import sqlite3
    for _ in sqlite3.connect(url.removeprefix("sqlite:///")).execute(query):
        count += 1
else:
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        cursor = conn.cursor(name="bare_read")  # server-side, as potrack reads (stream_results)
        cursor.itersize = 5000
        for _ in cursor.execute(query):
            count += 1
print(json.dumps({"rows": count}))
"""


def timed(argv: list[str], env: dict[str, str] | None = None) -> dict:
    """A whole process, start to exit: wall seconds, CPU seconds (user + system), peak RSS in MiB (GNU time's %U,
    %S and %M), exit code, what it printed."""
    began = time.perf_counter()
    timing = ["/usr/bin/time", "-f", "measured %M %U %S"]
    proc = subprocess.run([*timing, *argv], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - began
    err, _, last = proc.stderr.rstrip().rpartition("\n")
    kib, user, system = last.split()[1:] if last.startswith("measured ") else ("nan", "nan", "nan")
    return {
        "seconds": seconds,
        "cpu_seconds": float(user) + float(system),
        "peak_rss_mib": float(kib) / 1024,
        "exit": proc.returncode,
        "out": proc.stdout,
        "err": err,
    }


def sql_source(url: str, query: str, xref_query: str, custom: str) -> str:
    """potrack.toml's source named bench: an sql source read with canonical column names."""
    return f"""
[[sources]]
name = "bench"
kind = "sql"
url = "{url}"
query = "{query}"
custom_columns = {{ {custom} }}
xref = {{ query = "{xref_query}" }}
"""


def potrack_env(workdir: Path, source_toml: str) -> dict[str, str]:
    """A potrack.toml with this one source, and the environment that points the CLI at it."""
    (workdir / "potrack.toml").write_text(source_toml)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(
        POTRACK_INSTANCE=str(workdir / "instance"),
        POTRACK_CONFIG=str(workdir / "potrack.toml"),
        POTRACK_LOG_LEVEL="WARNING",
        POTRACK_TIMEZONE="UTC",
    )
    return env


def cli_run(env: dict[str, str], baseline: bool, profile: Path | None) -> dict:
    """`python -m potrack run` as a scheduler runs it (under py-spy when profiling)."""
    argv = [sys.executable, "-m", "potrack", "run", "--source", "bench", "--json", *(["--baseline"] * baseline)]
    if profile is not None:
        argv = [PY_SPY, "record", "--format", "raw", "--rate", "200", "--output", str(profile), "--", *argv]
    result = timed(argv, env)
    if result["exit"] not in (0, 3):  # 3: partial (the generator's bad rows)
        raise SystemExit(f"potrack run failed ({result['exit']}): {result['err'][-2000:]}")
    result["report"] = json.loads(next(line for line in result["out"].splitlines() if line.startswith("{")))
    return result


def read_in_child(url: str, query: str) -> dict:
    """The bare read in its own process, timed like the CLI."""
    result = timed([sys.executable, "-c", BARE_READ, url, query])
    result.update(json.loads(result["out"].strip().splitlines()[-1]))
    return result


Night = tuple[str, dict, dict, dict[str, int]]  # (name, the bare read, potrack's run, the counts it must report)


@dataclass
class Source:
    """One night of a shape's ERP: potrack.toml's source named bench, the URL and query the bare read streams, and
    the counts potrack's run must report."""

    toml: str
    url: str
    query: str
    expected: dict[str, int]


# A shape's ERP night by night: the generator builds night 0 and yields it, builds night 1 only when asked for the
# next, and cleans up what it made once closed.
Nights = Generator[Source, None, None]


def night(
    number: int, url: str, query: str, env: dict[str, str], expected: dict[str, int], profile: Path | None
) -> Night:
    """One night measured: the bare read of the query, then potrack's run (night 0 the baseline; under py-spy
    when `profile` is this night's samples file)."""
    read = read_in_child(url, query)
    run = cli_run(env, number == 0, profile if profile is not None and profile.stem == f"night{number}" else None)
    return f"night {number}", read, run, expected


def generator_shape(args: argparse.Namespace, workdir: Path) -> Nights:
    """bench/pipeline.py's ERP, a SQLite file a night; the counts are the generator's own."""
    query = "SELECT * FROM po_lines"
    xref = "SELECT item_code, internal_part_id FROM xref"
    for number in (0, 1):
        path = workdir / f"erp-night{number}.sqlite"
        path.unlink(missing_ok=True)
        counts = generate(path, args.lines, number, 1)
        url = f"sqlite:///{path}"
        toml = sql_source(url, query, xref, 'udf_1 = "text", udf_3 = "number"')
        yield Source(toml, url, query, {name: getattr(counts, name) for name in CHECKED})


def typed_nights(engine: sa.Engine, schema: str, lines: int) -> dict[str, int]:
    """Load night 0 of the typed table; returns night 1's expected counts once `typed_night_1` applies it."""
    table = f"{schema}.po_lines"
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        conn.execute(sa.text(TYPED_TABLE.format(t=table)))
        conn.execute(sa.text(TYPED_ROWS.format(t=table, first=0, last=lines - 1)))
        conn.execute(sa.text(f"CREATE TABLE {schema}.xref (item_code varchar(10), internal_part_id varchar(12))"))
        conn.execute(
            sa.text(
                f"INSERT INTO {schema}.xref SELECT 'ITM' || lpad(n::text, 5, '0'), 'PART' || lpad(n::text, 6, '0') "
                "FROM generate_series(0, 19999) AS n WHERE n % 97 > 0"
            )
        )
        conn.execute(sa.text(f"ANALYZE {table}"))
    return {"lines_new": lines, "lines_processed": lines}


def typed_night_1(engine: sa.Engine, schema: str, lines: int) -> dict[str, int]:
    """Night 1 on the typed table, in SQL; the counts potrack must report, read back from the database."""
    table = f"{schema}.po_lines"
    new = lines // 200
    with engine.begin() as conn:
        closed = conn.execute(sa.text(f"DELETE FROM {table} WHERE {CLOSED}")).rowcount
        changed = conn.execute(
            sa.text(
                f"UPDATE {table} SET promised_date = promised_date + interval '7 days', quantity_received = "
                f"quantity_received + CASE WHEN seq % 2 = 0 THEN 10 ELSE 0 END, unit_price = CASE WHEN {REPRICED} "
                f"THEN unit_price * 1.05 ELSE unit_price END WHERE {SLIPPED} OR {REPRICED}"
            )
        ).rowcount
        conn.execute(sa.text(TYPED_ROWS.format(t=table, first=lines, last=lines + new - 1)))
        total = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        conn.execute(sa.text(f"ANALYZE {table}"))
    return {"lines_processed": total, "lines_new": new, "lines_changed": changed, "lines_removed": closed, "errors": 0}


def typed_shape(args: argparse.Namespace, workdir: Path) -> Nights:
    """The typed table in a scratch schema of the PostgreSQL server, dropped afterwards."""
    schema = f"potrack_shape_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(args.pg_url)
    query = f"SELECT {', '.join(TYPED_COLUMNS)} FROM {schema}.po_lines"
    custom = 'project = "text", weight_kg = "number", pallets = "number"'
    try:
        print(f"loading {args.lines:,} typed lines into {schema} ...", file=sys.stderr)
        expected = typed_nights(engine, schema, args.lines)
        xref = f"SELECT item_code, internal_part_id FROM {schema}.xref"
        toml = sql_source(args.pg_url, query, xref, custom)
        yield Source(toml, args.pg_url, query, expected)
        yield Source(toml, args.pg_url, query, typed_night_1(engine, schema, args.lines))
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def aw_scale(erp: aw.AwErp, copies: int) -> dict[str, int]:
    """Copy every purchase order header and detail row `copies - 1` times, copy k with PurchaseOrderID + k *
    AW_COPY_OFFSET and every other column as it is, in SQL; night 0's counts, read back from the view."""
    con = sqlite3.connect(erp.path)
    with con:
        con.execute("CREATE TEMP TABLE copies (k INTEGER PRIMARY KEY)")
        con.executemany("INSERT INTO copies VALUES (?)", [(k,) for k in range(1, copies)])
        for table in ("PurchaseOrderHeader", "PurchaseOrderDetail"):
            columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
            values = [f"t.{c} + c.k * {AW_COPY_OFFSET}" if c == "PurchaseOrderID" else f"t.{c}" for c in columns]
            # CROSS JOIN keeps copies as the outer loop: the rows come in key order, appended to the clustered
            # table. SQLite reads the original rows in full before it inserts (the table is also the source).
            con.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM copies c CROSS JOIN {table} t"
            )
        total = con.execute(f"SELECT count(*) FROM ({AW_QUERY})").fetchone()[0]
    con.close()
    return {"lines_processed": total, "lines_new": total, "lines_changed": 0, "lines_removed": 0, "errors": 0}


def aw_night_1(erp: aw.AwErp) -> dict[str, int]:
    """Night 1 on the scaled ERP, in SQL: detail rows deleted, slipped, received and repriced, new ones inserted;
    the counts potrack must report are the statements' row counts and the view's rows."""
    con = sqlite3.connect(erp.path)
    with con:
        removed = con.execute(f"DELETE FROM PurchaseOrderDetail WHERE {AW_REMOVED}").rowcount
        changed = con.execute(AW_NIGHT_1_CHANGES).rowcount
        new = con.execute(AW_NIGHT_1_NEW_LINES).rowcount
        total = con.execute(f"SELECT count(*) FROM ({AW_QUERY})").fetchone()[0]
    con.close()
    return {"lines_processed": total, "lines_new": new, "lines_changed": changed, "lines_removed": removed, "errors": 0}


def adventureworks_shape(args: argparse.Namespace, workdir: Path) -> Nights:
    """The AdventureWorks view on a SQLite ERP built like the tests build it, scaled to about args.lines lines."""
    path = workdir / "adventureworks.sqlite"
    path.unlink(missing_ok=True)
    erp = aw.AwErp.build(aw.realdata_dir(), path)
    # No night has errors only if the tests' independent model finds every row of the data valid: a rejected row
    # would neither count as new nor as changed, and the night's SQL would not say what potrack must report.
    snapshot = erp.snapshot()
    rejected = aw.Model().apply(snapshot, erp.xref(), 1, True).rejections
    if rejected:
        raise SystemExit(f"the model rejects {len(rejected)} rows of the AdventureWorks data: {rejected[:3]}")
    copies = max(1, round(args.lines / len(snapshot.rows)))
    print(f"making {copies} copies of the {len(snapshot.rows):,} AdventureWorks lines ...", file=sys.stderr)
    expected = aw_scale(erp, copies)
    toml = aw.sql_source_toml("bench", erp)
    yield Source(toml, erp.url, AW_QUERY, expected)
    yield Source(toml, erp.url, AW_QUERY, aw_night_1(erp))


def top_functions(raw: Path, limit: int = 15) -> list[str]:
    """py-spy's raw samples (one collapsed stack a line, with its count) as the functions with the most samples."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0] + ")" for f in stack.split(";") if f]
        if not frames:
            continue
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    rows = [f"{'own %':>6} {'total %':>7}  function (file)"]
    for frame, n in own.most_common(limit):
        rows.append(f"{100 * n / samples:>6.1f} {100 * total[frame] / samples:>7.1f}  {frame}")
    return rows


Shape = Callable[[argparse.Namespace, Path], Nights]  # the ERP's nights, from args.lines (and args.pg_url)
SHAPES: dict[str, tuple[Shape, int]] = {  # the shape's nights, and its default number of lines
    "generator": (generator_shape, 1_000_000),
    "typed": (typed_shape, 1_000_000),
    "adventureworks": (adventureworks_shape, AW_LINES),
}


def measure(args: argparse.Namespace, workdir: Path) -> int:
    """Run the shape's nights and print the table; 1 when potrack's counts differ from what the nights changed."""
    profile = None if args.profile is None else workdir / f"night{args.profile}.pyspy"
    results = []
    with closing(SHAPES[args.shape][0](args, workdir)) as nights:  # each night measured before the next is built
        for number, source in enumerate(nights):
            env = potrack_env(workdir, source.toml)
            results.append(night(number, source.url, source.query, env, source.expected, profile))
    print(f"shape {args.shape}, {results[0][1]['rows']:,} lines (wall seconds of whole processes; peak RSS of each)")
    print(
        f"{'night':<9} {'rows':>10} {'read s':>7} {'potrack s':>9} {'ratio':>6} {'read MiB':>8} {'potrack MiB':>11}"
        f"   cpu s: read / potrack"
    )
    failures = []
    for name, read, run, expected in results:
        report = run["report"]
        print(
            f"{name:<9} {read['rows']:>10,} {read['seconds']:>7.2f} {run['seconds']:>9.2f} "
            f"{run['seconds'] / read['seconds']:>6.2f} {read['peak_rss_mib']:>8.0f} {run['peak_rss_mib']:>11.0f}"
            f"   {read['cpu_seconds']:.2f} / {run['cpu_seconds']:.2f}"
        )
        failures += [
            f"{name}: {k} = {report[k]}, the night's SQL says {v}" for k, v in expected.items() if report[k] != v
        ]
    for _, _, run, _ in results:
        print(json.dumps(run["report"]))
    if profile is not None:
        print(f"\n{profile.stem} under py-spy (200 samples/s; the run is slower while sampled):")
        print("\n".join(top_functions(profile)))
    if failures:
        print("COUNTS DO NOT MATCH:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=tuple(SHAPES), default="generator")
    parser.add_argument("--lines", type=int, help="about how many lines night 0 has (default: the shape's own)")
    parser.add_argument("--pg-url", default=PG_URL, help="SQLAlchemy URL of the PostgreSQL database (typed)")
    parser.add_argument("--keep", type=Path, help="keep generated files in this directory")
    parser.add_argument(
        "--profile", nargs="?", type=int, choices=(0, 1), const=1, help="sample night 1 (or 0) with py-spy"
    )
    args = parser.parse_args()
    if args.profile is not None and not Path(PY_SPY).exists():
        parser.error("--profile needs py-spy on PATH: pip install py-spy==0.4.3")
    args.lines = args.lines or SHAPES[args.shape][1]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="potrack-shapes-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / "instance", ignore_errors=True)  # every measurement starts with an empty store
    try:
        return measure(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
