"""The in-process scheduler: a coalesced cron job per source in the configured zone, the dispatcher, the stale check."""

import dataclasses
import datetime as dt
import time

import pytest
from apscheduler.triggers.cron import CronTrigger

from jobs.scheduler import MISFIRE_GRACE_S, abandon_stale, build_scheduler, queue_scheduled_run
from potrack.clock import utcnow
from potrack.runtime import Runtime
from potrack.store import runs
from tests.support.store import run_row
from tests.support.web import add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def with_settings(runtime, **changes):
    return Runtime(dataclasses.replace(runtime.settings, **changes), runtime.engine)


def test_each_source_gets_a_coalesced_cron_job_read_in_the_configured_time_zone(web):
    scheduler = build_scheduler(with_settings(web, timezone="Europe/Berlin"))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"schedule:demo", "dispatch", "abandon-stale", "leases"}
    cron = jobs["schedule:demo"]
    assert isinstance(cron.trigger, CronTrigger) and str(cron.trigger.timezone) == "Europe/Berlin"
    assert {f.name: str(f) for f in cron.trigger.fields if f.name in ("hour", "minute")} == {"hour": "2", "minute": "0"}
    assert cron.coalesce and cron.max_instances == 1 and cron.misfire_grace_time == MISFIRE_GRACE_S
    assert not scheduler.running  # built, not started: the app starts it only when it serves


def test_the_cron_job_queues_a_scheduled_run_unless_one_is_active(web):
    run_id = queue_scheduled_run(web.engine, "demo")
    assert run_row(web.engine, run_id)["trigger"] == "schedule"
    assert queue_scheduled_run(web.engine, "demo") is None


def test_the_stale_check_abandons_runs_whose_heartbeat_stopped(web):
    stale = add_run(web.engine, status="running", queued_at=utcnow() - dt.timedelta(hours=1))
    alive = add_run(web.engine, source="other", status="running", queued_at=utcnow())
    assert abandon_stale(web.engine) == [stale]
    assert [run_row(web.engine, i)["status"] for i in (stale, alive)] == ["abandoned", "running"]


def test_a_started_scheduler_executes_a_queued_run(web):
    cfg = web.settings.source("demo")
    small = with_settings(web, sources=(dataclasses.replace(cfg, demo=dataclasses.replace(cfg.demo, lines=100)),))
    scheduler = build_scheduler(small, dispatch_every_s=0.1)
    run_id, _ = runs.queue_run_unless_active(web.engine, "demo", "manual")
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while run_row(web.engine, run_id)["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert run_row(web.engine, run_id)["status"] == "success"
