"""GET /api/runs/<id>: why a run failed (error, stage, attempts, check problems), its rejected rows, unmapped codes,
the run it retried and the runs that retried it; 404 JSON for an unknown run."""

from tests.support.personas import client_as
from tests.support.web import add_run, demo_run


def detail(run_id):
    answer = client_as("vera").get(f"/api/runs/{run_id}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_failed_run_has_its_error_stage_and_every_attempt(web):
    report = demo_run(web, 0, fail="unreachable")
    run = detail(report.run_id)
    assert (run["status"], run["error_stage"]) == ("failed", "extract") and "unreachable" in run["error"]
    assert [a["attempt"] for a in run["attempts"]] == [1, 2, 3]
    assert all("unreachable" in a["error"] and a["at"].endswith("Z") for a in run["attempts"])
    assert (run["changes"], run["changes_total"], run["rejected"], run["rejected_total"]) == ([], 0, [], 0)


def test_a_partial_run_has_its_rejected_rows_with_raw_data_and_its_unmapped_codes(web):
    demo_run(web, 0)
    report = demo_run(web, 4)
    run = detail(report.run_id)
    assert run["status"] == "partial" and run["rejected_total"] == len(run["rejected"]) == 5
    bad = next(r for r in run["rejected"] if "quantity_ordered" in r["error"])
    assert (bad["stage"], bad["source"], bad["raw"]["quantity_ordered"]) == ("validate", "demo", "n/a")
    listed = client_as("vera").get(f"/api/failed-rows?run_id={report.run_id}&resolved=false").get_json()["results"]
    assert bad["id"] in {r["id"] for r in listed}  # the id to retry it by
    assert len(run["unmapped"]) == report.metrics.xref_gaps
    assert all(set(u) == {"item_code", "lines"} and u["lines"] > 0 for u in run["unmapped"])
    assert run["changes_total"] == report.metrics.change_events + report.metrics.lines_new


def test_check_problems_come_as_a_list_of_lines_with_secrets_masked(web):
    run_id = add_run(web.engine, status="partial", check_problems="3 lines missing\nsource said PWD=hunter2")
    run = detail(run_id)
    assert run["check_problems"] == ["3 lines missing", "source said PWD=***"]
    assert detail(add_run(web.engine))["check_problems"] == []


def test_an_error_stored_with_a_secret_is_shown_masked(web):
    run = detail(add_run(web.engine, status="failed", error="connect failed: PWD=hunter2;UID=po"))
    assert run["error"] == "connect failed: PWD=***;UID=po"


def test_retry_of_and_retried_by_link_a_run_and_its_retries(web):
    failed = add_run(web.engine, status="failed")
    retries = [add_run(web.engine, status="failed", trigger="retry", retry_of=failed) for _ in range(2)]
    assert detail(failed)["retried_by"] == retries and detail(failed)["retry_of"] is None
    assert detail(retries[0])["retry_of"] == failed and detail(retries[0])["retried_by"] == []


def test_an_unknown_run_is_404_json(web):
    answer = client_as("vera").get("/api/runs/999")
    assert answer.status_code == 404 and answer.get_json() == {"error": "not_found", "message": "there is no run #999"}
    for url in ("/api/runs/abc", "/api/runs/0", "/api/runs/99999999999999999999"):
        answer = client_as("vera").get(url)
        assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"
