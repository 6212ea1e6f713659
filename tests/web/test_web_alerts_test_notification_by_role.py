"""Send test notification, POSTed to /_dash-update-component as the renderer sends it (a hidden button is no
protection): an admin's test reaches the real webhook receiver on 127.0.0.1 at once and its delivery shows on the
page (refreshing while it is on its way); an operator or a viewer is refused and nothing is queued; without a
session the answer is 401; a channel that is down shows each failed attempt."""

import pytest
import sqlalchemy as sa

import app
from pages import alerts
from potrack.clock import utcnow
from potrack.store import alerts as store
from potrack.store.models import AlertNotification, AuditEvent
from tests.support.alerts import REFUSED
from tests.support.callbacks import UPDATE, callback_body, prop, response_props
from tests.support.personas import acting_as, client_as
from tests.support.timing import wait_for
from tests.support.web import find_by_id, text

TOAST = "alerts-test-toast"
TOAST_PROPS = ("is_open", "children", "icon")


def click(client, channel):
    """Send test notification, clicked for a channel; the toast's props."""
    button = {"type": "alerts-test", "channel": channel}
    body = callback_body(
        client,
        {"type": "alerts-test", "channel": ["ALL"]},
        [prop(TOAST, p) for p in TOAST_PROPS],
        [[prop(button, "n_clicks", 1)]],
        [],
        [(button, "n_clicks")],
    )
    return client.post(UPDATE, json=body)


def notifications(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(AlertNotification.channel, AlertNotification.event, AlertNotification.state).order_by(
                AlertNotification.id
            )
        ).all()


def finished(engine):
    """Every notification once none is pending or being sent (else None)."""
    rows = notifications(engine)
    return rows if rows and all(r.state in ("sent", "failed") for r in rows) else None


def test_an_admin_s_test_reaches_the_channel_at_once_and_shows_as_sent(alerts_web, receiver):
    shown = response_props(click(client_as("ada"), "hook"), TOAST)
    assert (shown["is_open"], shown["icon"]) == (True, "success")
    assert shown["children"].startswith("Test notification #1 to hook is being sent")
    (post,) = wait_for(lambda: receiver.posts)
    assert (post["event"], post["subject"]) == ("test", "[potrack] test notification")
    assert post["runbook_url"] == "http://potrack.test:8050/runbook#testing-the-channels"
    assert wait_for(lambda: finished(alerts_web.engine)) == [("hook", "test", "sent")]
    with acting_as(alerts_web.engine, "vera"):
        log, stopped = alerts.refresh_tests(None, True)
    assert stopped is True and text(log).startswith("channel event state attempts queued hook test sent #1 ")
    with alerts_web.engine.connect() as conn:
        audited = conn.execute(
            sa.select(AuditEvent.actor, AuditEvent.message).where(AuditEvent.event_type == "alert.test_sent")
        ).all()
    assert audited == [("ada", "ada sent a test notification to hook")]


@pytest.mark.parametrize(("name", "role"), [("otto", "operator"), ("vera", "viewer")])
def test_operators_and_viewers_are_refused_and_nothing_is_queued(alerts_web, receiver, name, role):
    shown = response_props(click(client_as(name), "hook"), TOAST)
    assert shown["icon"] == "danger"
    assert shown["children"] == (
        f"Refused: {name} ({role}) may not change alert settings: it needs the admin role. Nothing was sent."
    )
    assert notifications(alerts_web.engine) == [] and receiver.posts == []


def test_without_a_session_the_answer_is_401(alerts_web, receiver):
    client = client_as("ada")  # (a session only to read the callbacks' dependencies)
    body = callback_body(
        client,
        {"type": "alerts-test", "channel": ["ALL"]},
        [prop(TOAST, p) for p in TOAST_PROPS],
        [[prop({"type": "alerts-test", "channel": "hook"}, "n_clicks", 1)]],
        [],
        [({"type": "alerts-test", "channel": "hook"}, "n_clicks")],
    )
    answer = app.server.test_client().post(UPDATE, json=body)
    assert answer.status_code == 401 and notifications(alerts_web.engine) == []


def test_an_unknown_channel_is_named_and_nothing_is_queued(alerts_web, receiver):
    shown = response_props(click(client_as("ada"), "pager"), TOAST)
    assert shown["icon"] == "warning"
    assert shown["children"] == "Not sent: no alert channel named 'pager' (configured: hook, mail)."
    assert notifications(alerts_web.engine) == []


def test_a_channel_that_is_down_shows_every_failed_attempt(alerts_web, receiver):
    assert response_props(click(client_as("ada"), "mail"), TOAST)["icon"] == "success"
    assert wait_for(lambda: finished(alerts_web.engine)) == [("mail", "test", "failed")]
    with acting_as(alerts_web.engine, "ada"):
        log, stopped = alerts.refresh_tests(None, True)
    shown = text(log)
    assert stopped is True and "mail test failed #1 " in shown and "#3 " in shown
    assert shown.count(REFUSED) == 3


def test_the_list_keeps_refreshing_while_a_test_is_on_its_way(alerts_web):
    store.queue_test(alerts_web.engine, "hook", {"event": "test"}, "ada", utcnow())
    with acting_as(alerts_web.engine, "ada"):
        log, stopped = alerts.refresh_tests(1, False)
        assert find_by_id(alerts.layout(), "alerts-tick").disabled is False
    assert stopped is False and "hook test pending not tried yet" in text(log)
