"""A source muted until a time opens no alert (and its mute is audited once); after the mute the rules apply again.
With remind_every, a still-firing alert is reminded once per period; without it, never."""

import dataclasses
import datetime as dt

from potrack.alerts.evaluate import Evaluator
from potrack.config.alerts import AlertSettings, ChannelConfig, RuleSettings
from tests.support.store import store_rows
from tests.support.web import add_run

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
HOOK = ChannelConfig("hook", "webhook", url="http://127.0.0.1:9/never-called")


def failing_history(engine):
    for n in range(2):
        add_run(engine, status="failed", queued_at=T0 + dt.timedelta(hours=n), error="extract: refused")


def evaluator(web, at, **alerts):
    settings = dataclasses.replace(web.settings, alerts=AlertSettings(channels=(HOOK,), **alerts))
    return Evaluator(settings, web.engine, clock=lambda: at[0])


def test_a_muted_source_opens_nothing_until_the_mute_ends_and_the_mute_is_audited_once(web):
    failing_history(web.engine)
    until = T0 + dt.timedelta(hours=6)
    at = [T0 + dt.timedelta(hours=3)]
    ev = evaluator(web, at, per_source={"demo": RuleSettings(muted_until=until)})
    assert ev.evaluate("demo") == [] and ev.evaluate("demo") == []
    [muted] = store_rows(web.engine, "SELECT source, message FROM audit_events WHERE event_type = 'alert.muted'")
    assert muted["source"] == "demo" and until.isoformat() in muted["message"]
    at[0] = until + dt.timedelta(minutes=1)
    assert ev.evaluate("demo") == ["opened demo/consecutive_failures"]


def test_a_firing_alert_is_reminded_once_per_period(web):
    failing_history(web.engine)
    at = [T0 + dt.timedelta(hours=3)]
    ev = evaluator(web, at, remind_every=dt.timedelta(hours=6))
    assert ev.evaluate("demo") == ["opened demo/consecutive_failures"]
    at[0] += dt.timedelta(hours=5)
    assert ev.evaluate("demo") == []
    at[0] += dt.timedelta(hours=1, minutes=1)
    assert ev.evaluate("demo") == ["reminded demo/consecutive_failures"]
    assert ev.evaluate("demo") == []
    events = [r["event"] for r in store_rows(web.engine, "SELECT event FROM alert_notifications ORDER BY id")]
    assert events == ["opened", "reminder"]


def test_without_remind_every_a_firing_alert_is_never_reminded(web):
    failing_history(web.engine)
    at = [T0 + dt.timedelta(hours=3)]
    ev = evaluator(web, at)
    ev.evaluate("demo")
    at[0] += dt.timedelta(hours=20)
    assert ev.evaluate("demo") == []
    assert store_rows(web.engine, "SELECT event FROM alert_notifications") == [{"event": "opened"}]
