"""Pipeline benchmark: a generated N-line ERP, a baseline night and an incremental night.

    python bench/pipeline.py --lines 100000 [--nights 1] [--keep DIR]

Each phase runs in its own process so its peak RSS is its own. The bare-read reference
streams both snapshots with the stdlib sqlite3 module and merge-diffs them by key; potrack's
runs must report exactly the generator's counts, or the benchmark fails loudly (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from potrack.pipeline.outcome import RunMetrics  # noqa: E402 - after the path to the project

COLUMNS = (
    "po_number",
    "line_number",
    "item_code",
    "supplier_code",
    "description",
    "uom",
    "quantity_ordered",
    "quantity_received",
    "unit_price",
    "currency",
    "order_date",
    "promised_date",
    "need_by_date",
    "status",
    "buyer",
    "plant",
    "udf_1",
    "udf_3",
)
CHANGED_PER_MILLE = 20  # 2 % of lines change each night
REMOVED_PER_MILLE = 3  # 0.3 % are closed
NEW_PER_MILLE = 5  # 0.5 % are new
BAD_ROWS = 36  # a few dozen bad rows a night
UNMAPPED_EVERY = 97  # item codes divisible by this have no xref mapping


# The metrics the generator counts itself; each run must report exactly these.
CHECKED = (
    "lines_processed",
    "lines_new",
    "lines_changed",
    "lines_removed",
    "change_events",
    "batches_reconstructed",
    "errors",
)


def _changed(i: int, night: int) -> bool:
    return (i * 7 + night) % 1000 < CHANGED_PER_MILLE


def _removed_at(i: int, lines: int, nights: int) -> int | None:
    """The night an original line is closed, if it is within the benchmark's nights."""
    if i >= lines:
        return None
    return next((m for m in range(1, nights + 1) if (i * 13 + m) % 1000 < REMOVED_PER_MILLE), None)


def _created(i: int, lines: int) -> int:
    per_night = lines * NEW_PER_MILLE // 1000
    return 0 if i < lines else (i - lines) // per_night + 1


def _row(i: int, created: int, night: int) -> tuple:
    """Line i as of a night: each change slips the promised date a week, every other one adds a receipt."""
    slips = sum(1 for m in range(created + 1, night + 1) if _changed(i, m))
    received = 10.0 * slips if i % 2 == 0 else 0.0
    promised = f"2027-{2 + slips // 4:02d}-{1 + 7 * (slips % 4):02d}"
    return (
        f"PO{i // 5:07d}",
        i % 5 + 1,
        f"ITM{i % 20000:05d}",
        f"SUP{i % 300:03d}",
        f"Part {i % 20000}",
        "EA",
        100.0,
        received,
        round(1 + (i % 1000) / 10, 2),
        "EUR",
        "2026-10-01",
        promised,
        "2027-02-20",
        "open",
        f"buyer{i % 12}",
        f"P{i % 4}",
        f"PRJ{i % 9}" if i % 3 else None,
        float(i % 50) if i % 2 else None,
    )


