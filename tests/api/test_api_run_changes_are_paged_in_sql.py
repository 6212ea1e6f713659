"""A run's change list in the API is paged in SQL: opening a run with 50,000 changes loads only the first 500
(with changes_total 50,000), and /api/runs/<id>/changes pages through the rest in the order written."""

import pytest
import sqlalchemy as sa

from potrack.store.models import ChangeEvent
from tests.support.personas import client_as
from tests.support.web import add_run

TOTAL = 50_000


@pytest.fixture
def big_run(web):
    """A run with 50,000 change events, written in one executemany."""
    run_id = add_run(web.engine, change_events=TOTAL)
    rows = [
        {
            "run_id": run_id,
            "source": "demo",
            "po_number": f"PO{i // 10:06d}",
            "line_number": i % 10 + 1,
            "kind": "changed",
            "field": "quantity_received",
            "old_value": "0",
            "new_value": str(i),
        }
        for i in range(TOTAL)
    ]
    with web.engine.begin() as conn:
        conn.execute(sa.insert(ChangeEvent), rows)
    return run_id


@pytest.fixture
def statements(web):
    """The SQL statements the store runs during the test."""
    seen: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(web.engine, "before_cursor_execute", remember)
    yield seen
    sa.event.remove(web.engine, "before_cursor_execute", remember)


def reads_are_bounded(statements):
    """Whether change_events was read, and every read of it either counts or stops at a LIMIT."""
    reads = [s for s in statements if "FROM change_events" in s and "count(" not in s]
    return bool(reads) and all("LIMIT" in s for s in reads)


def test_the_run_detail_holds_the_first_500_changes_and_the_total(big_run, statements):
    detail = client_as("vera").get(f"/api/runs/{big_run}").get_json()
    assert detail["changes_total"] == TOTAL and len(detail["changes"]) == 500
    assert [c["new_value"] for c in detail["changes"]] == [str(i) for i in range(500)]
    assert reads_are_bounded(statements)


def test_page_100_of_500_holds_the_last_500_changes(big_run, statements):
    body = client_as("vera").get(f"/api/runs/{big_run}/changes?page=100&per_page=500").get_json()
    assert (body["run_id"], body["count"], body["page"], body["pages"], body["per_page"]) == (
        big_run,
        TOTAL,
        100,
        100,
        500,
    )
    assert [c["new_value"] for c in body["results"]] == [str(i) for i in range(TOTAL - 500, TOTAL)]
    assert body["results"][-1] == {
        "po_number": "PO004999",
        "line_number": 10,
        "kind": "changed",
        "field": "quantity_received",
        "old_value": "0",
        "new_value": "49999",
    }
    assert reads_are_bounded(statements)


def test_pages_default_to_200_and_a_page_past_the_end_is_the_last(big_run):
    client = client_as("vera")
    first = client.get(f"/api/runs/{big_run}/changes").get_json()
    assert (first["page"], first["per_page"], first["pages"], len(first["results"])) == (1, 200, 250, 200)
    past = client.get(f"/api/runs/{big_run}/changes?page=999&per_page=1000").get_json()
    assert past["page"] == 50 and past["results"][-1]["new_value"] == str(TOTAL - 1)


def test_a_run_without_changes_has_one_empty_page(web):
    run_id = add_run(web.engine)
    body = client_as("vera").get(f"/api/runs/{run_id}/changes").get_json()
    assert (body["count"], body["results"], body["page"], body["pages"]) == (0, [], 1, 1)


def test_the_changes_of_an_unknown_run_are_404(web):
    answer = client_as("vera").get("/api/runs/4242/changes")
    assert answer.status_code == 404 and answer.get_json() == {"error": "not_found", "message": "there is no run #4242"}
