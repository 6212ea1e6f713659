"""Trends: four charts for a date range and source, built from SQL aggregates; baseline runs marked on the volume
charts; clear empty states."""

import datetime as dt
from zoneinfo import ZoneInfo

from dash import dcc

from pages.trends import layout, refresh_trends
from potrack import runtime
from potrack.store.run_history import OutcomeCount, RunPoint, RunSeries
from potrack.web.figures import duration_figure, lines_figure, outcomes_figure, volumes_figure
from tests.support.personas import client_as
from tests.support.web import UTC, add_run, find_by_id, text

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


def series(n=3):
    points = [RunPoint(i, T0 + i * DAY, "success", i == 0, 100 * i, 50.0 * i, i, 2 * i, 0.5 * i) for i in range(n)]
    return RunSeries(points, n)


def test_lines_figure_has_the_runs_and_their_trailing_average():
    fig = lines_figure(series(), ZoneInfo("Europe/Berlin"))
    assert [t["name"] for t in fig["data"]] == ["lines processed", "trailing 7-run average", "baseline"]
    assert fig["data"][0]["y"] == [0, 100, 200] and fig["data"][1]["y"] == [0.0, 50.0, 100.0]
    assert fig["data"][0]["x"][1] == "2026-11-02T03:00:00"  # local time of the display zone


def test_volume_and_duration_figures_have_one_point_per_run():
    volumes = volumes_figure(series(), UTC)
    assert [t["name"] for t in volumes["data"]] == ["new lines", "change events", "baseline"]
    assert volumes["data"][1]["y"] == [0, 2, 4] and duration_figure(series(), UTC)["data"][0]["y"] == [0.0, 0.5, 1.0]


def test_outcomes_figure_stacks_statuses_per_day():
    counts = [OutcomeCount(dt.date(2026, 11, 1), "success", 2), OutcomeCount(dt.date(2026, 11, 2), "failed", 1)]
    fig = outcomes_figure(counts)
    assert fig["layout"]["barmode"] == "stack" and [t["name"] for t in fig["data"]] == ["success", "failed"]
    assert fig["data"][0]["y"] == [2, 0] and fig["data"][1]["y"] == [0, 1]
    assert fig["data"][0]["x"] == ["2026-11-01", "2026-11-02"]


def test_callback_draws_four_charts_from_the_store(web):
    for n in range(10):
        add_run(web.engine, queued_at=T0 + n * DAY, status="failed" if n == 4 else "success", lines_processed=100 + n)
    *charts, note = refresh_trends("2026-11-01", "2026-11-30", "demo")
    assert all(isinstance(c, dcc.Graph) for c in charts)
    assert note.startswith("9 completed runs of demo between 2026-11-01 and 2026-11-30")
    outcomes = charts[2].figure
    assert {t["name"]: sum(t["y"]) for t in outcomes["data"]} == {"success": 9, "failed": 1}


def test_empty_range_and_empty_store_say_so(web):
    add_run(web.engine, queued_at=T0)
    *charts, _ = refresh_trends("2025-01-01", "2025-01-31", "demo")
    assert "No completed (success or partial) run of demo between 2025-01-01 and 2025-01-31." in text(charts[0])
    assert "No finished run of demo" in text(charts[2])
    assert text(refresh_trends(None, None, None)[0]) == "No source has runs yet."


def test_the_page_defaults_to_the_last_30_days_of_the_first_source(web):
    page = layout()
    dates = find_by_id(page, "trends-dates")
    assert (dates.end_date - dates.start_date).days == 29 and find_by_id(page, "trends-source").value == "demo"


def test_a_series_without_a_baseline_has_no_baseline_entry():
    later = RunSeries([p for p in series(4).points if p.id > 0], 3)
    assert "baseline" not in [t["name"] for t in lines_figure(later, UTC)["data"] + volumes_figure(later, UTC)["data"]]


def test_baseline_runs_are_marked_on_the_volume_charts_with_a_legend_entry_and_hover_text(web):
    made = []
    for n in range(8):
        baseline = n in (0, 5)  # the first run, and a new baseline taken later
        lines = 1000 if baseline else 900 + n
        at = T0 + n * DAY
        run = add_run(
            web.engine, queued_at=at, baseline=baseline, lines_processed=lines, lines_new=lines if baseline else n
        )
        made.append((run, at, baseline, lines))
    *charts, _ = refresh_trends("2026-11-01", "2026-11-30", "demo")
    tz = runtime.zone()
    baselines = [(run, at.astimezone(tz).replace(tzinfo=None).isoformat(), lines) for run, at, b, lines in made if b]
    for chart in charts[:2]:
        (marked,) = [t for t in chart.figure["data"] if t["name"] == "baseline"]
        assert marked["x"] == [x for _, x, _ in baselines] and marked["y"] == [lines for *_, lines in baselines]
        assert marked["marker"]["symbol"] != chart.figure["data"][0].get("marker", {}).get("symbol")
        assert marked["text"] == [f"run #{run}: a baseline, every line read as new" for run, *_ in baselines]
    hover = charts[0].figure["data"][0]["text"]
    assert [h.endswith(", baseline)") for h in hover] == [b for *_, b, _ in made]


def test_the_page_arrives_with_its_charts_drawn_and_redraws_only_on_a_change(web):
    for n in range(3):
        add_run(web.engine, queued_at=T0 + n * DAY, lines_processed=100 + n)
    page = layout(start="2026-11-01", end="2026-11-30", source="demo")
    drawn = [find_by_id(page, f"trends-{name}").children for name in ("lines", "volumes", "outcomes", "duration")]
    assert all(isinstance(chart, dcc.Graph) for chart in drawn)
    assert drawn[0].figure["data"][0]["y"] == [100, 101, 102]
    assert text(find_by_id(page, "trends-note")).startswith("3 completed runs of demo between 2026-11-01")
    dependencies = client_as("vera").get("/_dash-dependencies").get_json()  # what the browser is told to call
    (redraw,) = [c for c in dependencies if "trends-note.children" in c["output"]]
    assert redraw["prevent_initial_call"]  # the layout drew them: no second round trip for the same charts
