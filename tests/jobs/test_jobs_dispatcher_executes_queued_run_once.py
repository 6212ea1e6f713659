"""The dispatcher executes a queued run exactly once, even when two dispatchers race for it, one run per source."""

import dataclasses

import pytest
import sqlalchemy as sa

from jobs.dispatcher import Dispatcher
from potrack.pipeline.runner import Pipeline
from potrack.store import runs
from potrack.store.models import PoLine, Run
from tests.support.runs import queue_run
from tests.support.store import audit_events, run_row
from tests.support.timing import all_at_once

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def small_demo(runtime):
    """The built-in demo source, smaller, so a run takes a fraction of a second."""
    cfg = runtime.settings.source("demo")
    cfg = dataclasses.replace(cfg, demo=dataclasses.replace(cfg.demo, lines=200))
    return dataclasses.replace(runtime.settings, sources=(cfg,))


def queue(engine, source="demo"):
    with engine.begin() as conn:
        return queue_run(conn, source, "manual")


def test_two_racing_dispatchers_execute_the_run_once(web):
    settings = small_demo(web)
    run_id = queue(web.engine)
    first, second = Dispatcher(Pipeline(settings, web.engine)), Dispatcher(Pipeline(settings, web.engine))
    seen = [first.candidates(), second.candidates()]
    assert seen == [[(run_id, "demo")]] * 2  # both saw the queued run before either claimed it

    all_at_once(lambda: first.start(seen[0]), lambda: second.start(seen[1]))
    first.join(30)
    second.join(30)

    run = run_row(web.engine, run_id)
    assert run["status"] == "success"
    completed = [e for e in audit_events(web.engine, run_id) if e["event_type"] == "ingestion.completed"]
    assert len(completed) == 1
    with web.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(PoLine)).scalar_one() == run["lines_new"] > 0


def test_one_run_at_a_time_per_source_oldest_first(web):
    older, newer = queue(web.engine), queue(web.engine)
    dispatcher = Dispatcher(Pipeline(small_demo(web), web.engine))
    assert dispatcher.candidates() == [(older, "demo")]
    dispatcher.dispatch()
    dispatcher.join(30)
    assert dispatcher.candidates() == [(newer, "demo")]
    dispatcher.dispatch()
    dispatcher.join(30)
    assert [run_row(web.engine, i)["status"] for i in (older, newer)] == ["success", "success"]
    assert dispatcher.candidates() == []


def test_a_source_with_a_running_run_is_not_dispatched(web):
    with web.engine.begin() as conn:
        running = queue_run(conn, "demo", "cli")
    runs.claim_run(web.engine, running)
    queue(web.engine)
    assert Dispatcher(Pipeline(small_demo(web), web.engine)).candidates() == []


def test_queued_runs_of_unconfigured_sources_are_left_alone(web):
    queue(web.engine, source="gone")
    dispatcher = Dispatcher(Pipeline(small_demo(web), web.engine))
    assert dispatcher.candidates() == []
    with web.engine.connect() as conn:
        assert conn.execute(sa.select(Run.status).where(Run.source == "gone")).scalar_one() == "queued"
