"""End to end on real ERP data: Microsoft's AdventureWorks purchasing tables (8,845 PO lines) in a SQLite ERP, read
through the `SELECT *` view a DBA would write, night after night through the CLI into a real store.

What potrack must do with it, every expectation computed by the test's own model (tests/support/adventureworks.py)
from the snapshots the test wrote:
- Night 1, the first run, is a baseline: every line stored with canonical values (ints as text, padded nchar codes
  stripped, DATETIME text as its date, the status from StatusText, not the view's numeric Status, which a note
  says is ignored), part ids from the xref query, custom columns under their lower-cased names, one receipt batch
  per received line, no change events.
- Night 2: slips, receipts, price changes, removals and new lines become exactly their change events and batches;
  a received quantity that only moves in the 7th decimal is no change; every corrupt cell (NUL, control
  character, over-long text, negative quantity, a non-date, a too-big line id, a 70-character PO, a number with a
  thousands separator) rejects its row alone, the run is partial (exit 3), and a rejected row on an active line
  leaves that line exactly as it was.
- Night 3: removed lines come back as new ('reappeared'), keep their first run, and get a batch for the rise over
  their last stored quantity only; the fixed rows are applied.
- Night 4, a re-baseline: no events, batches only for real rises (nothing re-recorded).
- A snapshot that would remove more than half of the active lines fails the run and changes nothing, unless
  --accept-removals.
- The same nights exported as cp1252 CSV files, with an undecodable row, a row with a surplus cell and a 5 MB
  cell: each rejects only its row, located by file and line.
The invariant holds after every night: a line whose received quantity never went down has batches summing to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import app
from potrack.auth.tokens import create_token
from potrack.pipeline.runner import Pipeline
from tests.support import adventureworks as aw
from tests.support.adventureworks import AwErp, Model, Outcome, Rejection, Snapshot
from tests.support.cli import run_cli
from tests.support.store import METRICS, batches, events, failed_rows, lines, metrics, run_row, store_rows
from tests.support.uploads import post_upload
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

SOURCE = "aw"
SHOWN = 20  # differences shown per comparison: enough to see the pattern, short enough to read


# ---------------------------------------------------------------------------------------------------------------
# Running nights
# ---------------------------------------------------------------------------------------------------------------


def run_once(source: str, *flags: str) -> tuple[int, dict[str, Any]]:
    """`potrack run --json --source ...` in this process: the exit code and its one report."""
    code, reports = run_cli("--source", source, *flags)
    assert len(reports) == 1, f"exit code {code} with {len(reports)} JSON reports (a usage or config error?)"
    return code, reports[0]


@dataclass
class Night:
    """One run: its exit code, its --json report and what the model says it must have produced."""

    code: int
    report: dict[str, Any]
    outcome: Outcome
    baseline: bool
    width: int  # the snapshot's number of columns


@dataclass
class Nights:
    """The ERP, the model of the store, and the runs so far for one source."""

    erp: AwErp
    source: str = SOURCE
    model: Model = field(default_factory=Model)
    runs: list[Night] = field(default_factory=list)
    _store: sa.Engine | None = None
    execute: Callable[..., tuple[int, dict[str, Any]]] = run_once  # how a night is run: the CLI, or an upload

    @property
    def store(self) -> sa.Engine:
        if self._store is None:
            self._store = open_store().engine
        return self._store

    def run(self, *flags: str, snapshot: Snapshot | None = None, xref: dict[str, str] | None = None) -> Night:
        """Run tonight's snapshot (the view, or the file the test exported) and apply it to the model."""
        snapshot = snapshot or self.erp.snapshot()
        xref = xref if xref is not None else self.erp.xref()
        # The first run of a source is a baseline by itself, --baseline asks for one.
        baseline = "--baseline" in flags or not self.model.lines
        code, report = self.execute(self.source, *flags)
        outcome = self.model.apply(snapshot, xref, report["run_id"], baseline)
        night = Night(code, report, outcome, baseline, len(snapshot.columns))
        self.runs.append(night)
        return night


