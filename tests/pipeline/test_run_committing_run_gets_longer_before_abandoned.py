"""A run in its commit stage is not abandoned after 5 minutes without a heartbeat, only after 60.

On SQLite the heartbeat cannot be written while the run's own write transaction holds the lock, and a
very large baseline commits for minutes.
"""

import datetime as dt

import pytest
import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store import runs
from potrack.store.models import Run
from tests.support.erp import sql_source_config
from tests.support.runs import queue_run
from tests.support.web import claim_alive
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def _running(engine, source: str, stage: str, heartbeat_age: dt.timedelta) -> int:
    with engine.begin() as conn:
        run_id = queue_run(conn, source, "manual")
    assert claim_alive(engine, run_id)  # its process lives: only its heartbeat can tell it stopped
    with engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == run_id).values(stage=stage, heartbeat_at=utcnow() - heartbeat_age))
    return run_id


def test_committing_run_survives_ten_minutes_without_heartbeat_but_not_an_hour(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    engine = open_store().engine
    # Three sources: the store lets one run per source be running at a time.
    extracting = _running(engine, "erp", "extract", dt.timedelta(minutes=10))
    committing = _running(engine, "erp2", "commit", dt.timedelta(minutes=10))
    stuck = _running(engine, "erp3", "commit", dt.timedelta(minutes=61))

    assert sorted(runs.abandon_stale_runs(engine)) == sorted([extracting, stuck])

    with engine.connect() as conn:
        status = dict(conn.execute(sa.select(Run.id, Run.status)).all())
    assert status == {extracting: "abandoned", committing: "running", stuck: "abandoned"}
