"""A channel that refuses connections: each of its 3 attempts is stored with the error, the notification ends
failed, the other channel still gets its message, and the run that triggered the alert finished untouched — the
delivery happens on the deliverer's thread, not the run's."""

import dataclasses
import time

import sqlalchemy as sa

from jobs.alerting import start_alerting
from potrack.clock import utcnow
from potrack.config.alerts import AlertSettings, ChannelConfig
from potrack.runtime import Runtime
from potrack.store.models import AlertDelivery, AlertNotification
from tests.support.receivers import closed_port
from tests.support.web import demo_run


def test_a_refusing_channel_records_its_attempts_and_never_slows_the_run(web, receiver):
    down = ChannelConfig("down", "webhook", url=f"http://127.0.0.1:{closed_port()}/hook")
    up = ChannelConfig("up", "webhook", url=receiver.url)
    settings = dataclasses.replace(web.settings, alerts=AlertSettings(channels=(down, up)))
    alerting = start_alerting(Runtime(settings, web.engine))
    try:
        demo_run(web, 0, fail="unreachable")
        report = demo_run(web, 1, fail="unreachable")  # the second failure: the alert opens after this run
        returned_at = utcnow()
        assert report.status == "failed"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _finished(web.engine, 2):
            time.sleep(0.1)
    finally:
        alerting.stop()
    with web.engine.connect() as conn:
        states = dict(conn.execute(sa.select(AlertNotification.channel, AlertNotification.state)).all())
        attempts = conn.execute(
            sa.select(AlertDelivery.attempt, AlertDelivery.ok, AlertDelivery.error, AlertDelivery.at)
            .join(AlertNotification)
            .where(AlertNotification.channel == "down")
            .order_by(AlertDelivery.attempt)
        ).all()
    assert states == {"down": "failed", "up": "sent"}
    assert [(a, ok) for a, ok, _, _ in attempts] == [(1, False), (2, False), (3, False)]
    assert all("could not be reached" in error for _, _, error, _ in attempts)
    assert returned_at < attempts[-1].at  # the run had returned before its alert's deliveries were over
    assert [p["event"] for p in receiver.posts] == ["opened"]


def _finished(engine, count):
    with engine.connect() as conn:
        return (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(AlertNotification)
                .where(AlertNotification.state.in_(("sent", "failed")))
            ).scalar_one()
            == count
        )