@pytest.fixture(scope="session")
def adventureworks_data() -> Path:
    """The data's directory, found once (before `workdir` clears POTRACK_* settings such as POTRACK_REALDATA)."""
    return aw.realdata_dir()


@pytest.fixture
def nights(adventureworks_data: Path, workdir: Path) -> Nights:
    """A fresh AdventureWorks ERP (built under the test's tmp_path) and a potrack.toml reading its view."""
    erp = AwErp.build(adventureworks_data, workdir / "adventureworks.sqlite")
    write_config(workdir, aw.sql_source_toml(SOURCE, erp))
    return Nights(erp)


def store_key(key: aw.Key) -> tuple[str, int]:
    """An ERP key as the store holds it: the PO number is text."""
    return (str(key[0]), key[1])


# ---------------------------------------------------------------------------------------------------------------
# Comparing a night with the model: summaries first, then the full sets
# ---------------------------------------------------------------------------------------------------------------


def sort_key(item: Any) -> str:
    return repr(item)


def set_differences(expected: set[Any], actual: set[Any]) -> dict[str, Any]:
    """What is missing and what is unexpected (counts, and the first few of each); {} when the sets are equal."""
    missing, unexpected = expected - actual, actual - expected
    if not missing and not unexpected:
        return {}
    return {
        "missing": len(missing),
        "unexpected": len(unexpected),
        "first missing": sorted(missing, key=sort_key)[:SHOWN],
        "first unexpected": sorted(unexpected, key=sort_key)[:SHOWN],
    }


