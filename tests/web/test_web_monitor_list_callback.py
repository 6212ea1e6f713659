"""The monitor's list callback: cards newest first with every metric, paging, empty states, the latest-failure
banner and highlighted card, the live progress bar, and a tick that runs only while something is queued or running."""

import datetime as dt

from dash import no_update

from pages.runs import refresh_runs
from potrack.pipeline.outcome import RunMetrics
from potrack.store import runs
from tests.support.personas import acting_as
from tests.support.web import UTC, add_run, of_type, text

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def refresh(search="", shown=()):
    """The callback's nine outputs by name (its Output list in pages/runs.py, in order)."""
    keys = ("cards", "summaries", "classes", "pages", "count", "banner", "run_now", "tick_disabled", "statuses")
    outputs = refresh_runs(search, [], None, None, [{"type": "run-summary", "index": i} for i in shown])
    return dict(zip(keys, outputs, strict=True))


def card_ids(cards):
    return [c.id["index"] for c in of_type(cards, "run-card")]


def test_cards_are_newest_first_with_every_metric(web):
    older = add_run(web.engine, queued_at=T0, trigger="manual")
    newer = add_run(
        web.engine,
        queued_at=T0 + HOUR,
        lines_processed=1234,
        lines_new=5,
        change_events=17,
        batches_reconstructed=3,
        xref_gaps=2,
        errors=0,
        duration_s=4.2,
    )
    out = refresh()
    assert card_ids(out["cards"]) == [newer, older]
    first = text(out["cards"][0])
    for shown in (
        "demo",
        "schedule",
        "success",
        "4.20 s",
        "1,234",
        "lines processed",
        "5",
        "new lines",
        "17",
        "change events",
        "3",
        "batches",
        "2",
        "xref gaps",
        "errors",
        "2026-11-01 03:00 UTC",
    ):
        assert shown in first
    assert "manual" in text(out["cards"][1])
    assert out["count"] == "2 runs · newest first · page 1 of 1" and out["tick_disabled"] is True


def test_the_url_selects_the_page_and_the_filters(web):
    for n in range(60):
        add_run(web.engine, queued_at=T0 + n * HOUR, status="failed" if n % 2 else "success")
    assert len(card_ids(refresh("?page=2")["cards"])) == 10
    failed = refresh("?status=failed")
    assert failed["pages"] == 1 and failed["count"].startswith("30 runs")
    assert "success" not in text(failed["cards"])


def test_empty_results_say_so_plainly(web):
    assert text(refresh()["cards"]) == "No runs yet."
    add_run(web.engine)
    assert text(refresh("?status=abandoned")["cards"]) == "No runs match these filters."


def test_latest_failure_shows_a_banner_with_the_reason_and_its_card_is_highlighted(web):
    add_run(web.engine, queued_at=T0)
    failed = add_run(
        web.engine, status="failed", queued_at=T0 + HOUR, error="extract: ERP unreachable", error_stage="extract"
    )
    out = refresh()
    banner = text(out["banner"])
    assert f"Open run #{failed}" in banner and "ERP unreachable" in banner and "demo failed" in banner
    assert "run-card-failed" in out["cards"][0].className and "run-card-failed" not in out["cards"][1].className
    add_run(web.engine, queued_at=T0 + 2 * HOUR)  # a later success clears the banner
    assert refresh()["banner"] == []


def test_a_running_run_shows_live_progress_and_keeps_the_tick_on(web):
    running = add_run(
        web.engine,
        status="running",
        stage="extract",
        rows_done=2500,
        rows_total=10000,
        started_at=dt.datetime.now(UTC) - dt.timedelta(seconds=90),
    )
    with acting_as(web.engine, "otto"):
        out = refresh()
    shown = text(out["cards"])
    assert "25 %" in shown and "2,500 / 10,000 rows" in shown and "stage extract" in shown and "1 min elapsed" in shown
    assert out["tick_disabled"] is False
    assert "Run demo now" in text(out["run_now"]) and f"Run #{running} is running." in text(out["run_now"])


def test_an_estimated_total_is_marked_and_its_percent_stops_short_of_100(web):
    add_run(
        web.engine, status="running", stage="extract", rows_done=10_200, rows_total=10_200, rows_total_estimated=True
    )
    with acting_as(web.engine, "otto"):
        shown = text(refresh()["cards"])
    assert "10,200 / ≈10,200 rows" in shown and "≈99 %" in shown and "100 %" not in shown


def test_a_tick_with_the_same_runs_redraws_only_their_summaries(web):
    run_id = add_run(web.engine, status="running", rows_done=10, rows_total=100)
    out = refresh(shown=[run_id])
    assert out["cards"] is no_update and len(out["summaries"]) == 1 and "10 %" in text(out["summaries"][0])
    assert out["statuses"] == ["running"]  # each card's data-status
    with web.engine.begin() as conn:
        runs.finish_run(conn, run_id, "success", RunMetrics(lines_processed=100), dt.datetime.now(UTC))
    out = refresh(shown=[run_id])
    assert "success" in text(out["summaries"][0]) and out["tick_disabled"] is True and out["statuses"] == ["success"]


def test_a_new_run_redraws_the_whole_list(web):
    first = add_run(web.engine, queued_at=T0)
    add_run(web.engine, status="queued", queued_at=T0 + HOUR)
    out = refresh(shown=[first])
    assert len(card_ids(out["cards"])) == 2 and out["summaries"] == [no_update] and out["tick_disabled"] is False
    assert out["statuses"] == [no_update]
