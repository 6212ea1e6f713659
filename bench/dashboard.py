"""Dashboard benchmark: server time of the monitor's list callback, the trends callback and a card's expansion
on a big store.

    python bench/dashboard.py [--runs 100000] [--changes 50000] [--repeat 10] [--keep DIR]

Builds a SQLite store (the real schema, by migration) with `--runs` runs over about three years of four sources
(bulk inserts; a realistic mix of triggers and statuses: mostly success, some partial, a few failed and
abandoned), plus one run — the newest — with `--changes` change events, rejected rows, unmapped codes and
retried attempts. Then, with that store installed as the app's runtime, it calls the page callbacks as Dash
would (pages.runs.refresh_runs, pages.trends.refresh_trends, pages.runs.toggle_card) and times each call and
the JSON encoding of its answer (what Dash sends back): median and max of `--repeat` calls after one warm-up.
Targets (issue 4): list and trends under 200 ms, expanding the 50,000-change run under 300 ms.
Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.utils  # noqa: E402
import sqlalchemy as sa  # noqa: E402

UTC = dt.UTC
# name, runs a day (a few schedules: every 30 min, hourly, every 90 min, nightly)
SOURCES = (("erp-eu", 48), ("erp-us", 24), ("erp-apac", 16), ("legacy-csv", 1))
STATUS_MIX = (("success", 0.905), ("partial", 0.06), ("failed", 0.03), ("abandoned", 0.005))
TRIGGER_MIX = (("schedule", 0.96), ("manual", 0.03), ("retry", 0.01))
TARGETS_MS = {"list": 200, "trends": 200, "expand": 300}
CONFIG = "".join(f'[[sources]]\nname = "{name}"\nkind = "demo"\nschedule = "0 2 * * *"\n\n' for name, _ in SOURCES)


def pick(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    x, total = rng.random(), 0.0
    for value, share in mix:
        total += share
        if x < total:
            return value
    return mix[-1][0]


def run_rows(n: int, now: dt.datetime, seed: int = 4) -> list[dict[str, Any]]:
    """n finished runs of the sources, oldest first, spread over the time their schedules need (about 3 years)."""
    rng = random.Random(seed)
    per_day = sum(rate for _, rate in SOURCES)
    days = n / per_day
    start = now - dt.timedelta(days=days)
    weights = [rate for _, rate in SOURCES]
    names = [name for name, _ in SOURCES]
    size = {name: rng.randint(20_000, 150_000) for name in names}
    rows = []
    for i in range(n):
        source = rng.choices(names, weights)[0]
        queued = start + dt.timedelta(days=days * i / n, seconds=rng.randint(0, 30))
        status = pick(rng, STATUS_MIX)
        lines = size[source] + int(size[source] * 0.1 * i / n) + rng.randint(-200, 200)
        failed = status in ("failed", "abandoned")
        duration = round(rng.uniform(0.5, 4.0) * lines / 10_000, 2)
        row = {
            "source": source,
            "trigger": pick(rng, TRIGGER_MIX),
            "status": status,
            "baseline": i < len(names),
            "requested_by": None,
            "queued_at": queued,
            "started_at": queued + dt.timedelta(seconds=1),
            "finished_at": queued + dt.timedelta(seconds=1 + duration),
            "duration_s": duration,
            "stage": "commit" if not failed else "extract",
            "rows_done": 0 if failed else lines,
            "rows_total": None if failed else lines,
            "heartbeat_at": queued + dt.timedelta(seconds=duration),
            "lines_processed": 0 if failed else lines,
            "lines_new": 0 if failed else rng.randint(0, lines // 200),
            "lines_changed": 0 if failed else rng.randint(0, lines // 50),
            "lines_removed": 0,
            "change_events": 0 if failed else rng.randint(0, lines // 40),
            "batches_reconstructed": 0 if failed else rng.randint(0, lines // 300),
            "custom_values": 0,
            "xref_gaps": 0 if failed else rng.randint(0, 60),
            "errors": {"partial": rng.randint(1, 80), "failed": 1, "abandoned": 0}.get(status, 0),
            "retry_attempts": rng.choice((3, 5)) if status == "failed" else 0,
            "error": (
                "extract: OperationalError: connection to the ERP timed out"
                if status == "failed"
                else "abandoned: no heartbeat for 5 minutes"
                if status == "abandoned"
                else None
            ),
            "error_stage": "extract" if status == "failed" else None,
            "check_problems": None,
        }
        rows.append(row)
    return rows


def build_store(path: Path, runs: int, changes: int) -> tuple[int, float]:
    """The store with `runs` runs and one more with `changes` change events; returns (its id, seconds)."""
    from potrack.store.engine import ensure_schema, make_engine
    from potrack.store.models import ChangeEvent, FailedRow, RetryAttempt, Run, UnmappedCode

    began = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    now = dt.datetime.now(UTC).replace(microsecond=0)
    rows = run_rows(runs, now - dt.timedelta(hours=1))
    with engine.begin() as conn:
        for i in range(0, len(rows), 10_000):
            conn.execute(sa.insert(Run), rows[i : i + 10_000])
        big = dict(
            rows[-1],
            source=SOURCES[0][0],
            status="partial",
            trigger="manual",
            baseline=False,
            queued_at=now - dt.timedelta(minutes=20),
            started_at=now - dt.timedelta(minutes=20),
            finished_at=now - dt.timedelta(minutes=18),
            duration_s=120.0,
            lines_processed=180_000,
            lines_changed=changes // 2,
            change_events=changes,
            errors=40,
            retry_attempts=2,
            xref_gaps=120,
            error=None,
            error_stage=None,
        )
        big_id = conn.execute(sa.insert(Run).values(**big).returning(Run.id)).scalar_one()
        fields = ("promised_date", "unit_price", "quantity_received", "need_by_date", "status", "udf_project")
        events = [
            {
                "run_id": big_id,
                "source": big["source"],
                "po_number": f"PO{n // 4:07d}",
                "line_number": n % 4 + 1,
                "kind": "changed",
                "field": fields[n % len(fields)],
                "old_value": f"2026-11-{n % 28 + 1:02d}",
                "new_value": f"2026-12-{n % 28 + 1:02d}",
            }
            for n in range(changes)
        ]
        for i in range(0, len(events), 10_000):
            conn.execute(sa.insert(ChangeEvent), events[i : i + 10_000])
        conn.execute(
            sa.insert(UnmappedCode),
            [{"run_id": big_id, "item_code": f"ITM-{n:05d}", "line_count": n % 9 + 1} for n in range(120)],
        )
        conn.execute(
            sa.insert(FailedRow),
            [
                {
                    "run_id": big_id,
                    "source": big["source"],
                    "stage": "validate",
                    "row_key": f"PO{n:07d}/1",
                    "raw_data": json.dumps({"po_number": f"PO{n:07d}", "line_number": 1, "quantity_ordered": "n/a"}),
                    "error": "quantity_ordered: not a number: 'n/a'",
                }
                for n in range(40)
            ],
        )
        conn.execute(
            sa.insert(RetryAttempt),
            [
                {
                    "run_id": big_id,
                    "attempt": n,
                    "error": "OperationalError: connection refused",
                    "transient": True,
                    "wait_s": 2.0 * n,
                    "at": big["started_at"],
                }
                for n in (1, 2)
            ],
        )
    engine.dispose()
    return big_id, time.perf_counter() - began


def install(workdir: Path, store: Path) -> None:
    """Install the store and a configuration with its sources as the app's runtime (display time zone UTC)."""
    (workdir / "potrack.toml").write_text(CONFIG, encoding="utf-8")
    for name in [n for n in os.environ if n.startswith("POTRACK_")]:
        del os.environ[name]
    os.environ.update(
        POTRACK_CONFIG=str(workdir / "potrack.toml"),
        POTRACK_INSTANCE=str(workdir / "instance"),
        POTRACK_DATABASE_URL=f"sqlite:///{store}",
        POTRACK_TIMEZONE="UTC",
        POTRACK_LOG_LEVEL="WARNING",
    )
    from potrack import runtime

    runtime.install(runtime.start())


