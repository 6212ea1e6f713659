"""An upload-only source (upload = true, no path) has no scheduled job (its schedule only says when a file is
expected) and Run now is refused naming why; a retry of one of its upload runs reads the same file again, and after
a failed upload run the same file may be sent again."""

from __future__ import annotations

import pytest

from jobs.scheduler import build_scheduler
from potrack import actions
from potrack.auth.roles import Actor
from potrack.pipeline.runner import Pipeline
from potrack.store import retries
from tests.support.personas import persona_tokens
from tests.support.store import run_row
from tests.support.uploads import SAMPLE, SOURCE, post_upload

OTTO = Actor("otto", "operator")
DATA = SAMPLE.read_bytes()
FIVE_LINES = b"".join(DATA.splitlines(keepends=True)[:6])  # the header and the first five lines


def upload(token: str, data: bytes) -> dict:
    answer = post_upload(token, data, "lines.csv")
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()


def test_no_scheduled_job_reads_it(upload_web):
    scheduler = build_scheduler(upload_web)
    jobs = {job.id for job in scheduler.get_jobs()}
    assert "schedule:nightly" in jobs and f"schedule:{SOURCE}" not in jobs


def test_run_now_is_refused_naming_why(upload_web):
    with pytest.raises(actions.Refused) as refused:
        actions.run_now(OTTO, SOURCE)
    assert refused.value.kind == "conflict"
    assert refused.value.reason == (
        f"{SOURCE} is fed by uploaded files only (it has no path to read): upload a file instead"
    )


def test_a_retry_reads_the_same_file_and_a_failed_file_may_be_sent_again(upload_web):
    pipeline = Pipeline(upload_web.settings, upload_web.engine)
    token = persona_tokens(upload_web.engine)["operator"]
    first = upload(token, DATA)
    assert pipeline.execute(first["run_id"]).status == "success"
    # Five lines of thirty: the snapshot would remove 25 of 30 lines (83.3 %), beyond the 50 % guard.
    short = upload(token, FIVE_LINES)
    failed = pipeline.execute(short["run_id"])
    assert failed.status == "failed" and "remove 83.3 % of 30 active lines" in (failed.error or "")
    retry = retries.queue_retry(upload_web.engine, short["run_id"], "otto")
    assert run_row(upload_web.engine, retry.run_id)["upload_id"] == short["upload_id"]
    again = pipeline.execute(retry.run_id)
    assert (again.status, again.metrics.lines_processed) == ("failed", 5)
    assert again.error == failed.error
    resent = upload(token, FIVE_LINES)
    assert resent["upload_id"] != short["upload_id"]
