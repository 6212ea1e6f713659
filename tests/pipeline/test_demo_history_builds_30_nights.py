"""A fresh demo install gets 30 nights of history from the real pipeline: failed, partial and retried nights,
each run dated at its night's scheduled time; only for the built-in configuration and an empty store."""

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from potrack import demo_history
from potrack.store.models import Run
from tests.support.store import audit_events
from tests.support.web import UTC, add_run
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def small(settings):
    """The built-in configuration with a smaller demo ERP, schedules read in UTC."""
    cfg = settings.source("demo")
    cfg = dataclasses.replace(cfg, demo=dataclasses.replace(cfg.demo, lines=200))
    return dataclasses.replace(settings, sources=(cfg,), timezone="UTC")


def test_history_has_30_nightly_runs_with_failed_partial_and_retried_nights(web):
    reports = demo_history.build(small(web.settings), web.engine, now=NOW)
    with web.engine.connect() as conn:
        runs = conn.execute(sa.select(Run).order_by(Run.id)).mappings().all()
    assert len(reports) == len(runs) == 30
    assert [r["queued_at"] for r in runs] == [
        dt.datetime(2026, 10, 24, 2, tzinfo=UTC) + dt.timedelta(days=n) for n in range(30)
    ]
    assert all(r["started_at"] >= r["queued_at"] and r["finished_at"] >= r["started_at"] for r in runs)
    assert {r["trigger"] for r in runs} == {"schedule"} and runs[0]["baseline"]
    by_status = {s: [n for n, r in enumerate(runs) if r["status"] == s] for s in ("failed", "partial")}
    assert by_status == {"failed": [17, 18], "partial": [4, 13, 22]}
    assert [runs[n]["retry_attempts"] for n in (8, 17, 18)] == [2, 3, 3] and runs[8]["status"] == "success"
    assert all(r["lines_processed"] > 0 for n, r in enumerate(runs) if n not in (17, 18))
    assert sum(e["event_type"] == "ingestion.failed" for e in audit_events(web.engine)) == 2


def test_history_is_wanted_once_for_the_built_in_configuration(web):
    assert demo_history.wanted(web.settings, web.engine)
    add_run(web.engine)
    assert not demo_history.wanted(web.settings, web.engine)


def test_a_configured_install_gets_no_history(workdir):
    write_config(workdir, '[[sources]]\nname = "demo"\nkind = "demo"\n')
    runtime = open_store()
    assert not demo_history.wanted(runtime.settings, runtime.engine)
