"""Peak memory of potrack's streaming reads, each measured in a fresh Python process so that its peak RSS (VmHWM)
is the read's alone: a change export (CSV or Excel) of a generated store, and an odbc source's read of generated PO
lines on the PostgreSQL server. bench/change_export.py and bench/odbc_extract.py print the same measurements.

The child runs this module: `python -m tests.support.memory --export URL FORMAT FIRST_RUN_ONLY HOLD` or
`--extract CONNECTION_STRING QUERY BATCH_SIZE`, and prints its result as one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import sqlalchemy as sa

from potrack import export as change_export
from potrack.config import SourceConfig
from potrack.store.changes import ChangeFilter, ChangeRow, iter_changes
from potrack.store.engine import ensure_schema, make_engine
from potrack.store.models import ChangeEvent, PoLine, Run
from tests.support import ROOT

UTC = dt.UTC
LINES = 20_000
FIRST_RUN_AT = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
SECOND_RUN_AT = FIRST_RUN_AT + dt.timedelta(days=1)
BATCH = 10_000


def memory_kib(field: str) -> int:
    """A line of /proc/self/status in KiB: VmRSS (now) or VmHWM (the peak so far) (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def in_child(*args: str, timeout: float = 600) -> dict:
    """Run this module in a fresh Python process and return the JSON object its last line prints."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.memory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed with exit code {proc.returncode}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _event(run_id: int, n: int) -> dict:
    po, line = f"PO{n % LINES // 4:06d}", n % LINES % 4 + 1
    field, old, new = [
        ("promised_date", "2026-12-01", f"2026-12-{2 + n % 27:02d}"),
        ("unit_price", "10.5", f"{10 + n % 7 * 0.25:.2f}"),
        ("status", "open", "partial"),
    ][n % 3]
    return {
        "run_id": run_id,
        "source": "memory",
        "po_number": po,
        "line_number": line,
        "kind": "changed",
        "field": field,
        "old_value": old,
        "new_value": new,
    }


def build_store(url: str, events: int) -> None:
    """The store the exports read: LINES lines, two runs, `events` change events (a tenth in the first run)."""
    engine = make_engine(url)
    ensure_schema(engine)
    with engine.begin() as conn:
        run_ids = [
            conn.execute(
                sa.insert(Run)
                .values(
                    source="memory",
                    trigger="schedule",
                    status="success",
                    baseline=False,
                    queued_at=at,
                    started_at=at,
                    finished_at=at,
                    duration_s=1.0,
                )
                .returning(Run.id)
            ).scalar_one()
            for at in (FIRST_RUN_AT, SECOND_RUN_AT)
        ]
        conn.execute(
            sa.insert(PoLine),
            [
                {
                    "source": "memory",
                    "po_number": f"PO{n // 4:06d}",
                    "line_number": n % 4 + 1,
                    "item_code": f"ITEM-{n % 900}",
                    "supplier_code": f"SUP{n % 40:03d}",
                    "quantity_ordered": 100.0,
                    "quantity_received": float(n % 100),
                    "unit_price": 10.5,
                    "promised_date": dt.date(2026, 12, 1),
                    "status": "open",
                    "buyer": f"buyer{n % 5}",
                    "plant": f"P{n % 3}",
                    "internal_part_id": f"PART-{n % 900}",
                    "digest": n,
                    "first_seen_run_id": run_ids[0],
                    "last_changed_run_id": run_ids[1],
                    "active": True,
                }
                for n in range(LINES)
            ],
        )
        first = events // 10
        for start in range(0, events, BATCH):
            conn.execute(
                sa.insert(ChangeEvent),
                [_event(run_ids[0] if n < first else run_ids[1], n) for n in range(start, min(events, start + BATCH))],
            )
    engine.dispose()


def export(url: str, fmt: str, first_run_only: bool, hold: bool) -> dict:
    """Export in this process to a temporary file: rows, bytes, seconds, RSS once ready and at the peak."""
    engine = make_engine(url)
    flt = ChangeFilter(until=SECOND_RUN_AT) if first_run_only else ChangeFilter()
    with engine.connect() as conn:
        conn.execute(sa.select(Run.id).limit(1)).all()  # the driver and the dialect are loaded: not the export's
        start_kib = memory_kib("VmRSS")
        began = time.perf_counter()
        read = list(iter_changes(conn, flt)) if hold else iter_changes(conn, flt)
        count = 0

        def rows() -> Iterator[ChangeRow]:
            nonlocal count
            for row in read:
                count += 1
                yield row

        with tempfile.TemporaryFile() as out:
            if fmt == "csv":
                for chunk in change_export.csv_chunks(rows(), UTC):
                    out.write(chunk.encode())
            else:
                for data in change_export.workbook_chunks(rows(), UTC):
                    out.write(data)
            size = out.tell()
        seconds = time.perf_counter() - began
    return {
        "rows": count,
        "bytes": size,
        "seconds": seconds,
        "rss_start_mib": start_kib / 1024,
        "rss_peak_mib": memory_kib("VmHWM") / 1024,
    }


def export_in_child(url: str, fmt: str, first_run_only: bool = False, hold: bool = False) -> dict:
    """export() in a fresh Python process, so that its peak RSS is the export's alone."""
    return in_child("--export", url, fmt, str(int(first_run_only)), str(int(hold)))


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
    source = OdbcSource(SourceConfig(name="memory", kind="odbc", connection_string=connection_string, query=query))
    start_kib = memory_kib("VmRSS")
    began = time.perf_counter()
    rows = largest = 0
    with source.open(batch_size) as snap:
        for batch in snap.batches:
            rows += len(batch)
            largest = max(largest, len(batch))
    return {
        "rows": rows,
        "seconds": time.perf_counter() - began,
        "largest_batch": largest,
        "rss_start_mib": start_kib / 1024,
        "rss_peak_mib": memory_kib("VmHWM") / 1024,
    }


def extract_in_child(connection_string: str, query: str, batch_size: int) -> dict:
    """extract() in a fresh Python process, so that its peak RSS is the read's alone."""
    return in_child("--extract", connection_string, query, str(batch_size))


def main(args: list[str]) -> int:
    if args[0] == "--export":
        url, fmt, first_only, hold = args[1:]
        print(json.dumps(export(url, fmt, first_only == "1", hold == "1")))
    else:
        connection_string, query, batch_size = args[1:]
        print(json.dumps(extract(connection_string, query, int(batch_size))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
