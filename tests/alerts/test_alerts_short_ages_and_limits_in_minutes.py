"""Ages and limits under an hour read in minutes (and seconds under five minutes) in the stale-data rule's words, its
thresholds on the alerts page and a notification's data age, never '0.0 h'."""

import datetime as dt

from potrack.alerts import message, rules
from potrack.alerts.inputs import rule_inputs
from potrack.config.alerts import RuleSettings
from potrack.web.alerts_view import thresholds
from tests.support.web import UTC, add_run

NOW = dt.datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
LIMIT = RuleSettings(stale_after=dt.timedelta(minutes=45))


def verdict(web, finished_ago):
    run = add_run(web.engine, queued_at=NOW - finished_ago, duration_s=0)
    with web.engine.connect() as conn:
        inputs = rule_inputs(conn, "demo", 2, 15)
    return run, rules.stale_data(inputs, LIMIT, "0 2 * * *", UTC, NOW)


def test_a_fresh_run_under_a_45_minute_limit_is_minutes_old(web):
    run, fresh = verdict(web, dt.timedelta(minutes=20))
    assert fresh.holds is False and fresh.message == f"last completed run #{run} is 20 min old (limit 45 min)"


def test_stale_data_under_an_hour_says_how_many_minutes(web):
    run, stale = verdict(web, dt.timedelta(minutes=50, seconds=20))
    assert stale.holds and stale.message == f"no completed run for 50 min: the last was #{run} (limit 45 min)"


def test_the_alerts_page_words_a_short_limit_in_minutes():
    assert thresholds("stale_data", LIMIT, "0 2 * * *", UTC, NOW) == "no completed run for 45 min (stale_after)"
    short = RuleSettings(stale_grace=dt.timedelta(minutes=2, seconds=30))
    assert thresholds("stale_data", short, "*/10 * * * *", UTC, NOW) == (
        "no completed run for 12 min (longest gap of the schedule 10 min + grace 2 min 30 s)"
    )


def test_a_notification_gives_the_data_s_age_in_minutes_and_seconds():
    facts = message.facts(
        event="opened",
        source="demo",
        rule="stale_data",
        message="…",
        since=NOW,
        dashboard_url="http://potrack.test",
        run_id=7,
        last_ok=(7, NOW - dt.timedelta(minutes=2, seconds=30)),
        now=NOW,
        failure=None,
    )
    assert "Last successful run: #7 at 2026-11-22T05:57:30+00:00 (data 2 min 30 s old)" in message.body(facts)
