"""POST /api/failed-rows/<id>/retry and /api/runs/<id>/failed-rows/retry: 202 with the row_retry run queued per
source and how many rows it takes; 409 for a resolved row, a row already being retried or a run with none left
unresolved; 404 for an unknown row or run."""

import pytest
import sqlalchemy as sa

from potrack.store.failed_rows import resolve
from potrack.store.models import FailedRow, RowRetryItem, Run
from tests.support.personas import client_as
from tests.support.web import add_run, demo_run


@pytest.fixture
def partial(web):
    """Night 4's partial run, with its five rejected rows."""
    demo_run(web, 0)
    return demo_run(web, 4).run_id


def row_ids(engine, run_id):
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(FailedRow.id).where(FailedRow.run_id == run_id).order_by(FailedRow.id)).scalars()
        )


def selections(engine):
    """row_retry run → the failed rows it was queued for."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(RowRetryItem.run_id, RowRetryItem.failed_row_id).order_by(RowRetryItem.failed_row_id)
        ).all()
    found: dict[int, list[int]] = {}
    for run_id, row_id in rows:
        found.setdefault(run_id, []).append(row_id)
    return found


def post(url):
    return client_as("otto").post(url, json={})


def test_one_row_is_queued_in_a_row_retry_run(web, partial):
    row = row_ids(web.engine, partial)[2]
    answer = post(f"/api/failed-rows/{row}/retry")
    assert answer.status_code == 202
    [queued] = answer.get_json()["runs"]
    assert answer.get_json() == {
        "status": "pending",
        "message": f"failed row #{row} of demo is queued for retry #1 in run #{queued['run_id']}",
        "retry_count": 1,
        "run_id": queued["run_id"],
        "runs": [{"run_id": queued["run_id"], "source": "demo", "rows": 1}],
    }
    assert selections(web.engine) == {queued["run_id"]: [row]}
    with web.engine.connect() as conn:
        run = conn.execute(sa.select(Run.trigger, Run.requested_by).where(Run.id == queued["run_id"])).one()
    assert tuple(run) == ("row_retry", "otto")


def test_every_unresolved_row_of_a_run_is_queued(web, partial):
    ids = row_ids(web.engine, partial)
    fixer = add_run(web.engine, trigger="row_retry")
    with web.engine.begin() as conn:
        resolve(conn, ids[:1], fixer, "passed on retry")
    answer = post(f"/api/runs/{partial}/failed-rows/retry")
    assert answer.status_code == 202
    [queued] = answer.get_json()["runs"]
    assert queued["rows"] == 4 and selections(web.engine) == {queued["run_id"]: ids[1:]}


def test_a_resolved_row_is_409(web, partial):
    row = row_ids(web.engine, partial)[0]
    with web.engine.begin() as conn:
        resolve(conn, [row], add_run(web.engine, trigger="row_retry"), "fixed by hand")
    answer = post(f"/api/failed-rows/{row}/retry")
    assert answer.status_code == 409 and answer.get_json()["message"] == f"failed row #{row} is already resolved"


def test_a_row_already_being_retried_is_409_and_so_is_its_run(web, partial):
    row = row_ids(web.engine, partial)[0]
    first = post(f"/api/failed-rows/{row}/retry").get_json()["runs"][0]["run_id"]
    for url in (f"/api/failed-rows/{row}/retry", f"/api/runs/{partial}/failed-rows/retry"):
        answer = post(url)
        assert answer.status_code == 409
        assert answer.get_json()["message"] == f"failed row #{row} is already being retried by run #{first}"
    assert list(selections(web.engine)) == [first]


def test_a_run_with_no_unresolved_rows_is_409(web):
    run_id = add_run(web.engine, status="failed")
    answer = post(f"/api/runs/{run_id}/failed-rows/retry")
    assert answer.status_code == 409 and answer.get_json() == {
        "error": "conflict",
        "message": f"run #{run_id} has no unresolved failed rows",
    }


def test_an_unknown_row_or_run_is_404(web):
    for url, message in (
        ("/api/failed-rows/77/retry", "there is no failed row #77"),
        ("/api/runs/77/failed-rows/retry", "there is no run #77"),
    ):
        answer = post(url)
        assert answer.status_code == 404 and answer.get_json() == {"error": "not_found", "message": message}
    assert selections(web.engine) == {}
