"""A source gets a new queued run only when it has none queued or running, even under concurrent requests."""

import pytest
import sqlalchemy as sa

from potrack.store.models import Run
from potrack.store.runs import queue_run_unless_active
from tests.support.store import audit_events
from tests.support.timing import all_at_once
from tests.support.web import add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def runs_of(engine, source="demo"):
    with engine.connect() as conn:
        return conn.execute(sa.select(Run.id, Run.status, Run.trigger).where(Run.source == source)).all()


def test_twenty_requests_queue_one_run(web):
    results = [queue_run_unless_active(web.engine, "demo", "manual", requested_by="alice") for _ in range(20)]
    run_id = results[0][0]
    assert results == [(run_id, True)] + [(run_id, False)] * 19
    assert runs_of(web.engine) == [(run_id, "queued", "manual")]
    assert [e["actor"] for e in audit_events(web.engine) if e["event_type"] == "ingestion.requested"] == ["alice"]


def test_twenty_concurrent_requests_queue_one_run(web):
    results = all_at_once(*[lambda: queue_run_unless_active(web.engine, "demo", "manual")] * 20)
    assert sum(queued for _, queued in results) == 1 and len({run_id for run_id, _ in results}) == 1
    assert len(runs_of(web.engine)) == 1


def test_a_running_run_blocks_and_a_finished_one_does_not(web):
    running = add_run(web.engine, status="running")
    assert queue_run_unless_active(web.engine, "demo", "manual") == (running, False)
    with web.engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == running).values(status="success"))
    run_id, queued = queue_run_unless_active(web.engine, "demo", "schedule")
    assert queued and run_id != running


def test_other_sources_do_not_block(web):
    add_run(web.engine, source="erp", status="queued")
    assert queue_run_unless_active(web.engine, "demo", "manual")[1]
