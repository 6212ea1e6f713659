"""ODBC extract benchmark: rows/s and peak RSS of the odbc source reading generated PO lines from PostgreSQL.

    python bench/odbc_extract.py [--rows 1000000] [--batch-sizes 1000,5000,20000] [--pg-url URL] [--odbc STRING]

Loads the rows into a scratch schema with one INSERT ... SELECT from generate_series, then reads them through
potrack's OdbcSource.open(batch_size) (its count query included), each read in its own process so that its peak
RSS is its own: every batch size with UseDeclareFetch=1 and Fetch=1000 and Fetch=<batch size>, then the default
batch size (5,000) with psqlODBC's default, no UseDeclareFetch (the whole result in client memory). Drops the
schema at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from services import quiet_odbcinst  # noqa: E402 - the tests' helper

from bench.memory import in_child, memory_kib  # noqa: E402 - after the path to the project
from potrack.config import SourceConfig  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_BATCH_SIZE = SourceConfig(name="bench", kind="odbc").batch_size  # when potrack.toml sets none
ODBC = "DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=5432;DATABASE=test;UID=postgres;"
PO_LINES = """
CREATE TABLE {table} (
    po_number text, line_number integer, item_code text, supplier_code text, description text, uom text,
    quantity_ordered numeric, quantity_received numeric, unit_price numeric, currency text, order_date date,
    promised_date date, need_by_date date, status text, buyer text, plant text, udf_1 text, udf_3 numeric
)"""
GENERATE = """
INSERT INTO {table}
SELECT 'PO' || lpad((g / 10)::text, 8, '0'), g % 10 + 1, 'ITEM-' || g % 5000, 'SUP' || g % 300,
       'generated purchase order line ' || g || ' for the extract benchmark', 'EA', 100 + g % 50, g % 100,
       round((g % 1000) / 7.0, 2), 'EUR', DATE '2026-10-01' + g % 60, DATE '2026-12-01' + g % 90,
       DATE '2026-12-05' + g % 90, CASE WHEN g % 10 = 0 THEN 'received' ELSE 'open' END, 'buyer' || g % 20,
       'P' || 100 + g % 5, 'project ' || g % 40, g % 13
FROM generate_series(1, :rows) g"""


def load_lines(conn: sa.Connection, table: str, rows: int) -> None:
    """Create `table` (the ERP's po_lines columns) and fill it with `rows` generated lines on the server."""
    conn.execute(sa.text(PO_LINES.format(table=table)))
    conn.execute(sa.text(GENERATE.format(table=table)), {"rows": rows})


def extract(connection_string: str, query: str, batch_size: int) -> dict:
    """Read the query through OdbcSource in this process: rows, seconds, largest batch, RSS at start and peak."""
    import pyodbc

    from potrack.sources.odbc import OdbcSource

    pyodbc.connect(connection_string).close()  # loads the driver and libpq first: their memory is not the read's
    source = OdbcSource(SourceConfig(name="bench", kind="odbc", connection_string=connection_string, query=query))
    start_kib = memory_kib("VmRSS")
    began = time.perf_counter()
    rows = largest = 0
    with source.open(batch_size) as snap:
        for batch in snap.batches:
            rows += len(batch)
            largest = max(largest, len(batch))
    return {
        "rows": rows,
        "rows_total": snap.rows_total,
        "seconds": time.perf_counter() - began,
        "largest_batch": largest,
        "rss_start_mib": start_kib / 1024,
        "rss_peak_mib": memory_kib("VmHWM") / 1024,
    }


def extract_in_child(connection_string: str, query: str, batch_size: int) -> dict:
    """extract() in a fresh Python process, so that its peak RSS is the read's alone."""
    return in_child(__file__, "--extract", connection_string, query, str(batch_size))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-sizes", default="1000,5000,20000")
    parser.add_argument("--pg-url", default=PG_URL, help="SQLAlchemy URL of the database that holds the rows")
    parser.add_argument("--odbc", default=ODBC, help="ODBC connection string of the same database")
    parser.add_argument(
        "--extract", nargs=3, metavar=("CONNECTION_STRING", "QUERY", "BATCH_SIZE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.extract:
        conn_str, query, batch_size = args.extract
        print(json.dumps(extract(conn_str, query, int(batch_size))))
        return 0

    if "ODBCSYSINI" not in os.environ:  # Debian's psqlODBC logs every process to /tmp otherwise
        os.environ["ODBCSYSINI"] = str(quiet_odbcinst(Path(tempfile.mkdtemp(prefix="potrack-odbcinst-"))))
    schema = f"potrack_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(args.pg_url)
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    query = f"SELECT * FROM {schema}.po_lines"
    try:
        began = time.perf_counter()
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            load_lines(conn, f"{schema}.po_lines", args.rows)
        print(f"loaded {args.rows:,} rows in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        runs = [(b, f"UseDeclareFetch=1;Fetch={f};") for b in batch_sizes for f in sorted({1000, b})]
        runs.append((DEFAULT_BATCH_SIZE, ""))
        print(
            f"{'batch_size':>10}  {'connection string adds':<31} {'rows':>10} {'s':>6} {'rows/s':>9} "
            f"{'peak RSS MiB':>12} {'growth MiB':>10}"
        )
        for batch_size, extra in runs:
            r = extract_in_child(args.odbc + extra, query, batch_size)
            if (r["rows"], r["rows_total"], r["largest_batch"]) != (args.rows, args.rows, batch_size):
                raise SystemExit(
                    f"read {r['rows']:,} rows (count {r['rows_total']}, largest batch "
                    f"{r['largest_batch']:,}); expected {args.rows:,} in batches of {batch_size:,}"
                )
            print(
                f"{batch_size:>10,}  {extra or '(nothing: psqlODBC default)':<31} {r['rows']:>10,} "
                f"{r['seconds']:>6.2f} {r['rows'] / r['seconds']:>9,.0f} {r['rss_peak_mib']:>12.0f} "
                f"{r['rss_peak_mib'] - r['rss_start_mib']:>10.1f}"
            )
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
