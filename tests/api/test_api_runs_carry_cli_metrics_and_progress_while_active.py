"""Each run the API lists carries the fields of the CLI's --json report under the same names, who queued it and
when (ISO 8601 UTC), and while queued or running its progress: stage, rows done of total, percent, elapsed time."""

import datetime as dt

from potrack.clock import utcnow
from tests.support.personas import client_as
from tests.support.web import add_run, demo_run


def listed(run_id):
    body = client_as("vera").get("/api/runs").get_json()
    return next(r for r in body["results"] if r["run_id"] == run_id)


def test_a_finished_run_has_every_cli_json_field_with_the_same_values_and_no_progress(web):
    report = demo_run(web, 0)
    run = listed(report.run_id)
    assert {k: run[k] for k in report.as_json()} == report.as_json()
    assert run["custom_values"] > 0 and run["trigger"] == "schedule" and "progress" not in run
    assert {"retry_of", "requested_by", "queued_at", "started_at", "finished_at"} <= set(run)


def test_times_are_iso_8601_utc(web):
    run = listed(demo_run(web, 0).run_id)
    for key in ("queued_at", "started_at", "finished_at"):
        assert run[key].endswith("Z") and dt.datetime.fromisoformat(run[key]).utcoffset() == dt.timedelta(0)


def test_a_running_run_reports_its_stage_rows_percent_and_elapsed_time(web):
    started = utcnow() - dt.timedelta(seconds=90)
    run_id = add_run(
        web.engine, status="running", queued_at=started, stage="validate", rows_done=2500, rows_total=10_000
    )
    progress = listed(run_id)["progress"]
    assert {k: progress[k] for k in ("stage", "rows_done", "rows_total", "percent")} == {
        "stage": "validate",
        "rows_done": 2500,
        "rows_total": 10_000,
        "percent": 25,
    }
    assert 90 <= progress["elapsed_s"] < 120


def test_a_running_run_with_an_unknown_total_has_no_percent_yet(web):
    run_id = add_run(web.engine, status="running", stage="extract", rows_done=700, rows_total=None)
    assert listed(run_id)["progress"]["percent"] is None


def test_a_queued_run_has_progress_with_no_stage_and_no_elapsed_time(web):
    run_id = add_run(web.engine, status="queued")
    assert listed(run_id)["progress"] == {
        "stage": None,
        "rows_done": 0,
        "rows_total": None,
        "rows_total_estimated": False,
        "percent": None,
        "elapsed_s": None,
    }


def test_the_run_detail_carries_the_same_fields_and_progress(web):
    run_id = add_run(web.engine, status="running", stage="diff", rows_done=5, rows_total=10)
    detail = client_as("vera").get(f"/api/runs/{run_id}").get_json()
    run = {k: v for k, v in listed(run_id).items() if k != "progress"}
    assert detail.items() >= run.items()
    assert detail["progress"]["percent"] == 50


def test_an_estimated_total_says_so_and_its_percent_stops_short_of_100(web):
    run_id = add_run(
        web.engine, status="running", stage="extract", rows_done=10_500, rows_total=10_500, rows_total_estimated=True
    )
    progress = listed(run_id)["progress"]
    assert (progress["rows_total"], progress["rows_total_estimated"], progress["percent"]) == (10_500, True, 99)