def generate(path: Path, lines: int, night: int, nights: int) -> RunMetrics:
    """Write the ERP snapshot of a night (night 0 is the baseline) and return what changed in it."""
    exp = RunMetrics()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(f"CREATE TABLE po_lines ({', '.join(COLUMNS)})")
    con.execute("CREATE TABLE xref (item_code TEXT, internal_part_id TEXT)")
    con.executemany(
        "INSERT INTO xref VALUES (?, ?)", [(f"ITM{n:05d}", f"PART{n:06d}") for n in range(20000) if n % UNMAPPED_EVERY]
    )
    total = lines + (lines * NEW_PER_MILLE // 1000) * night
    bad_every = max(1, lines // BAD_ROWS)

    def rows():
        for i in range(total):
            created, removed = _created(i, lines), _removed_at(i, lines, nights)
            if removed is not None and removed <= night:
                exp.lines_removed += removed == night
                continue
            row = _row(i, created, night)
            exp.lines_processed += 1
            never_changes = not any(_changed(i, m) for m in range(1, nights + 1))
            if night == 0 or created == night:
                exp.lines_new += 1
            elif i % bad_every == night % bad_every and never_changes and exp.errors < BAD_ROWS:
                # A bad row on a line that never changes: the stored line stays, next night it is fine again.
                exp.errors += 1
                row = row[:6] + ("bad",) + row[7:]
            elif _changed(i, night):
                exp.lines_changed += 1
                exp.change_events += 1 + (i % 2 == 0)
                exp.batches_reconstructed += i % 2 == 0
            yield row

    con.executemany(f"INSERT INTO po_lines VALUES ({', '.join('?' * len(COLUMNS))})", rows())
    con.commit()
    con.close()
    exp.change_events += exp.lines_removed
    return exp


def reference(paths: list[Path]) -> dict:
    """Bare read: stream two snapshots ordered by key with sqlite3 and merge-diff them (rows new, gone or different)."""
    start, cpu = time.perf_counter(), time.process_time()
    query = "SELECT * FROM po_lines ORDER BY po_number, line_number"
    old_rows, new_rows = (sqlite3.connect(p).execute(query) for p in paths[:2])
    old, new = next(old_rows, None), next(new_rows, None)
    differing = 0
    while old is not None or new is not None:
        if new is None or (old is not None and old[:2] < new[:2]):
            differing, old = differing + 1, next(old_rows, None)
        elif old is None or new[:2] < old[:2]:
            differing, new = differing + 1, next(new_rows, None)
        else:
            differing += old != new
            old, new = next(old_rows, None), next(new_rows, None)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "differing": differing}


def use_bench_source(workdir: Path, erp: Path) -> None:
    """Point potrack (instance, potrack.toml) at one sql source named bench reading a generated ERP."""
    os.environ["POTRACK_INSTANCE"] = str(workdir / "instance")
    os.environ["POTRACK_CONFIG"] = str(workdir / "potrack.toml")
    (workdir / "potrack.toml").write_text(f"""
[[sources]]
name = "bench"
kind = "sql"
url = "sqlite:///{erp}"
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ query = "SELECT item_code, internal_part_id FROM xref" }}
""")


def phase(workdir: Path, erp: Path, baseline: bool) -> dict:
    """One potrack run in this process (called in a child process)."""
    use_bench_source(workdir, erp)
    from potrack.pipeline.runner import Pipeline
    from potrack.runtime import start

    runtime = start()
    began, cpu = time.perf_counter(), time.process_time()
    report = Pipeline(runtime.settings, runtime.engine).run("bench", trigger="cli", baseline=baseline)
    return {
        "seconds": time.perf_counter() - began,
        "cpu_seconds": time.process_time() - cpu,
        "report": report.as_json(),
    }


def _child(args: list[str]) -> dict:
    """Run a phase in a child process; returns its JSON output and its peak RSS in MiB."""
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate()
    _, status, usage = (
        os.wait4(proc.pid, 0) if proc.returncode is None else (0, 0, resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    if proc.returncode != 0:
        raise SystemExit(f"phase {args} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mib"] = result.pop("own_peak_rss_mib", usage.ru_maxrss / 1024)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--nights", type=int, default=1, help="incremental nights after the baseline")
    parser.add_argument("--keep", type=Path, help="keep generated files in this directory")
    parser.add_argument("--phase", choices=("baseline", "incremental", "reference"), help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--erp", type=Path, nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = (
            reference(args.erp) if args.phase == "reference" else phase(args.dir, args.erp[0], args.phase == "baseline")
        )
        result["own_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="potrack-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / "instance", ignore_errors=True)  # every benchmark starts with an empty store
    try:
        print(f"generating {args.lines:,} lines and {args.nights} night(s) in {workdir} ...", file=sys.stderr)
        erps = [workdir / f"erp-night{n}.sqlite" for n in range(args.nights + 1)]
        for p in erps:
            p.unlink(missing_ok=True)
        expected = [generate(p, args.lines, n, args.nights) for n, p in enumerate(erps)]
        ref = _child(["--phase", "reference", "--erp", *map(str, erps[:2])])
        base = _child(["--phase", "baseline", "--dir", str(workdir), "--erp", str(erps[0])])
        nights = [_child(["--phase", "incremental", "--dir", str(workdir), "--erp", str(p)]) for p in erps[1:]]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    failures = []
    for exp, result in zip(expected, [base, *nights], strict=True):
        report = result["report"]
        for name in CHECKED:
            want = getattr(exp, name)
            if report[name] != want:
                failures.append(f"run #{report['run_id']}: {name} = {report[name]}, generator says {want}")
    print(
        f"{'N':>10} {'ref s':>7} {'base s':>7} {'base MiB':>9} {'incr s':>7} {'incr MiB':>9} {'incr/ref':>8} "
        f"{'rows/s':>9}   (cpu s: ref / base / incr)"
    )
    for night in nights:
        print(
            f"{args.lines:>10,} {ref['seconds']:>7.2f} {base['seconds']:>7.2f} {base['peak_rss_mib']:>9.0f} "
            f"{night['seconds']:>7.2f} {night['peak_rss_mib']:>9.0f} {night['seconds'] / ref['seconds']:>8.2f} "
            f"{night['report']['lines_processed'] / night['seconds']:>9,.0f}   "
            f"({ref['cpu_seconds']:.2f} / {base['cpu_seconds']:.2f} / {night['cpu_seconds']:.2f})"
        )
    print(f"reference peak RSS {ref['peak_rss_mib']:.0f} MiB")
    for result in [base, *nights]:
        print(json.dumps(result["report"]))
    if failures:
        print("METRICS DO NOT MATCH THE GENERATOR:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
