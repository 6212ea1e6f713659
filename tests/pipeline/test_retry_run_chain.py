"""Retrying a failed, partial or abandoned run queues a new run (trigger retry, retry_of set) in the actor's
name, audited as ingestion.retry; a run in another state, or one with a retry queued, is refused; the chain
reads both ways."""

import pytest

from potrack.store.retries import NotFound, RetryRefused, queue_retry
from potrack.store.run_history import get_run, run_detail
from tests.support.store import json_value, store_rows
from tests.support.web import add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


@pytest.mark.parametrize("status", ["failed", "partial", "abandoned"])
def test_a_failed_partial_or_abandoned_run_is_retried_as_a_new_run(web, status):
    original = add_run(web.engine, status=status, error="extract: boom")
    queued = queue_retry(web.engine, original, "otto")
    with web.engine.connect() as conn:
        retry = get_run(conn, queued.run_id)
        detail = run_detail(conn, original)
    assert (retry.trigger, retry.status, retry.retry_of, retry.requested_by) == ("retry", "queued", original, "otto")
    assert detail.retried_by == [queued.run_id]
    [event] = store_rows(
        web.engine, "SELECT actor, run_id, source, details FROM audit_events WHERE event_type = 'ingestion.retry'"
    )
    assert (event["actor"], event["run_id"], event["source"]) == ("otto", queued.run_id, "demo")
    assert json_value(event["details"]) == {"original_run": original, "new_run": queued.run_id}


@pytest.mark.parametrize("status", ["success", "queued", "running"])
def test_a_run_in_another_state_is_refused(web, status):
    run_id = add_run(web.engine, status=status)
    with pytest.raises(RetryRefused, match=f"is {status}: only a failed, partial or abandoned run"):
        queue_retry(web.engine, run_id, "otto")
    assert store_rows(web.engine, "SELECT COUNT(*) AS n FROM runs WHERE trigger = 'retry'")[0]["n"] == 0


def test_a_second_retry_while_the_first_is_queued_is_refused(web):
    original = add_run(web.engine, status="failed")
    first = queue_retry(web.engine, original, "otto")
    with pytest.raises(RetryRefused, match=f"already has retry #{first.run_id} queued or running"):
        queue_retry(web.engine, original, "ada")
    assert store_rows(web.engine, "SELECT COUNT(*) AS n FROM runs WHERE retry_of = :o", o=original)[0]["n"] == 1


def test_a_retry_while_the_source_is_busy_is_refused(web):
    original = add_run(web.engine, status="failed")
    busy = add_run(web.engine, status="running")
    with pytest.raises(RetryRefused, match=f"run #{busy} queued or running"):
        queue_retry(web.engine, original, "otto")


def test_retrying_a_missing_run_says_so(web):
    with pytest.raises(NotFound, match="no run #404"):
        queue_retry(web.engine, 404, "otto")
