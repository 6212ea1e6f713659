"""POST /api/runs {"source", "baseline"}: 202 with the queued manual run (requested by the caller, audited);
409 while the source has a run queued or running; 400 naming `source` for an unknown one; bad bodies are 400."""

import pytest
import sqlalchemy as sa

from potrack.store.models import AuditEvent, Run
from tests.support.personas import client_as
from tests.support.web import add_run


def runs(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(Run.id, Run.source, Run.status, Run.trigger, Run.requested_by, Run.baseline).order_by(Run.id)
        ).all()


def test_a_run_is_queued_in_the_callers_name_and_audited(web):
    answer = client_as("otto").post("/api/runs", json={"source": "demo"})
    assert answer.status_code == 202
    run_id = answer.get_json()["run_id"]
    assert answer.get_json() == {"run_id": run_id, "status": "queued"}
    assert answer.headers["Location"] == f"/api/runs/{run_id}"
    assert runs(web.engine) == [(run_id, "demo", "queued", "manual", "otto", False)]
    with web.engine.connect() as conn:
        events = conn.execute(
            sa.select(AuditEvent.event_type, AuditEvent.actor, AuditEvent.run_id).where(
                AuditEvent.event_type == "ingestion.requested"
            )
        ).all()
    assert events == [("ingestion.requested", "otto", run_id)]


def test_a_baseline_run_can_be_asked_for(web):
    answer = client_as("ada").post("/api/runs", json={"source": "demo", "baseline": True})
    assert answer.status_code == 202 and runs(web.engine)[0][-1] is True


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_source_with_an_active_run_is_409_and_nothing_more_is_queued(web, status):
    active = add_run(web.engine, status=status)
    answer = client_as("otto").post("/api/runs", json={"source": "demo"})
    assert answer.status_code == 409
    assert answer.get_json() == {
        "error": "conflict",
        "run_id": active,
        "message": f"demo already has run #{active} queued or running; try again when it has finished",
    }
    assert len(runs(web.engine)) == 1


def test_an_unknown_source_is_400_naming_source(web):
    answer = client_as("otto").post("/api/runs", json={"source": "nope"})
    body = answer.get_json()
    assert answer.status_code == 400 and (body["error"], body["parameter"]) == ("bad_parameter", "source")
    assert "no source named 'nope'" in body["message"] and "configured: demo" in body["message"]
    assert runs(web.engine) == []


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({}, "source"),
        ({"source": 7}, "source"),
        ({"source": "demo", "baseline": "yes"}, "baseline"),
        ({"source": "demo", "priority": 1}, "priority"),
    ],
)
def test_a_bad_field_is_400_naming_it(web, body, parameter):
    answer = client_as("otto").post("/api/runs", json=body)
    assert answer.status_code == 400 and answer.get_json()["parameter"] == parameter
    assert runs(web.engine) == []


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", '"demo"'])
def test_a_body_that_is_not_a_json_object_is_400(web, data):
    answer = client_as("otto").post("/api/runs", data=data, content_type="application/json")
    assert answer.status_code == 400 and answer.get_json()["error"] == "bad_body"
    assert runs(web.engine) == []


def test_a_session_post_that_is_not_json_is_refused_as_a_cross_site_form_would_be(web):
    answer = client_as("otto").post("/api/runs", data={"source": "demo"})
    assert answer.status_code == 415 and answer.get_json()["error"] == "unsupported_media_type"
    assert runs(web.engine) == []