def line_differences(expected: dict[Any, dict[str, Any]], actual: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    """Keys only one side has, and per line the fields that differ as (expected, stored); {} when equal."""
    out: dict[str, Any] = {}
    if set(expected) != set(actual):
        out["keys"] = set_differences(set(expected), set(actual))
    differing = {}
    for key in sorted(set(expected) & set(actual), key=sort_key):
        fields = {
            f: (v, actual[key].get(f, "<no such column>"))
            for f, v in expected[key].items()
            if actual[key].get(f, "<no such column>") != v
        }
        if fields:
            differing[key] = fields
    if differing:
        out["lines differing"] = len(differing)
        out["first"] = dict(list(differing.items())[:SHOWN])
        out["fields differing"] = Counter(f for fields in differing.values() for f in fields)
    return out


def expected_summary(night: Night) -> dict[str, Any]:
    status = night.outcome.status
    return {
        "exit code": {"success": 0, "partial": 3}[status],
        "status": status,
        "baseline": night.baseline,
        **night.outcome.metrics,
    }


def actual_summary(night: Night) -> dict[str, Any]:
    report = night.report
    return {"exit code": night.code, "status": report["status"], "baseline": report["baseline"], **metrics(report)}


def differing(expected: dict[Any, Any], actual: dict[Any, Any]) -> dict[Any, tuple[Any, Any]]:
    """The entries that differ, as name -> (expected, actual): one short line however many entries agree."""
    missing = object()
    return {
        k: (expected.get(k), actual.get(k))
        for k in sorted({*expected, *actual}, key=sort_key)
        if expected.get(k, missing) != actual.get(k, missing)
    }


def event_tally(items: set[tuple[Any, ...]] | list[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    """Events counted by (kind, field): the shape of a night at a glance."""
    return Counter((e[2], e[3]) for e in items)


def mentions(rejection: Rejection, error: str, width: int) -> bool:
    """Whether a failed row's error names every problem the model found in its row."""
    for problem in rejection.fields:
        if problem == "encoding":
            ok = "cp1252" in error
        elif problem == "cells":
            ok = str(width) in error and str(width + 1) in error  # the row's cells and the header's columns
        elif problem == "line_number":
            ok = "line_number" in error and ("2000000000" in error or "2,000,000,000" in error)
        else:
            ok = problem in error
        if not ok:
            return False
    return True


def failed_row_differences(
    expected: list[Rejection], actual: list[dict[str, Any]], width: int, file_name: str | None
) -> dict[str, Any]:
    """Pair each expected rejection with a stored failed row (by location for a file, else by row key) whose error
    names its problems; {} when every one pairs and no failed row is left over."""
    if file_name is not None:
        by_location = {r.get("location"): r for r in actual}
        wanted = {f"{file_name}:{rej.line}": rej for rej in expected}
        out: dict[str, Any] = {}
        if set(by_location) != set(wanted):
            out["locations"] = set_differences(set(wanted), set(by_location))
        wrong = {}
        for location in sorted(set(wanted) & set(by_location)):
            rej, row = wanted[location], by_location[location]
            forced = {"encoding", "cells"} & set(rej.fields)
            if not mentions(rej, row["error"], width) or (not forced and row["row_key"] != rej.row_key):
                wrong[location] = {
                    "expected key and problems": (rej.row_key, rej.fields),
                    "stored": (row["row_key"], row["error"][:300]),
                }
        if wrong:
            out["rows whose key or error differs"] = wrong
        return out
    left = list(actual)
    unmatched = []
    for rej in expected:
        match = next((r for r in left if r["row_key"] == rej.row_key and mentions(rej, r["error"], width)), None)
        if match is None:
            unmatched.append((rej.row_key, rej.fields))
        else:
            left.remove(match)
    if not unmatched and not left:
        return {}
    return {
        "expected, not stored so": unmatched,
        "stored, not expected": [(r["row_key"], r["error"][:300]) for r in left[:SHOWN]],
    }


def stored_lines(store: sa.Engine, source: str) -> dict[tuple[str, int], dict[str, Any]]:
    return {k: aw.project(r) for k, r in lines(store, source).items()}


def invariant_breaks(store: sa.Engine, source: str, model: Model) -> dict[tuple[str, int], tuple[float, float]]:
    """Lines whose received quantity never went down but whose batches do not sum to it: key -> (sum, stored)."""
    sums: Counter[tuple[str, int]] = Counter()
    for b in store_rows(
        store, "SELECT po_number, line_number, quantity FROM receipt_batches WHERE source = :s", s=source
    ):
        sums[(b["po_number"], b["line_number"])] += b["quantity"]
    out = {}
    for key, line in lines(store, source).items():
        if key not in model.received_went_down and round(sums[key], 6) != line["quantity_received"]:
            out[key] = (round(sums[key], 6), line["quantity_received"])
    return dict(list(sorted(out.items(), key=sort_key))[:SHOWN])


def check_night(nights: Nights, night: Night, *, file_name: str | None = None) -> None:
    """Everything a night must have produced, summaries first: exit code, status and metrics; the run's events by
    kind and field; its failed rows; then the full sets of events, batches and stored lines; the invariant; the
    notes of the mapping."""
    store, run_id, outcome = nights.store, night.report["run_id"], night.outcome
    assert differing(expected_summary(night), actual_summary(night)) == {}
    run_events = events(store, run_id)
    assert differing(event_tally(outcome.events), event_tally(run_events)) == {}
    assert failed_row_differences(outcome.rejections, failed_rows(store, run_id), night.width, file_name) == {}
    assert len(run_events) == len(set(run_events)), "a change event written twice"
    assert set_differences(outcome.events, set(run_events)) == {}
    assert set_differences(outcome.batches, set(batches(store, run_id))) == {}
    assert line_differences(nights.model.expected_rows(), stored_lines(store, nights.source)) == {}
    assert invariant_breaks(store, nights.source, nights.model) == {}
    run = run_row(store, run_id)
    assert {m: run[m] for m in METRICS} == {m: night.report[m] for m in METRICS}
    assert sorted(night.report.get("notes", [])) == sorted(aw.NOTES)
    assert sorted((run.get("notes") or "").split("\n")) == sorted(aw.NOTES)


def table_rows(store: sa.Engine, table: str) -> list[dict[str, Any]]:
    return store_rows(store, f"SELECT * FROM {table} ORDER BY id")


def table_differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    """How a table changed (row counts, the first differing rows); {} when it did not."""
    if before == after:
        return {}
    # (tables of different lengths: their common rows are compared, the added ones listed below)
    changed = [(b, a) for b, a in zip(before, after, strict=False) if b != a]
    return {
        "rows before": len(before),
        "rows after": len(after),
        "first changed": changed[:3],
        "first added": after[len(before) :][:3],
    }


# ---------------------------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------------------------


def test_night_1_baseline_stores_every_real_line_canonically_with_one_batch_per_receipt(nights: Nights) -> None:
    night = nights.run()

    assert (
        actual_summary(night)
        == expected_summary(night)
        == {
            "exit code": 0,
            "status": "success",
            "baseline": True,
            "lines_processed": 8845,
            "lines_new": 8845,
            "lines_changed": 0,
            "lines_removed": 0,
            "change_events": 0,
            "batches_reconstructed": 8845,
            "custom_values": 17690,
            "xref_gaps": 51,
            "errors": 0,
            "retry_attempts": 0,
        }
    )
    # The first line of the data file, read by eye: padded 'CS ' stripped, EmployeeID 258 as text, DATETIMEs as
    # dates, the status from StatusText (the header's Status is 4), the product's name, not the vendor's.
    stored = stored_lines(nights.store, SOURCE)
    assert stored[("1", 1)] == {
        "item_code": "AR-5381",
        "supplier_code": "LITWARE0001",
        "description": "Adjustable Race",
        "uom": "CS",
        "quantity_ordered": 4.0,
        "quantity_received": 3.0,
        "unit_price": 50.26,
        "currency": None,
        "order_date": "2022-04-15",
        "promised_date": "2022-04-29",
        "need_by_date": None,
        "status": "complete",
        "buyer": "258",
        "plant": None,
        "internal_part_id": "P-1",
        "custom": {"rejectedqty": 0, "linetotal": 201.04},
        "active": True,
        "first_seen_run_id": night.report["run_id"],
        "last_changed_run_id": night.report["run_id"],
    }
    check_night(nights, night)
    assert store_rows(nights.store, "SELECT id FROM change_events") == []


def test_night_2_applies_slips_receipts_prices_removals_new_lines_and_rejects_only_corrupt_rows(nights: Nights) -> None:
    assert nights.run().code == 0
    before = lines(nights.store, SOURCE)
    n2 = aw.night_2(nights.erp)

    night = nights.run()

    # The shape of the night as planned (the model must agree with the plan before it judges potrack).
    m = night.outcome.metrics
    planned_bad = len(n2.bad_active) + len(n2.bad_new)
    assert (m["errors"], m["lines_removed"], m["lines_new"]) == (planned_bad, len(n2.removed), len(n2.new))
    check_night(nights, night)
    store = nights.store
    after = lines(store, SOURCE)
    run_events = events(store, night.report["run_id"])
    run_batches = batches(store, night.report["run_id"])
    # 3 -> 3.0000001 rounds back to 3: no change, no batch.
    epsilon = store_key(n2.epsilon)
    assert after[epsilon]["quantity_received"] == 3.0
    assert [e for e in run_events if e[:2] == epsilon] == [] and [b for b in run_batches if b[:2] == epsilon] == []
    # A rejected row on an active line leaves it exactly as it was (even with a receipt on the same row).
    for problem, key in n2.bad_active.items():
        assert after[store_key(key)] == before[store_key(key)], problem
        assert [e for e in run_events if e[:2] == store_key(key)] == [], problem
        assert [b for b in run_batches if b[:2] == store_key(key)] == [], problem
    # A tab inside a description is kept.
    assert after[store_key(n2.tab_line)]["description"] == "Touring\tPannier"


def test_night_3_reappearing_lines_keep_their_first_run_and_receive_only_their_rise(nights: Nights) -> None:
    first = nights.run()
    n2 = aw.night_2(nights.erp)
    assert nights.run().code == 3
    n3 = aw.night_3(nights.erp, n2)

    night = nights.run()

    assert night.outcome.reappeared == {store_key(k) for k in n3.reappeared_higher + n3.reappeared_same}
    check_night(nights, night)
    store, run_id = nights.store, night.report["run_id"]
    stored = lines(store, SOURCE)
    run_events = events(store, run_id)
    run_batches = {b[:2]: b[2:] for b in batches(store, run_id)}
    for key in map(store_key, n3.reappeared_higher + n3.reappeared_same):
        assert stored[key]["first_seen_run_id"] == first.report["run_id"], key
        assert stored[key]["active"], key
        assert [e for e in run_events if e[:2] == key] == [(*key, "new", None, None, "reappeared")]
    for key in map(store_key, n3.reappeared_higher):
        assert run_batches[key] == (2.0, stored[key]["quantity_received"])  # the rise while gone, not the whole
    assert [k for k in map(store_key, n3.reappeared_same) if k in run_batches] == []
    down = store_key(n3.corrected_down)
    assert down not in run_batches
    assert [e[3] for e in run_events if e[:2] == down] == ["quantity_received"]
    assert failed_rows(store, run_id) == []
    assert [k for k in map(store_key, n3.fixed) if not stored[k]["active"]] == []  # the fixed rows are applied
    # The new PO from a vendor that has no ProductVendor row for the product: stored without a unit of measure.
    assert stored[store_key(n2.new[-2])]["uom"] is None


def test_night_4_rebaseline_writes_no_events_and_records_only_real_receipt_rises(nights: Nights) -> None:
    nights.run()
    n2 = aw.night_2(nights.erp)
    nights.run()
    aw.night_3(nights.erp, n2)
    nights.run()
    events_before = store_rows(nights.store, "SELECT COUNT(*) AS n FROM change_events")
    n4 = aw.night_4(nights.erp, n2)

    night = nights.run("--baseline")

    # Only the planned rises: the receipts of the night and the line that came back with 7 more received.
    assert {b[:3] for b in night.outcome.batches} == {
        *((*store_key(k), 2.25) for k in n4.received),
        (*store_key(n4.reappeared), 7.0),
    }
    check_night(nights, night)
    assert store_rows(nights.store, "SELECT COUNT(*) AS n FROM change_events") == events_before
    gone = lines(nights.store, SOURCE)[store_key(n4.removed)]
    assert not gone["active"]


def test_snapshot_removing_more_than_half_fails_and_changes_nothing_unless_accepted(nights: Nights) -> None:
    nights.run()
    store = nights.store
    tables = ("po_lines", "change_events", "receipt_batches")
    before = {t: table_rows(store, t) for t in tables}
    rows = nights.erp.delete_details(nights.erp.detail_keys())  # tonight the view is empty

    for flags in ((), ("--baseline",)):
        code, report = run_once(SOURCE, *flags)

        assert (code, report["status"]) == (1, "failed"), flags
        assert "snapshot would remove 100 % of 8,845 active lines; limit 50 %" in (report["error"] or ""), flags
        assert run_row(store, report["run_id"])["status"] == "failed"
        assert {t: table_differences(before[t], table_rows(store, t)) for t in tables} == {t: {} for t in tables}

    # Accepted, the removals go through: every line removed, one event each.
    accepted = nights.run("--accept-removals")
    check_night(nights, accepted)
    assert accepted.outcome.metrics["lines_removed"] == 8845

    # The ERP is restored: every line reappears, with nothing received meanwhile, so no batch.
    nights.erp.insert_details(rows)
    restored = nights.run()
    assert restored.outcome.metrics["lines_new"] == 8845 and not restored.outcome.batches
    check_night(nights, restored)


def test_csv_export_nights_reject_only_undecodable_surplus_and_oversized_rows(workdir: Path, nights: Nights) -> None:
    erp = nights.erp
    csv_nights = Nights(erp, source="awcsv")

    def configure(file_name: str) -> None:
        write_config(
            workdir,
            aw.source_toml(
                "awcsv", f'kind = "csv"\npath = "{file_name}"\nencoding = "cp1252"\nxref = {{ path = "xref.csv" }}'
            ),
        )

    aw.write_xref_csv(workdir / "xref.csv", erp.xref())
    first = aw.write_csv(workdir / "night1.csv", erp.snapshot())
    configure("night1.csv")
    night1 = csv_nights.run(snapshot=first)
    check_night(csv_nights, night1, file_name="night1.csv")

    n2 = aw.night_2(erp)
    view = erp.snapshot()
    aw.write_xref_csv(workdir / "xref.csv", erp.xref())
    # Rows only a file can carry, on new lines of PO 1 (ids the ERP does not use), on lines 17, 4002 and 8002.
    template = [aw.export_cell(v, t) for v, t in zip(view.rows[0], view.types, strict=True)]
    column = {c: i for i, c in enumerate(view.columns)}

    def row(line: int, name: str) -> list[str]:
        cells = list(template)
        cells[column["PurchaseOrderDetailID"]] = str(line)
        cells[column["Name"]] = name
        return cells

    extra = [
        (15, "encoding", row(900001, f"Crank Arm {aw.BAD_BYTES_MARK} Left")),
        (4000, "cells", row(900002, "Crank Arm Right") + ["surplus"]),
        (8000, None, row(900003, "Headset " + "x" * 5_000_000)),
    ]
    second = aw.write_csv(workdir / "night2.csv", view, extra)
    configure("night2.csv")

    night2 = csv_nights.run(snapshot=second)

    # (check_night pairs every failed row with its location, night2.csv:17, :4002 and :8002 among them.)
    assert night2.outcome.metrics["errors"] == len(n2.bad_active) + len(n2.bad_new) + 3
    check_night(csv_nights, night2, file_name="night2.csv")


def test_exports_uploaded_from_the_dashboard_make_the_same_nights(workdir: Path, nights: Nights) -> None:
    """The same cp1252 exports uploaded through POST /api/uploads to an upload-only source: each night's store is
    what the model says, and every rejected row names the uploaded file and its line."""
    erp = nights.erp
    write_config(
        workdir,
        aw.source_toml("awup", 'kind = "csv"\nupload = true\nencoding = "cp1252"\nxref = { path = "xref.csv" }'),
    )
    runtime = open_store()
    app.install(runtime)
    token = create_token(runtime.engine, "feeder", "operator", actor="test")
    exported: list[Path] = []

    def upload(source: str) -> tuple[int, dict[str, Any]]:
        answer = post_upload(token, exported[-1].read_bytes(), exported[-1].name, source)
        assert answer.status_code == 202, answer.get_json()
        report = Pipeline(runtime.settings, runtime.engine).execute(answer.get_json()["run_id"])
        assert report is not None
        return {"success": 0, "partial": 3}.get(report.status, 1), report.as_json()

    uploaded = Nights(erp, source="awup", execute=upload)
    aw.write_xref_csv(workdir / "xref.csv", erp.xref())
    exported.append(workdir / "night1.csv")
    night1 = uploaded.run(snapshot=aw.write_csv(exported[-1], erp.snapshot()))
    check_night(uploaded, night1, file_name="night1.csv")

    aw.night_2(erp)
    aw.write_xref_csv(workdir / "xref.csv", erp.xref())
    exported.append(workdir / "night2.csv")
    night2 = uploaded.run(snapshot=aw.write_csv(exported[-1], erp.snapshot()))
    assert night2.outcome.metrics["lines_changed"] > 0
    check_night(uploaded, night2, file_name="night2.csv")
