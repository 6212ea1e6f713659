"""Stale data by an injected clock: a nightly source is stale 26 h after its last good run (interval + 2 h grace),
or after its own `stale_after`; the alert fires once, sends once, and resolves with one recovery when a run
completes; a source that never ran has no verdict."""

import dataclasses
import datetime as dt

from potrack.alerts.delivery import deliver_pending
from potrack.alerts.evaluate import Evaluator
from potrack.config.alerts import AlertSettings, ChannelConfig, RuleSettings
from tests.support.web import add_run

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)  # a Monday, 02:00 UTC: the nightly schedule's time


def evaluator(web, receiver, at, **rules):
    alerts = AlertSettings(
        channels=(ChannelConfig("hook", "webhook", url=receiver.url),),
        per_source={"demo": RuleSettings(**rules)} if rules else {},
    )
    settings = dataclasses.replace(web.settings, alerts=alerts, timezone="UTC")
    return Evaluator(settings, web.engine, clock=lambda: at[0]), alerts


def test_a_nightly_source_is_stale_26_hours_after_its_last_good_run_and_recovers(web, receiver):
    add_run(web.engine, status="success", queued_at=T0, duration_s=60)
    at = [T0 + dt.timedelta(hours=25)]
    ev, alerts = evaluator(web, receiver, at)
    assert ev.evaluate("demo") == []
    at[0] = T0 + dt.timedelta(hours=26, minutes=2)
    assert ev.evaluate("demo") == ["opened demo/stale_data"]
    at[0] += dt.timedelta(minutes=1)
    assert ev.evaluate("demo") == []  # still stale: nothing new
    deliver_pending(web.engine, alerts)
    [opened] = receiver.posts
    assert opened["rule"] == "stale_data" and opened["last_success"]["run_id"] == 1
    assert opened["data_age_hours"] == 26.0 and "limit 26 h" in opened["message"]

    add_run(web.engine, status="partial", queued_at=at[0], duration_s=60)
    at[0] += dt.timedelta(minutes=5)
    assert ev.evaluate("demo") == ["resolved demo/stale_data"]
    deliver_pending(web.engine, alerts)
    assert [p["event"] for p in receiver.posts] == ["opened", "resolved"]


def test_a_source_with_its_own_stale_after_goes_stale_sooner(web, receiver):
    add_run(web.engine, status="success", queued_at=T0, duration_s=60)
    at = [T0 + dt.timedelta(hours=4, minutes=2)]
    ev, _ = evaluator(web, receiver, at, stale_after=dt.timedelta(hours=4))
    assert ev.evaluate("demo") == ["opened demo/stale_data"]


def test_failed_runs_do_not_make_data_fresh(web, receiver):
    add_run(web.engine, status="success", queued_at=T0, duration_s=60)
    add_run(web.engine, status="failed", queued_at=T0 + dt.timedelta(hours=24))
    at = [T0 + dt.timedelta(hours=27)]
    ev, _ = evaluator(web, receiver, at)
    assert "opened demo/stale_data" in ev.evaluate("demo")


def test_a_source_that_never_ran_has_no_verdict(web, receiver):
    at = [T0 + dt.timedelta(days=30)]
    ev, _ = evaluator(web, receiver, at)
    assert ev.evaluate("demo") == []
