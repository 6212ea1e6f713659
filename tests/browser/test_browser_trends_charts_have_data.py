"""In real Chromium, /trends draws its four plotly charts over the default range (the last 30 days) with the
store's data: lines processed per completed run with the 7-run average, new lines and change events per run, run
outcomes per day stacked by status, duration per run."""

import collections
import datetime as dt

import pytest

from tests.support.browser import runs_in_store, sign_in

pytestmark = pytest.mark.browser
GRAPHS = ("lines", "volumes", "outcomes", "duration")


def traces(page, name):
    """The traces plotly drew in a graph: name, type, x and y."""
    return page.eval_on_selector(
        f"#trends-{name}-graph .js-plotly-plot",
        """plot => plot.data.map(
        t => ({name: t.name, type: t.type, x: Array.from(t.x), y: Array.from(t.y)}))""",
    )


def test_the_four_charts_are_drawn_with_the_stores_runs(history_app, page):
    today = dt.datetime.now(dt.UTC).date()
    window = [r for r in runs_in_store(history_app) if r["queued_at"].date() > today - dt.timedelta(days=30)]
    completed = sorted((r for r in window if r["status"] in ("success", "partial")), key=lambda r: r["queued_at"])
    assert len(completed) >= 20

    sign_in(page, history_app, "vera", "/trends")
    for name in GRAPHS:
        page.wait_for_selector(f"#trends-{name}-graph .main-svg")
    assert page.locator(".trends-empty").count() == 0
    assert page.inner_text("#trends-note").startswith(f"{len(completed)} completed runs of demo")

    lines, average, baseline = traces(page, "lines")
    assert lines["y"] == [r["lines_processed"] for r in completed]
    assert lines["x"] == [r["queued_at"].strftime("%Y-%m-%dT%H:%M:%S") for r in completed]
    assert average["name"] == "trailing 7-run average" and len(average["y"]) == len(completed)
    assert average["y"][6] == round(sum(r["lines_processed"] for r in completed[:7]) / 7, 1)

    assert baseline["name"] == "baseline" and baseline["y"] == [
        r["lines_processed"] for r in completed if r["baseline"]
    ]

    new, changes, _ = traces(page, "volumes")
    assert new["y"] == [r["lines_new"] for r in completed]
    assert changes["y"] == [r["change_events"] for r in completed]

    (duration,) = traces(page, "duration")
    assert duration["y"] == pytest.approx([r["duration_s"] for r in completed])

    per_day = collections.Counter((r["queued_at"].date().isoformat(), r["status"]) for r in window)
    drawn = {(x, t["name"]): y for t in traces(page, "outcomes") for x, y in zip(t["x"], t["y"], strict=True) if y}
    assert drawn == dict(per_day)
    assert {"success", "partial", "failed"} <= {status for _, status in drawn}

    # plotly really drew them: one marker per run, one bar segment per day and status
    assert page.locator("#trends-lines-graph .scatterlayer .trace:first-child .point").count() == len(completed)
    assert page.locator("#trends-outcomes-graph .barlayer .point path").count() >= len(drawn)
