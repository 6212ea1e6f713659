"""POST /api/runs/<id>/retry: 202 {"run_id", "status": "queued", "retry_of"} for a failed, partial or abandoned
run; a retry of that retry chains on; 409 for a run that cannot be retried or already has a retry queued; 404."""

import pytest
import sqlalchemy as sa

from potrack.store.models import Run
from tests.support.personas import client_as
from tests.support.web import add_run


def retry(run_id, who="otto"):
    return client_as(who).post(f"/api/runs/{run_id}/retry", json={})


def finish(engine, run_id, status="failed"):
    with engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == run_id).values(status=status))


def retries(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(Run.id, Run.trigger, Run.retry_of, Run.requested_by)
            .where(Run.trigger == "retry")
            .order_by(Run.id)
        ).all()


@pytest.mark.parametrize("status", ["failed", "partial", "abandoned"])
def test_a_retry_is_queued_with_retry_of_set(web, status):
    original = add_run(web.engine, status=status)
    answer = retry(original)
    new = answer.get_json()["run_id"]
    assert answer.status_code == 202 and answer.get_json() == {"run_id": new, "status": "queued", "retry_of": original}
    assert answer.headers["Location"] == f"/api/runs/{new}"
    assert retries(web.engine) == [(new, "retry", original, "otto")]


def test_a_failed_retry_is_retried_in_turn_and_the_chain_reads_both_ways(web):
    original = add_run(web.engine, status="failed")
    first = retry(original).get_json()["run_id"]
    finish(web.engine, first)
    second = retry(first, "ada").get_json()["run_id"]
    assert [(r.id, r.retry_of) for r in retries(web.engine)] == [(first, original), (second, first)]
    client = client_as("vera")
    assert client.get(f"/api/runs/{original}").get_json()["retried_by"] == [first]
    assert client.get(f"/api/runs/{first}").get_json()["retried_by"] == [second]
    assert client.get(f"/api/runs/{second}").get_json()["retry_of"] == first


@pytest.mark.parametrize("status", ["success", "queued", "running"])
def test_a_run_that_cannot_be_retried_is_409(web, status):
    run_id = add_run(web.engine, status=status)
    answer = retry(run_id)
    assert answer.status_code == 409 and answer.get_json()["error"] == "conflict"
    assert f"run #{run_id} is {status}" in answer.get_json()["message"]
    assert retries(web.engine) == []


def test_a_second_retry_while_the_first_is_queued_is_409(web):
    original = add_run(web.engine, status="failed")
    first = retry(original).get_json()["run_id"]
    answer = retry(original, "ada")
    assert answer.status_code == 409
    assert answer.get_json()["message"] == f"run #{original} already has retry #{first} queued or running"
    assert len(retries(web.engine)) == 1


def test_a_retry_while_the_source_is_busy_is_409(web):
    original = add_run(web.engine, status="failed")
    busy = add_run(web.engine, status="running")
    answer = retry(original)
    assert answer.status_code == 409 and f"run #{busy} queued or running" in answer.get_json()["message"]


def test_retrying_an_unknown_run_is_404(web):
    answer = retry(404)
    assert answer.status_code == 404 and answer.get_json() == {"error": "not_found", "message": "there is no run #404"}
