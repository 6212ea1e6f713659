"""The alerts page's 'Rules per source', computed without Dash: each configured source's three rules with the
verdict's message as the evaluator words it, the thresholds (per source where set), the next expected run and when
the data turns stale, the alert firing for a rule, and the mute."""

import datetime as dt

from potrack.clock import utcnow
from potrack.schedule import next_fire
from potrack.web.alerts_view import source_rules
from tests.support.alerts import HOUR, evaluate, fail_twice
from tests.support.web import UTC, add_run


def rules_now(runtime, now):
    with runtime.engine.connect() as conn:
        return {s.source: s for s in source_rules(conn, runtime.settings, UTC, now)}


def by_rule(source_rules_):
    return {r.rule: r for r in source_rules_.rules}


def test_a_source_without_runs_has_no_verdict_yet_and_the_default_thresholds(alerts_web):
    now = utcnow()
    demo = rules_now(alerts_web, now)["demo"]
    rules = by_rule(demo)
    assert [r.rule for r in demo.rules] == ["consecutive_failures", "stale_data", "volume_drop", "new_xref_gap"]
    assert [rules[r].state for r in ("consecutive_failures", "stale_data", "volume_drop", "new_xref_gap")] == [
        "ok",
        "no verdict",
        "no verdict",
        "no verdict",
    ]
    assert rules["new_xref_gap"].thresholds == "off: set new_gap_value to be told of new unmapped item codes"
    assert rules["stale_data"].verdict.message == "no run yet"
    assert rules["consecutive_failures"].thresholds == "2 failed or abandoned runs in a row"
    assert rules["stale_data"].thresholds == (
        "no completed run for 26 h (longest gap of the schedule 24 h + grace 2 h)"
    )
    assert rules["volume_drop"].thresholds.startswith(
        "latest successful run more than 30% below the mean of the previous 14; from 7 successful runs"
    )
    assert demo.muted_until is None and demo.stale_since is None
    assert demo.next_run == next_fire("0 2 * * *", UTC, now)


def test_stale_data_shows_the_age_the_limit_the_next_run_and_when_it_turns_stale(alerts_web):
    now = utcnow()
    ok = add_run(alerts_web.engine, queued_at=now - 5 * HOUR, duration_s=0)
    demo = rules_now(alerts_web, now)["demo"]
    stale = by_rule(demo)["stale_data"]
    assert stale.verdict.message == f"last completed run #{ok} is 5 h old (limit 26 h)"
    assert (stale.state, stale.verdict.run_id) == ("ok", ok)
    assert demo.stale_since == now - 5 * HOUR + 26 * HOUR


def test_a_volume_drop_is_worded_as_the_evaluator_words_it_and_fires_once_evaluated(alerts_web):
    now = utcnow()
    for n, lines in enumerate([12_340] * 8 + [8_100]):
        add_run(alerts_web.engine, queued_at=now - dt.timedelta(hours=10 - n), lines_processed=lines)
    volume = by_rule(rules_now(alerts_web, now)["demo"])["volume_drop"]
    assert volume.verdict.message == "baseline 12,340 lines, latest 8,100: −34%"
    assert (volume.state, volume.alert, volume.anchor, volume.title) == ("holds", None, "volume-drop", "volume drop")
    assert "opened demo/volume_drop" in evaluate(alerts_web, now)
    volume = by_rule(rules_now(alerts_web, now)["demo"])["volume_drop"]
    assert volume.state == "firing" and volume.alert.message == volume.verdict.message


def test_a_source_s_own_thresholds_and_mute_are_shown(alerts_web):
    now = utcnow()
    ok = add_run(alerts_web.engine, source="night", queued_at=now - 5 * HOUR, duration_s=0)
    night = rules_now(alerts_web, now)["night"]
    rules = by_rule(night)
    assert night.muted_until == dt.datetime(2099, 1, 1, tzinfo=UTC)
    assert rules["consecutive_failures"].thresholds == "3 failed or abandoned runs in a row"
    assert rules["stale_data"].thresholds == "no completed run for 4 h (stale_after)"
    assert rules["stale_data"].verdict.message == f"no completed run for 5 h: the last was #{ok} (limit 4 h)"
    assert rules["stale_data"].state == "holds" and night.stale_since == now - HOUR
    assert evaluate(alerts_web, now) == []  # muted: it holds, yet no alert opens


def test_a_firing_consecutive_failures_alert_is_attached_to_its_rule(alerts_web):
    failed = fail_twice(alerts_web)
    evaluate(alerts_web)
    rules = by_rule(rules_now(alerts_web, utcnow())["demo"])
    streak = rules["consecutive_failures"]
    assert streak.state == "firing" and streak.alert.run_id == failed[-1]
    assert streak.verdict.message == (
        f"the last 2 runs failed (#{failed[0]}, #{failed[1]}); latest: extract: ERP unreachable"
    )


def test_a_mute_that_ended_is_not_shown(alerts_web):
    assert rules_now(alerts_web, dt.datetime(2099, 1, 2, tzinfo=UTC))["night"].muted_until is None
