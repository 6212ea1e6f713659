"""An upload that removes more lines than the source allows fails its run at the removal guard, as a nightly
snapshot does; an admin may send it with accept_removals=true (audited as a warning), an operator may not (403)."""

from __future__ import annotations

import app
from potrack.pipeline.runner import Pipeline
from tests.support.personas import persona_tokens
from tests.support.store import audit_events
from tests.support.uploads import SAMPLE, SOURCE, multipart, post_upload

DATA = SAMPLE.read_bytes()
FIVE_LINES = b"".join(DATA.splitlines(keepends=True)[:6])  # the header and the first five of the 30 lines


def post_accepting(token: str, data: bytes):
    body, content_type = multipart("five.csv", data)
    return app.server.test_client().post(
        f"/api/uploads?source={SOURCE}&accept_removals=true",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_only_an_admin_lets_an_upload_past_the_removal_guard(upload_web):
    tokens = persona_tokens(upload_web.engine)
    pipeline = Pipeline(upload_web.settings, upload_web.engine)
    assert pipeline.execute(post_upload(tokens["operator"], DATA).get_json()["run_id"]).status == "success"

    refused = post_accepting(tokens["operator"], FIVE_LINES)
    assert refused.status_code == 403 and "needs the admin role" in refused.get_json()["message"]

    taken = post_accepting(tokens["admin"], FIVE_LINES)
    assert taken.status_code == 202
    report = pipeline.execute(taken.get_json()["run_id"])
    assert (report.status, report.metrics.lines_removed) == ("success", 25)
    [received] = [
        e for e in audit_events(upload_web.engine, taken.get_json()["run_id"]) if e["event_type"] == "upload.received"
    ]
    assert received["severity"] == "warning" and "accepting removals beyond the source's limit" in received["message"]
