"""GET /api/health: public, the navbar's verdict, each source's latest run by identity and time only: no error
text (a failed run's error holding a password never shows), no secrets."""

import datetime as dt

import app
from pages._shell import current_health
from potrack.clock import utcnow
from tests.support.web import add_run, demo_run

LAST_RUN_FIELDS = {"id", "status", "trigger", "queued_at", "finished_at"}


def health():
    answer = app.server.test_client().get("/api/health")
    assert answer.status_code == 200 and answer.is_json
    return answer


def test_a_fresh_store_is_degraded_with_no_run_and_stale_data(web):
    body = health().get_json()
    assert body == {
        "status": "degraded",
        "sources": [{"name": "demo", "status": "degraded", "last_run": None, "last_success_at": None, "stale": True}],
    }


def test_a_recent_success_is_healthy_with_the_run_and_its_time(web):
    report = demo_run(web, 0)
    body = health().get_json()
    source = body["sources"][0]
    assert body["status"] == "healthy" == current_health().level
    assert source["last_run"]["id"] == report.run_id and source["last_run"]["status"] == "success"
    assert set(source["last_run"]) == LAST_RUN_FIELDS and source["stale"] is False
    finished = dt.datetime.fromisoformat(source["last_success_at"])
    assert finished.utcoffset() == dt.timedelta(0) and utcnow() - finished < dt.timedelta(minutes=1)


def test_a_failed_run_is_failing_and_its_error_text_is_nowhere_in_the_answer(web):
    demo_run(web, 0)
    failed = add_run(
        web.engine,
        status="failed",
        error="extract: login failed for DSN=erp;UID=po;PWD=hunter2",
        error_stage="extract",
        queued_at=utcnow() + dt.timedelta(seconds=1),
    )
    answer = health()
    body, raw = answer.get_json(), answer.get_data(as_text=True)
    assert body["status"] == "failing" == current_health().level
    last = body["sources"][0]["last_run"]
    assert (last["id"], last["status"]) == (failed, "failed") and set(last) == LAST_RUN_FIELDS
    for leak in ("hunter2", "PWD", "login failed", "extract"):
        assert leak not in raw
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_partial_run_is_degraded(web):
    demo_run(web, 0)
    demo_run(web, 4)
    assert health().get_json()["status"] == "degraded" == current_health().level


def test_health_takes_no_query_parameters(web):
    answer = app.server.test_client().get("/api/health?verbose=1")
    assert answer.status_code == 400 and answer.get_json()["parameter"] == "verbose"
