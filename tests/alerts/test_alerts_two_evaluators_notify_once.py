"""Two evaluators at once (two app instances, or the minute job and a run's end) open one alert and queue one
notification per channel; two deliverers at once send each notification once."""

import dataclasses
import datetime as dt

import pytest

from potrack.alerts.delivery import deliver_pending
from potrack.alerts.evaluate import Evaluator
from potrack.config.alerts import AlertSettings, ChannelConfig
from tests.support.store import store_rows
from tests.support.timing import all_at_once
from tests.support.web import add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def test_two_evaluators_at_once_open_one_alert_and_two_deliverers_send_it_once(web, receiver):
    for n in range(2):
        add_run(web.engine, status="failed", queued_at=T0 + dt.timedelta(hours=n), error="extract: refused")
    alerts = AlertSettings(channels=(ChannelConfig("hook", "webhook", url=receiver.url),))
    settings = dataclasses.replace(web.settings, alerts=alerts)
    evaluators = [Evaluator(settings, web.engine, clock=lambda: T0 + dt.timedelta(hours=3)) for _ in range(4)]

    changes = all_at_once(*[lambda e=e: e.evaluate("demo") for e in evaluators])

    assert sorted(c for cs in changes for c in cs) == ["opened demo/consecutive_failures"]
    assert len(store_rows(web.engine, "SELECT id FROM alert_notifications")) == 1
    delivered = all_at_once(*[lambda: deliver_pending(web.engine, alerts) for _ in range(4)])
    assert sum(delivered) == 1 and len(receiver.posts) == 1
