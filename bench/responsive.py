"""Is the dashboard responsive while a big run executes? Times the monitor's list callback during one.

    python bench/responsive.py [--shape generator|typed|adventureworks] [--lines N] [--pg-url URL] [--keep DIR]

The ERP is night 0 of the shape, built by bench/shapes.py (with the shape's default number of lines unless --lines
says otherwise). The run executes in a worker thread of the same process, as the app's dispatcher runs it; the
monitor's list callback is called every 100 ms from the main thread, as Dash would on a request.
Prints the callback's median, 95th percentile and maximum while the run was in progress, by stage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.shapes import PG_URL, SHAPES, potrack_env  # noqa: E402 - after the path to the project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=tuple(SHAPES), default="generator")
    parser.add_argument("--lines", type=int, help="about how many lines the ERP has (default: the shape's own)")
    parser.add_argument("--pg-url", default=PG_URL, help="SQLAlchemy URL of the PostgreSQL database (typed)")
    parser.add_argument("--keep", type=Path, help="keep generated files in this directory")
    args = parser.parse_args()
    args.lines = args.lines or SHAPES[args.shape][1]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="potrack-responsive-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / "instance", ignore_errors=True)
    try:
        # Closed once the run is over: the typed shape drops its scratch schema then, not before.
        with closing(SHAPES[args.shape][0](args, workdir)) as nights:
            print(f"building the {args.shape} ERP, about {args.lines:,} lines ...", file=sys.stderr)
            source = next(nights)  # night 0 only: a first run on an empty store
            os.environ.update(potrack_env(workdir, source.toml), POTRACK_SCHEDULER="off")
            import app  # noqa: F401 - builds the Dash app and registers its pages
            from pages.runs import refresh_runs
            from potrack.pipeline.runner import Pipeline
            from potrack.runtime import install, start
            from potrack.store.models import Run
            from tests.support.runs import queue_run

            runtime = start()
            install(runtime)
            with runtime.engine.begin() as conn:
                run_id = queue_run(conn, "bench", "manual")
            worker = threading.Thread(target=Pipeline(runtime.settings, runtime.engine).execute, args=(run_id,))
            began = time.perf_counter()
            worker.start()
            timings: dict[str, list[float]] = defaultdict(list)
            import sqlalchemy as sa

            while worker.is_alive():
                with runtime.engine.connect() as conn:  # no stage: queued or starting, or the run has ended
                    stage = conn.execute(sa.select(Run.stage).where(Run.id == run_id)).scalar() or "no stage"
                start = time.perf_counter()
                refresh_runs("", [], None, None, [])
                timings[stage].append((time.perf_counter() - start) * 1000)
                time.sleep(0.1)
            worker.join()
            run_seconds = time.perf_counter() - began
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    every = [t for values in timings.values() for t in values]
    print(
        f"a {source.expected['lines_processed']:,}-line run took {run_seconds:.1f} s; the monitor's list callback, "
        f"called {len(every)} times during it:"
    )
    print(f"{'stage':>10} {'calls':>6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for stage, values in [*timings.items(), ("all", every)]:
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{stage:>10} {len(values):>6} {statistics.median(values):>10.1f} {p95:>8.1f} {max(values):>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
