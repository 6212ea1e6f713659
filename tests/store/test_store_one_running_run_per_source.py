"""The store lets one run per source be running at a time, whoever claims: a second claim of the same source
is refused until the first run ends, even when claims race; other sources are not held up."""

import pytest
import sqlalchemy as sa

from potrack.pipeline.outcome import RunMetrics
from potrack.store import runs
from potrack.store.models import Run
from tests.support.runs import queue_run
from tests.support.store import run_row
from tests.support.timing import all_at_once

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def queued(engine: sa.Engine, source: str) -> int:
    with engine.begin() as conn:
        return queue_run(conn, source, "manual")


def test_a_second_run_of_a_running_source_cannot_be_claimed_until_the_first_ends(web):
    first, second = queued(web.engine, "demo"), queued(web.engine, "demo")
    assert runs.claim_run(web.engine, first, "instance-a")
    assert not runs.claim_run(web.engine, second, "instance-b")
    assert run_row(web.engine, second)["status"] == "queued"
    with web.engine.begin() as conn:
        runs.finish_run(conn, first, "success", RunMetrics(), run_row(web.engine, first)["started_at"])
    assert runs.claim_run(web.engine, second, "instance-b")
    assert (run_row(web.engine, second)["status"], run_row(web.engine, second)["claimed_by"]) == (
        "running",
        "instance-b",
    )


def test_racing_claims_of_one_source_start_exactly_one_run(web):
    candidates = [queued(web.engine, "demo") for _ in range(8)]
    claimed = all_at_once(*[lambda i=i: runs.claim_run(web.engine, i, f"instance-{i}") for i in candidates])
    won = [run_id for run_id, ok in zip(candidates, claimed, strict=True) if ok]
    with web.engine.connect() as conn:
        running = conn.execute(sa.select(Run.id).where(Run.status == "running")).scalars().all()
    assert len(won) == 1 and running == won


def test_other_sources_claim_while_one_is_running(web):
    assert runs.claim_run(web.engine, queued(web.engine, "demo"))
    assert runs.claim_run(web.engine, queued(web.engine, "erp"))
