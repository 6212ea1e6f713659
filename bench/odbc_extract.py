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
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from potrack.config import SourceConfig  # noqa: E402

# The measurement (generated lines, the read, child process) is the one the memory tests make.
from tests.support.memory import extract_in_child, load_lines  # noqa: E402
from tests.support.services import quiet_odbcinst  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_BATCH_SIZE = SourceConfig(name="bench", kind="odbc").batch_size  # when potrack.toml sets none
ODBC = "DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=5432;DATABASE=test;UID=postgres;"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-sizes", default="1000,5000,20000")
    parser.add_argument("--pg-url", default=PG_URL, help="SQLAlchemy URL of the database that holds the rows")
    parser.add_argument("--odbc", default=ODBC, help="ODBC connection string of the same database")
    args = parser.parse_args()
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
            if (r["rows"], r["largest_batch"]) != (args.rows, batch_size):
                raise SystemExit(
                    f"read {r['rows']:,} rows (largest batch {r['largest_batch']:,}); expected {args.rows:,} in "
                    f"batches of {batch_size:,}"
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