def answer_json(result: Any) -> str:
    """What Dash sends back: the outputs encoded with plotly's JSON encoder."""
    return json.dumps(result, cls=plotly.utils.PlotlyJSONEncoder)


def timed(call: Callable[[], Any], repeat: int) -> tuple[list[float], list[float], int]:
    """(callback ms, callback + JSON ms, answer bytes) of each call, after one warm-up call."""
    answer_json(call())
    calls, totals, size = [], [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        middle = time.perf_counter()
        size = len(answer_json(result))
        calls.append((middle - began) * 1000)
        totals.append((time.perf_counter() - began) * 1000)
    return calls, totals, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the store in this directory and keep it")
    args = parser.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="potrack-bench-dashboard-"))
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / f"dashboard-{args.runs}-{args.changes}.db"
    try:
        if not store.exists():
            big_id, seconds = build_store(store, args.runs, args.changes)
            print(
                f"store: {args.runs:,} runs + 1 run with {args.changes:,} change events, built in {seconds:.1f} s "
                f"({store.stat().st_size / 2**20:.0f} MiB)"
            )
        install(workdir, store)

        import app  # noqa: F401  (builds the Dash app and registers the pages, as `python app.py` does)
        from pages.runs import refresh_runs, toggle_card
        from pages.trends import DEFAULT_DAYS, refresh_trends
        from potrack import runtime
        from potrack.store.models import Run

        with runtime.engine().connect() as conn:
            big_id = conn.execute(sa.select(sa.func.max(Run.id))).scalar_one()
            first, last = conn.execute(sa.select(sa.func.min(Run.queued_at), sa.func.max(Run.queued_at))).one()
        today = last.date()
        month_ago = (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        year_ago = (today - dt.timedelta(days=365)).isoformat()
        source = SOURCES[0][0]

        def listing(search: str) -> Callable[[], Any]:
            return lambda: refresh_runs(search, [], None, None, [])

        def trends(start: str | None, end: str | None) -> Callable[[], Any]:
            return lambda: refresh_trends(start, end, source)

        cases: list[tuple[str, str, Callable[[], Any]]] = [
            ("list", "/runs (newest 50 of all)", listing("")),
            ("list", "/runs?status=failed,abandoned", listing("?status=failed,abandoned")),
            (
                "list",
                f"/runs?source={source}&start=…&end=… (a year)",
                listing(f"?source={source}&start={year_ago}&end={today}"),
            ),
            ("list", "/runs?page=1000 (a deep page)", listing("?page=1000")),
            ("trends", f"/trends {source}, last {DEFAULT_DAYS} days (default)", trends(month_ago, today.isoformat())),
            ("trends", f"/trends {source}, a year", trends(year_ago, today.isoformat())),
            ("trends", f"/trends {source}, all {(last - first).days / 365:.1f} years", trends(None, None)),
            (
                "expand",
                f"expand run #{big_id} ({args.changes:,} change events)",
                lambda: toggle_card(1, False, {"type": "run-summary", "index": big_id}),
            ),
        ]
        print(
            f"\nserver time in ms, {args.repeat} calls each (median / max); "
            "'+ JSON' adds encoding the answer as Dash does\n"
        )
        header = f"{'callback':<8} {'case':<46} {'median':>8} {'max':>8} {'+ JSON':>8} {'answer':>9} {'target':>7}"
        print(header)
        print("-" * len(header))
        missed = []
        for kind, label, call in cases:
            calls, totals, size = timed(call, args.repeat)
            median = statistics.median(totals)
            ok = median < TARGETS_MS[kind]
            if not ok:
                missed.append(label)
            print(
                f"{kind:<8} {label:<46} {statistics.median(calls):8.1f} {max(calls):8.1f} {median:8.1f} "
                f"{size / 1024:7.0f} KB {'<' + str(TARGETS_MS[kind]):>6}{'' if ok else ' MISSED'}"
            )
        print("\nall targets met (median with JSON)" if not missed else f"\nmissed: {'; '.join(missed)}")
        return 1 if missed else 0
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
