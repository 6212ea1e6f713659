"""Change export benchmark: seconds and peak RSS of exporting the change explorer's filtered set as Excel and CSV.

    python bench/change_export.py [--events 100000] [--store URL]

Builds a store (a SQLite file in a temporary directory unless --store names an empty database) with 20,000 PO
lines and two runs: the first holds a tenth of the change events, the second the rest (promised dates, prices and
statuses in turn). Each export runs in its own process, so its peak RSS is its own: the first run's events alone,
then all of them, as Excel and as CSV; then all of them held in a list first (what a non-streaming export would
need), for comparison. Growth is the peak RSS over the RSS once the store is open and the modules are loaded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.memory import in_child, memory_kib  # noqa: E402 - after the path to the project
from potrack import export as change_export  # noqa: E402
from potrack.store.changes import ChangeFilter, ChangeRow, iter_changes  # noqa: E402
from potrack.store.engine import ensure_schema, make_engine  # noqa: E402
from potrack.store.models import ChangeEvent, PoLine, Run  # noqa: E402

UTC = dt.UTC
LINES = 20_000
FIRST_RUN_AT = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
SECOND_RUN_AT = FIRST_RUN_AT + dt.timedelta(days=1)
BATCH = 10_000


def _event(run_id: int, n: int) -> dict:
    po, line = f"PO{n % LINES // 4:06d}", n % LINES % 4 + 1
    field, old, new = [
        ("promised_date", "2026-12-01", f"2026-12-{2 + n % 27:02d}"),
        ("unit_price", "10.5", f"{10 + n % 7 * 0.25:.2f}"),
        ("status", "open", "partial"),
    ][n % 3]
    return {
        "run_id": run_id,
        "source": "bench",
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
                    source="bench",
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
                    "source": "bench",
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
    return in_child(__file__, "--export", url, fmt, str(int(first_run_only)), str(int(hold)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--store", help="SQLAlchemy URL of an empty database (default: a SQLite file)")
    parser.add_argument("--export", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export:
        url, fmt, first_only, hold = args.export
        print(json.dumps(export(url, fmt, first_only == "1", hold == "1")))
        return 0
    with tempfile.TemporaryDirectory(prefix="potrack-export-bench-") as tmp:
        url = args.store or f"sqlite:///{os.path.join(tmp, 'store.db')}"
        began = time.perf_counter()
        build_store(url, args.events)
        print(
            f"built a store with {args.events:,} change events in {time.perf_counter() - began:.1f} s", file=sys.stderr
        )
        print(
            f"{'format':<6} {'what':<28} {'rows':>9} {'MB':>6} {'s':>6} {'rows/s':>8} {'peak RSS MiB':>12} "
            f"{'growth MiB':>10}"
        )
        for fmt, first_only, hold, what in [
            ("xlsx", True, False, "first run, streamed"),
            ("xlsx", False, False, "all, streamed"),
            ("csv", True, False, "first run, streamed"),
            ("csv", False, False, "all, streamed"),
            ("xlsx", False, True, "all, held in a list first"),
        ]:
            r = export_in_child(url, fmt, first_only, hold)
            print(
                f"{fmt:<6} {what:<28} {r['rows']:>9,} {r['bytes'] / 1e6:>6.1f} {r['seconds']:>6.2f} "
                f"{r['rows'] / r['seconds']:>8,.0f} {r['rss_peak_mib']:>12.0f} "
                f"{r['rss_peak_mib'] - r['rss_start_mib']:>10.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
