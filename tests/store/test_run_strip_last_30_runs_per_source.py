"""The Overview's strip: each source's last 30 snapshot runs, oldest first, read in one query for every source;
row retries are left out, a source without runs has an empty strip."""

import datetime as dt

import pytest

from potrack.store.run_strip import last_runs
from tests.support.web import UTC, add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


def test_each_source_gets_its_last_30_snapshot_runs_oldest_first(web):
    demo = [add_run(web.engine, queued_at=T0 + n * DAY, lines_processed=n) for n in range(35)]
    erp = [add_run(web.engine, source="erp", status="failed", queued_at=T0 + n * DAY) for n in range(3)]
    add_run(web.engine, trigger="row_retry", queued_at=T0 + 40 * DAY)  # a row retry is not a snapshot
    running = add_run(web.engine, status="running", queued_at=T0 + 41 * DAY)
    with web.engine.connect() as conn:
        strips = last_runs(conn, ["demo", "erp", "csv"])
    assert [r.id for r in strips["demo"]] == demo[-29:] + [running]
    assert [r.status for r in strips["demo"]][-2:] == ["success", "running"]
    assert strips["demo"][0].lines_processed == 6 and strips["demo"][0].queued_at == T0 + 6 * DAY
    assert [(r.id, r.status) for r in strips["erp"]] == [(i, "failed") for i in erp]
    assert strips["csv"] == []


def test_the_strip_length_is_a_parameter(web):
    ids = [add_run(web.engine, queued_at=T0 + n * DAY) for n in range(5)]
    with web.engine.connect() as conn:
        assert [r.id for r in last_runs(conn, ["demo"], per_source=2)["demo"]] == ids[-2:]
