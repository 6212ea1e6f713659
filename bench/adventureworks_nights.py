"""The AdventureWorks nights through the CLI: each night's metrics, checked against the tests' independent model.

    python bench/adventureworks_nights.py [--keep DIR]

Builds the ERP from the real AdventureWorks purchasing tables (tests/support/adventureworks.py: the `SELECT *` view
a DBA would write, potrack configured with renames), then runs, each as `python -m potrack run --json` in its own
process as a scheduler runs it: night 1 (the baseline), night 2 (slips, receipts, price changes, removals, new
lines, corrupt cells), night 3 (lines reappear, the corrupt rows fixed), night 4 (a re-baseline with receipts),
and the removal guard (the view empty). Prints one row per run and fails loudly when a run's metrics differ from
what the model computed from the snapshots.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import adventureworks as aw  # noqa: E402 - the tests' ERP builder, nights and model
from tests.support.store import METRICS  # noqa: E402

COLUMNS = tuple(m for m in METRICS if m != "retry_attempts")  # (a night of a database source retries nothing)


def run(workdir: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    """One `potrack run --json` in its own process; its exit code and report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(PYTHONPATH=str(ROOT), POTRACK_INSTANCE=str(workdir / "instance"))
    proc = subprocess.run(
        [sys.executable, "-m", "potrack", "run", "--json", "--source", "aw", *flags],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    [report] = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="build in this directory and keep it (default: a temporary one)")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return nights(args.keep)
    with tempfile.TemporaryDirectory(prefix="potrack-aw-") as workdir:
        return nights(Path(workdir))


def nights(workdir: Path) -> int:
    """Build the ERP in `workdir`, run the nights, print the table; 1 when a run differs from the model."""
    erp = aw.AwErp.build(aw.realdata_dir(), workdir / "adventureworks.sqlite")
    (workdir / "potrack.toml").write_text(aw.sql_source_toml("aw", erp), encoding="utf-8")
    model = aw.Model()
    rows: list[tuple[str, int, dict[str, Any]]] = []
    mismatches = []

    def night(name: str, *flags: str) -> None:
        snapshot, xref = erp.snapshot(), erp.xref()
        code, report = run(workdir, *flags)
        rows.append((name, code, report))
        if report["status"] == "failed":
            return
        expected = model.apply(snapshot, xref, report["run_id"], "--baseline" in flags or not model.lines)
        actual = {m: report[m] for m in METRICS}
        if actual != expected.metrics:
            mismatches.append(
                (name, {m: (expected.metrics[m], actual[m]) for m in METRICS if expected.metrics[m] != actual[m]})
            )

    night("1 baseline")
    n2 = aw.night_2(erp)
    night("2 incremental")
    aw.night_3(erp, n2)
    night("3 incremental")
    aw.night_4(erp, n2)
    night("4 --baseline", "--baseline")
    erp.delete_details(erp.detail_keys())
    night("5 view empty")

    print(f"{'night':<15} {'exit':>4} {'status':<8} {'s':>5} " + " ".join(f"{c:>{max(len(c), 6)}}" for c in COLUMNS))
    for name, code, report in rows:
        print(
            f"{name:<15} {code:>4} {report['status']:<8} {report['duration_s']:>5.2f} "
            + " ".join(f"{report[c]:>{max(len(c), 6)},}" for c in COLUMNS)
        )
    for name, _code, report in rows:
        if report["error"] or report["notes"]:
            print(f"{name}: error: {report['error']}; notes: {'; '.join(report['notes'])}")
    if mismatches:
        print(f"METRICS DIFFER FROM THE MODEL (expected, actual): {mismatches}", file=sys.stderr)
        return 1
    print("every run's metrics match the model computed from the snapshots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
