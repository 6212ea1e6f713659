"""A Slack-compatible channel receives the incoming-webhook shape (text and blocks, the facts in a section); a
generic webhook receives the alert as one JSON object; a test notification says it is a test."""

import datetime as dt

from potrack.alerts import message
from potrack.alerts.delivery import deliver_pending
from potrack.config.alerts import AlertSettings, ChannelConfig
from potrack.store.alerts import queue_test

NOW = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)


def payload(event="opened"):
    return message.facts(
        event=event,
        source="erp",
        rule="stale_data",
        message="no completed run for 30.0 h",
        since=NOW,
        dashboard_url="http://potrack.test",
        run_id=7,
        last_ok=(7, NOW - dt.timedelta(hours=30)),
        now=NOW,
        failure=None,
    )


def test_slack_gets_text_and_blocks_and_a_webhook_gets_the_facts(web, receiver):
    channels = (ChannelConfig("slack", "slack", url=receiver.url), ChannelConfig("hook", "webhook", url=receiver.url))
    alerts = AlertSettings(channels=channels)
    for channel in ("slack", "hook"):
        queue_test(web.engine, channel, payload(), "ada", NOW)
    assert deliver_pending(web.engine, alerts) == 2
    slack, hook = receiver.posts
    assert slack["text"] == "[potrack] FIRING: erp — stale data"
    section = slack["blocks"][1]["text"]["text"]
    assert "Last successful run: #7" in section and "(data 30 h old)" in section
    assert "Runbook: http://potrack.test/runbook#stale-data" in section
    assert hook["source"] == "erp" and hook["data_age_hours"] == 30.0 and hook["subject"] == slack["text"]


def test_a_test_notification_says_so(web, receiver):
    alerts = AlertSettings(channels=(ChannelConfig("hook", "webhook", url=receiver.url),))
    queue_test(web.engine, "hook", payload("test"), "ada", NOW)
    deliver_pending(web.engine, alerts)
    [post] = receiver.posts
    assert post["subject"] == "[potrack] test notification" and "the channel works" in post["text"]
