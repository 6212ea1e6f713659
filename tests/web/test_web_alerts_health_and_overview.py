"""Firing alerts on the overview's rows (red for consecutive failures, amber for stale data and volume drops, the
message on hover) and in the health verdict: the navbar and /api/health turn Failing for a consecutive-failures
alert and at least Degraded for the others, with the alert's message among the reasons, until it resolves."""

import re

import app
from pages import overview
from pages._shell import current_health, refresh_health
from potrack.clock import utcnow
from tests.support.alerts import HOUR, evaluate, fail_twice
from tests.support.fragments import sent
from tests.support.personas import acting_as
from tests.support.web import add_run, of_type

BADGE = re.compile(r'<a href="(/alerts)" class="([^"]*alert-badge[^"]*)" title="([^"]*)">([^<]*)</a>')


def api_health():
    return app.server.test_client().get("/api/health").get_json()


def badges(runtime, source="demo"):
    """(href, classes, title, text) of each alert badge on the source's row."""
    with acting_as(runtime.engine, "vera"):
        rows, _ = overview.board()
    row = next(r for r in of_type(rows, "source-row") if r.id["source"] == source)
    return BADGE.findall(sent(row))


def test_a_consecutive_failures_alert_is_a_red_badge_and_keeps_health_failing_until_it_resolves(alerts_web):
    add_run(alerts_web.engine, source="night")
    fail_twice(alerts_web)
    evaluate(alerts_web)
    ((href, classes, title, shown),) = badges(alerts_web)
    assert shown.startswith("consecutive failed runs since ") and "text-bg-danger" in classes
    assert href == "/alerts" and title.startswith("the last 2 runs failed")
    add_run(alerts_web.engine)  # the next run succeeded; the rules are not evaluated yet
    health = current_health()
    assert health.level == "failing" == api_health()["status"]
    assert any(
        "alert consecutive failed runs firing since" in r and "the last 2 runs failed" in r for r in health.reasons
    )
    label, _href, title, classes = refresh_health(None, "/")
    assert label == "● Failing" and "the last 2 runs failed" in title and "text-bg-danger" in classes
    evaluate(alerts_web)
    assert current_health().level == "healthy" == api_health()["status"] and badges(alerts_web) == []


def test_a_stale_data_alert_is_amber_and_degrades_health_and_marks_the_source_stale(alerts_web):
    add_run(alerts_web.engine, queued_at=utcnow() - HOUR)
    add_run(alerts_web.engine, source="night", queued_at=utcnow() - HOUR)
    assert current_health().level == "healthy" == api_health()["status"]
    assert "opened demo/stale_data" in evaluate(alerts_web, utcnow() + 30 * HOUR)
    ((_href, classes, _title, shown),) = badges(alerts_web)
    assert shown.startswith("stale data since ") and "text-bg-warning" in classes
    health = current_health()
    assert health.level == "degraded" and any("alert stale data firing" in r for r in health.reasons)
    body = api_health()
    assert body["status"] == "degraded" and [(s["name"], s["status"], s["stale"]) for s in body["sources"]] == [
        ("demo", "degraded", True),
        ("night", "healthy", False),
    ]


def test_a_volume_drop_alert_degrades_health(alerts_web):
    now = utcnow()
    for n, lines in enumerate([1_000] * 8 + [300]):
        add_run(alerts_web.engine, queued_at=now - (10 - n) * HOUR, lines_processed=lines)
    add_run(alerts_web.engine, source="night", queued_at=now - HOUR)
    assert evaluate(alerts_web) == ["opened demo/volume_drop"]
    assert badges(alerts_web)[0][3].startswith("volume drop since ")
    health = current_health()
    assert health.level == "degraded" == api_health()["status"]
    # 300 lines against the average of the 8 runs before it (1,000): (300 - 1,000) / 1,000 = −70 %
    assert any("demo: volume −70 % vs the 8-run average (300 lines, average 1,000)" in r for r in health.reasons)
