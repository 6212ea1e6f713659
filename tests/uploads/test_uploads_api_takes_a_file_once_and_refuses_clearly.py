"""POST /api/uploads on both stores: an operator's file is kept with its size, SHA-256 and rows (computed here with
hashlib and the csv module), queued as an upload run and audited; the run applies it; the same file again is 409
naming the earlier upload and its run, and nothing changes; a viewer is 403, a bad header 400, a source without
uploads 400, a session without its CSRF header 403; every refusal is audited and leaves no file behind."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

import app
from potrack.pipeline.runner import Pipeline
from potrack.store.models import AuditEvent, Run, Upload
from tests.support.personas import client_as, persona_tokens
from tests.support.uploads import SAMPLE, SOURCE, csrf_header, data_rows, multipart, post_upload

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

DATA = SAMPLE.read_bytes()
ROWS = data_rows(DATA)


def post(token: str, data: bytes = DATA, name: str = "po_lines.csv", source: str = SOURCE):
    return post_upload(token, data, name, source)


def table(engine, *columns, where=None):
    with engine.connect() as conn:
        query = sa.select(*columns).order_by(columns[0])
        return conn.execute(query if where is None else query.where(where)).all()


def kept_files(runtime):
    folder = runtime.settings.instance_dir / "uploads" / SOURCE
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def refusals(engine):
    return table(
        engine, AuditEvent.id, AuditEvent.actor, AuditEvent.message, where=AuditEvent.event_type == "upload.refused"
    )


def test_a_file_is_kept_queued_applied_and_refused_the_second_time(upload_web):
    engine, tokens = upload_web.engine, persona_tokens(upload_web.engine)
    answer = post(tokens["operator"])
    assert answer.status_code == 202
    body = answer.get_json()
    assert body == {"upload_id": body["upload_id"], "run_id": body["run_id"], "status": "queued"}
    assert answer.headers["Location"] == f"/api/runs/{body['run_id']}"
    sha = hashlib.sha256(DATA).hexdigest()
    assert table(engine, Upload.id, Upload.file_name, Upload.size_bytes, Upload.sha256, Upload.rows_total) == [
        (body["upload_id"], "po_lines.csv", len(DATA), sha, ROWS)
    ]
    assert kept_files(upload_web) == [f"{body['upload_id']}/po_lines.csv"]
    stored = upload_web.settings.instance_dir / "uploads" / SOURCE / str(body["upload_id"]) / "po_lines.csv"
    assert stored.read_bytes() == DATA
    [(run_trigger, run_upload, requested_by)] = table(engine, Run.trigger, Run.upload_id, Run.requested_by)
    assert (run_trigger, run_upload, requested_by) == ("upload", body["upload_id"], "token:operator-token")
    [(_, details, actor)] = table(
        engine, AuditEvent.id, AuditEvent.details, AuditEvent.actor, where=AuditEvent.event_type == "upload.received"
    )
    assert actor == "token:operator-token"
    assert details == {
        "accept_removals": False,
        "upload_id": body["upload_id"],
        "file_name": "po_lines.csv",
        "size_bytes": len(DATA),
        "sha256": sha,
        "rows_total": ROWS,
    }

    report = Pipeline(upload_web.settings, engine).execute(body["run_id"])
    assert (report.status, report.metrics.lines_processed, report.metrics.lines_new) == ("success", ROWS, ROWS)

    again = post(tokens["admin"], name="renamed.csv")
    [finished] = table(engine, Run.finished_at)
    applied = finished[0].astimezone(upload_web.settings.zone).strftime("%Y-%m-%d %H:%M %Z")
    assert again.status_code == 409
    assert again.get_json() == {
        "error": "conflict",
        "message": f"identical to upload #{body['upload_id']}, po_lines.csv, applied on {applied} in run "
        f"#{body['run_id']}",
        "run_id": body["run_id"],
        "upload_id": body["upload_id"],
    }
    assert len(table(engine, Run.id)) == 1 and len(table(engine, Upload.id)) == 1
    assert kept_files(upload_web) == [f"{body['upload_id']}/po_lines.csv"]
    [(_, actor, message)] = refusals(engine)
    assert actor == "token:admin-token" and message.startswith("upload of renamed.csv to buyer by token:admin-token")


def test_a_second_file_while_the_first_is_queued_is_409_naming_its_run(upload_web):
    tokens = persona_tokens(upload_web.engine)
    first = post(tokens["operator"]).get_json()
    other = post(tokens["operator"], DATA.replace(b"PRJ-ALPHA", b"PRJ-GAMMA"), name="other.csv")
    assert other.status_code == 409
    assert other.get_json()["message"] == (
        f"{SOURCE} already has run #{first['run_id']} queued or running; upload the file again when it has finished"
    )
    assert len(table(upload_web.engine, Upload.id)) == 1


def test_a_viewer_is_403_and_nothing_is_read_or_kept(upload_web):
    tokens = persona_tokens(upload_web.engine)
    answer = post(tokens["viewer"])
    assert answer.status_code == 403 and "needs the operator role" in answer.get_json()["message"]
    assert table(upload_web.engine, Upload.id) == [] and kept_files(upload_web) == []
    [(_, actor, message)] = refusals(upload_web.engine)
    assert actor == "token:viewer-token" and message.startswith("an upload to buyer by token:viewer-token refused")


@pytest.mark.parametrize(
    ("data", "parameter", "start"),
    [
        (DATA.replace(b"supplier_code,", b"vendor,", 1), "file", "file: line 1 (the header) has no column for"),
        (b"", "file", "file: line 1: the file is empty"),
        (DATA.replace(b"Washer", b"W\xe4sher"), "file", "file: line 2: bytes that are not valid utf-8 (0xE4)"),
    ],
)
def test_a_file_that_does_not_fit_is_400_naming_the_problem_and_nothing_is_kept(upload_web, data, parameter, start):
    answer = post(persona_tokens(upload_web.engine)["operator"], data)
    assert answer.status_code == 400
    assert answer.get_json()["parameter"] == parameter and answer.get_json()["message"].startswith(start)
    assert table(upload_web.engine, Upload.id) == [] and table(upload_web.engine, Run.id) == []
    assert kept_files(upload_web) == []
    assert len(refusals(upload_web.engine)) == 1


def test_a_source_that_takes_no_uploads_is_400_naming_source(upload_web):
    answer = post(persona_tokens(upload_web.engine)["operator"], source="nightly")
    assert answer.status_code == 400 and answer.get_json()["parameter"] == "source"
    assert answer.get_json()["message"] == (
        "source: nightly takes no uploaded files (set upload = true in its [[sources]] table)"
    )


def test_a_body_that_is_not_a_multipart_form_is_400(upload_web):
    answer = app.server.test_client().post(
        f"/api/uploads?source={SOURCE}",
        data=DATA,
        content_type="text/csv",
        headers={"Authorization": f"Bearer {persona_tokens(upload_web.engine)['operator']}"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "file: send the file as multipart/form-data, in the field 'file'"


def test_a_session_upload_needs_its_pages_csrf_header(upload_web):
    otto = client_as("otto")
    body, content_type = multipart("po_lines.csv", DATA)
    refused = otto.post(f"/api/uploads?source={SOURCE}", data=body, content_type=content_type)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.get_json()["message"]
    assert table(upload_web.engine, Upload.id) == []
    taken = otto.post(f"/api/uploads?source={SOURCE}", data=body, content_type=content_type, headers=csrf_header(otto))
    assert taken.status_code == 202
    assert table(upload_web.engine, Upload.uploaded_by) == [("otto",)]


def test_uploads_are_listed_newest_first_a_page_at_a_time(upload_web):
    tokens = persona_tokens(upload_web.engine)
    pipeline = Pipeline(upload_web.settings, upload_web.engine)
    sent = []
    for n in range(3):
        body = post(
            tokens["operator"], DATA.replace(b"PRJ-ALPHA", f"PRJ-{n}".encode()), name=f"night{n}.csv"
        ).get_json()
        pipeline.execute(body["run_id"])
        sent.append(body["upload_id"])
    viewer = app.server.test_client()
    headers = {"Authorization": f"Bearer {tokens['viewer']}"}
    seen, url = [], "/api/uploads?limit=2"
    while url:
        page = viewer.get(url, headers=headers).get_json()
        assert page["active_uploads"] == 0
        seen += [(u["upload_id"], u["file_name"], u["status"]) for u in page["recent_uploads"]]
        url = page["next"]
    assert seen == [(i, f"night{n}.csv", "success") for n, i in reversed(list(enumerate(sent)))]
