"""A source's cron job runs on the trigger built and checked when the configuration was loaded, in
POTRACK_TIMEZONE: the scheduler builds none of its own that could fail later."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from jobs.scheduler import build_scheduler
from potrack.config import schedule_trigger
from tests.support.workdir import open_store, write_config


def test_the_cron_job_runs_on_the_trigger_built_at_load(workdir, monkeypatch):
    write_config(workdir, '[[sources]]\nname = "demo"\nkind = "demo"\nschedule = "15 3 * * *"\n')
    monkeypatch.setenv("POTRACK_TIMEZONE", "Asia/Tokyo")
    runtime = open_store()
    tokyo = ZoneInfo("Asia/Tokyo")
    built_at_load = schedule_trigger.cache_info().currsize
    job = build_scheduler(runtime).get_job("schedule:demo")
    assert schedule_trigger.cache_info().currsize == built_at_load  # nothing new built
    assert job.trigger is runtime.settings.trigger(runtime.settings.source("demo"))
    assert job.trigger is schedule_trigger("15 3 * * *", tokyo)
    after = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # 09:00 in Tokyo: 03:15 is tomorrow's
    assert job.trigger.get_next_fire_time(None, after) == dt.datetime(2026, 12, 2, 3, 15, tzinfo=tokyo)
