"""GET /api/failed-rows: rejected rows with their raw data, error, retries and resolution, filtered by source,
run, time of the rejecting run and resolved or not, newest or oldest first, a page at a time."""

import datetime as dt

import pytest
import sqlalchemy as sa

from potrack.pipeline.outcome import Rejection
from potrack.store.failed_rows import resolve
from potrack.store.models import FailedRow
from potrack.store.runs import save_failed_rows
from tests.support.personas import client_as
from tests.support.web import UTC, add_run, demo_run

FIELDS = {
    "id",
    "run_id",
    "source",
    "stage",
    "row_key",
    "raw",
    "error",
    "retry_count",
    "resolved_at",
    "resolved_by_run_id",
    "resolution",
    "rejected_at",
    "location",
}
OLD = dt.datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def rows(web):
    """Night 4's five real rejected rows, and two older rows of source `other` (the first resolved)."""
    demo_run(web, 0)
    partial = demo_run(web, 4).run_id
    old = add_run(web.engine, source="other", status="partial", queued_at=OLD)
    fixer = add_run(web.engine, source="other", trigger="row_retry", queued_at=OLD + dt.timedelta(hours=1))
    with web.engine.begin() as conn:
        save_failed_rows(
            conn,
            old,
            "other",
            [
                Rejection("validate", f"PO9/{n}", {"po_number": "PO9", "line": n}, "quantity_ordered: not a number")
                for n in (1, 2)
            ],
        )
        first = conn.execute(sa.select(sa.func.min(FailedRow.id)).where(FailedRow.run_id == old)).scalar_one()
        resolve(conn, [first], fixer, "passed on retry")
    return {"partial": partial, "old": old, "fixer": fixer}


def listed(query=""):
    answer = client_as("vera").get(f"/api/failed-rows?{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["results"]


def test_each_row_has_its_run_raw_data_error_and_resolution(rows):
    everything = listed()
    assert len(everything) == 7 and all(set(r) == FIELDS for r in everything)
    bad = next(r for r in everything if "quantity_ordered" in r["error"] and r["source"] == "demo")
    assert (bad["run_id"], bad["stage"], bad["raw"]["quantity_ordered"]) == (rows["partial"], "validate", "n/a")
    assert bad["retry_count"] == 0 and bad["resolved_at"] is None and bad["rejected_at"].endswith("Z")
    fixed = next(r for r in everything if r["resolved_at"])
    assert (fixed["resolved_by_run_id"], fixed["resolution"], fixed["raw"]) == (
        rows["fixer"],
        "passed on retry",
        {"po_number": "PO9", "line": 1},
    )


def test_newest_first_by_default_and_oldest_first_on_request(rows):
    assert [r["run_id"] for r in listed()] == [rows["partial"]] * 5 + [rows["old"]] * 2
    assert [r["run_id"] for r in listed("order=oldest")] == [rows["old"]] * 2 + [rows["partial"]] * 5


def test_filter_by_source_run_and_time(rows):
    assert {r["source"] for r in listed("source=other")} == {"other"} and len(listed("source=other")) == 2
    assert {r["run_id"] for r in listed(f"run_id={rows['partial']}")} == {rows["partial"]}
    assert len(listed("until=2026-10-02")) == 2 and len(listed("since=2026-10-02")) == 5


def test_filter_resolved_or_not(rows):
    assert [r["row_key"] for r in listed("resolved=true")] == ["PO9/1"]
    assert len(listed("resolved=false")) == 6 and all(r["resolved_at"] is None for r in listed("resolved=false"))


def test_pages_hold_per_page_rows_and_count_counts_them_all(rows):
    client = client_as("vera")
    pages = [client.get(f"/api/failed-rows?per_page=3&page={n}").get_json() for n in (1, 2, 3)]
    assert [len(p["results"]) for p in pages] == [3, 3, 1]
    assert {(p["count"], p["pages"], p["per_page"]) for p in pages} == {(7, 3, 3)}
    assert sorted(r["id"] for p in pages for r in p["results"]) == sorted(r["id"] for r in listed())
