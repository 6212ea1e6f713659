"""Volume drop: the latest successful run more than 30 % below the mean of the previous 14 successful runs fires;
no verdict before 7 successful runs or while that mean is under 100 lines; failed and partial runs stay out of
the baseline; a run back to normal resolves it."""

import dataclasses
import datetime as dt

from potrack.alerts.evaluate import Evaluator
from potrack.alerts.inputs import rule_inputs
from potrack.alerts.rules import volume_drop
from potrack.config.alerts import AlertSettings, RuleSettings
from tests.support.web import add_run

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)


def history(engine, lines, statuses=None):
    for n, count in enumerate(lines):
        status = (statuses or {}).get(n, "success")
        add_run(engine, status=status, queued_at=T0 + dt.timedelta(days=n), lines_processed=count)


DEFAULT_RULES = RuleSettings()


def verdict(web, rules=DEFAULT_RULES):
    with web.engine.connect() as conn:
        return volume_drop(rule_inputs(conn, "demo", 2, rules.volume_window + 1), rules)


def test_a_drop_of_more_than_30_percent_below_the_14_run_mean_fires(web):
    history(web.engine, [999] * 6 + [1000] * 14 + [650])
    v = verdict(web)
    assert v.holds is True and v.message == "baseline 1,000 lines, latest 650: −35%"
    assert v.facts == {"baseline": 1000.0, "latest": 650, "change_percent": -35.0, "window": 14}


def test_a_drop_of_30_percent_or_less_does_not(web):
    history(web.engine, [1000] * 14 + [700])
    assert verdict(web).holds is False


def test_no_verdict_before_seven_successful_runs(web):
    history(web.engine, [1000] * 5 + [10])  # six successful runs
    assert verdict(web).holds is None and "no verdict before 7" in verdict(web).message
    add_run(web.engine, status="success", queued_at=T0 + dt.timedelta(days=8), lines_processed=10)
    assert verdict(web).holds is True  # the seventh gives a verdict


def test_no_verdict_while_the_mean_is_under_100_lines(web):
    history(web.engine, [90] * 10 + [10])
    assert verdict(web).holds is None and "under 100" in verdict(web).message


def test_failed_and_partial_runs_stay_out_of_the_baseline(web):
    lines = [1000] * 14 + [200, 300, 650]
    history(web.engine, lines, statuses={14: "failed", 15: "partial"})
    v = verdict(web)
    assert v.facts["baseline"] == 1000.0 and v.holds is True


def test_the_alert_resolves_when_volume_is_back(web):
    history(web.engine, [1000] * 14 + [500])
    settings = dataclasses.replace(web.settings, alerts=AlertSettings(), timezone="UTC")
    at = [T0 + dt.timedelta(days=14, hours=1)]
    ev = Evaluator(settings, web.engine, clock=lambda: at[0])
    assert "opened demo/volume_drop" in ev.evaluate("demo")
    add_run(web.engine, status="success", queued_at=T0 + dt.timedelta(days=15), lines_processed=990)
    at[0] += dt.timedelta(days=1)
    assert "resolved demo/volume_drop" in ev.evaluate("demo")
