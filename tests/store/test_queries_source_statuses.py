"""Per source: the latest finished run, the latest completed (success or partial) run, and the queued or running one."""

import datetime as dt

import pytest
import sqlalchemy as sa

from potrack.store.run_history import SOURCES_PER_STATEMENT, source_statuses
from tests.support.web import UTC, add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def statuses(engine, *names):
    with engine.connect() as conn:
        return {s.source: s for s in source_statuses(conn, names)}


def test_latest_finished_completed_and_active_runs(web):
    ok = add_run(web.engine, status="partial", queued_at=T0)
    failed = add_run(web.engine, status="failed", queued_at=T0 + HOUR)
    running = add_run(web.engine, status="running", queued_at=T0 + 2 * HOUR)
    add_run(web.engine, source="erp", status="success", queued_at=T0 + 3 * HOUR)
    demo = statuses(web.engine, "demo")["demo"]
    assert (demo.last.id, demo.last_ok.id, demo.active.id) == (failed, ok, running)


def test_a_source_without_runs_has_none_of_them(web):
    add_run(web.engine, source="erp")
    demo = statuses(web.engine, "demo", "erp")["demo"]
    assert (demo.last, demo.last_ok, demo.active) == (None, None, None)


def test_abandoned_counts_as_finished_and_queued_as_active(web):
    abandoned = add_run(web.engine, status="abandoned", queued_at=T0)
    queued = add_run(web.engine, status="queued", queued_at=T0 + HOUR)
    demo = statuses(web.engine, "demo")["demo"]
    assert (demo.last.id, demo.last_ok, demo.active.id) == (abandoned, None, queued)


def test_many_sources_each_get_their_own_runs_in_one_statement_per_hundred_sources(web):
    names = [f"src-{i:03d}" for i in range(SOURCES_PER_STATEMENT + 5)]  # two statements' worth
    expected = {}
    for i, name in enumerate(names):
        ok = add_run(web.engine, source=name, status="success", queued_at=T0 + i * dt.timedelta(minutes=1))
        last = add_run(web.engine, source=name, status="failed", queued_at=T0 + 24 * HOUR) if i % 2 else ok
        expected[name] = (last, ok, None)
    statements = []
    sa.event.listen(web.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    got = statuses(web.engine, *names)
    assert {n: (s.last.id, s.last_ok.id, s.active) for n, s in got.items()} == expected
    assert len(statements) == 3 * 2  # latest finished, completed and active; each for 100 sources, then 5
