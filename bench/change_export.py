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
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The measurement (store, export, child process) is the one the memory tests make.
from tests.support.memory import build_store, export_in_child  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--store", help="SQLAlchemy URL of an empty database (default: a SQLite file)")
    args = parser.parse_args()
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
