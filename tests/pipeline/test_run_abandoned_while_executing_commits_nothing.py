"""A run that another instance marks abandoned while it still executes (its instance's lease had expired) commits
nothing when it gets to the end: its lines, events and batches roll back and it stays abandoned (the rows it
rejected stay recorded, as for any run, with their data); the source's next run then writes the lines."""

from contextlib import contextmanager

import pytest

from potrack.pipeline.runner import Pipeline
from potrack.sources.base import Snapshot
from potrack.sources.sql import SqlSource
from potrack.store import runs
from tests.support.erp import erp_line, sql_source_config
from tests.support.runs import queue_run
from tests.support.store import audit_events, failed_rows, lines, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


class AbandonedMidRead(SqlSource):
    """The real sql source; after its first batch, the run is abandoned as a surviving instance would do it."""

    def __init__(self, cfg, engine):
        super().__init__(cfg)
        self.store = engine

    @contextmanager
    def open(self, batch_size):
        with super().open(batch_size) as snap:

            def batches():
                for number, batch in enumerate(snap.batches):
                    if number == 1:
                        assert runs.abandon_stale_runs(self.store) != []  # no lease: the instance is gone
                    yield batch

            yield Snapshot(snap.columns, batches(), snap.rows_total)


def test_a_run_abandoned_mid_read_commits_nothing_and_stays_abandoned(workdir, erp):
    write_config(workdir, sql_source_config(erp, extra="batch_size = 2"))
    erp.write([erp_line("PO1", n) for n in range(1, 6)] + [erp_line("PO2", 1, unit_price="n/a")])
    runtime = open_store()
    with runtime.engine.begin() as conn:
        run_id = queue_run(conn, "erp", "manual")
    pipeline = Pipeline(
        runtime.settings,
        runtime.engine,
        instance_id="instance-that-was-taken-for-dead",
        source_factory=lambda cfg: AbandonedMidRead(cfg, runtime.engine),
    )

    report = pipeline.execute(run_id)

    assert report.status == "abandoned" and "nothing of it was committed" in report.error
    run = run_row(runtime.engine, run_id)
    assert run["status"] == "abandoned" and "stopped renewing its lease" in run["error"]
    assert run["lines_processed"] == 0 and lines(runtime.engine) == {}
    assert [e["event_type"] for e in audit_events(runtime.engine, run_id)] == ["ingestion.abandoned"]
    assert [(r["row_key"], r["raw"]["unit_price"]) for r in failed_rows(runtime.engine, run_id)] == [("PO2/1", "n/a")]

    later = Pipeline(runtime.settings, runtime.engine).run("erp")  # the source is free again
    assert later.status == "partial" and later.metrics.lines_new == 5 and len(lines(runtime.engine)) == 5
