"""Fault: the ERP's database session is ended (pg_terminate_backend, as a DBA or a failover would) while a sql
source streams the snapshot from a PostgreSQL ERP. What must hold: the failed attempt is recorded as transient,
the extract is retried from scratch, and the run succeeds with the whole night stored once, exactly as the ERP
rows make it.

The killer is a thread outside potrack watching pg_stat_activity: the source streams through a server-side
cursor, a bare `FETCH FORWARD n FROM "..."` a round trip (SQLAlchemy fetches 1 row first, then more up to the
batch size of 10); the xref and the row count are other statements. The first `FETCH FORWARD 10` seen is the
snapshot's, with its first rows already read.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.support.erp import ERP_COLUMNS
from tests.support.faults import XREF, assert_lines_are_the_erps, night, plain_engine, run_here, store_url
from tests.support.services import PgSchema, SessionKiller, create_pg_schema
from tests.support.store import run_row, store_rows
from tests.support.workdir import write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL
LINES = 3000
ERP_TABLE = """CREATE TABLE po_lines (
    po_number text, line_number integer, item_code text, supplier_code text, description text, uom text,
    quantity_ordered numeric(19,4), quantity_received numeric(19,4), unit_price numeric(19,4), currency text,
    order_date date, promised_date date, need_by_date date, status text, buyer text, plant text, udf_1 text,
    udf_3 numeric(19,4)
)"""


@pytest.fixture
def pg_erp() -> Iterator[PgSchema]:
    """An ERP on the real PostgreSQL server in its own schema: po_lines holding night 1, and the xref."""
    schema = create_pg_schema("potrack_erp")
    engine = schema.engine()
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(ERP_TABLE))
            conn.execute(
                sa.text(f"INSERT INTO po_lines VALUES ({', '.join(':' + c for c in ERP_COLUMNS)})"), night(1, LINES)
            )
            conn.execute(sa.text("CREATE TABLE xref (item_code text, internal_part_id text)"))
            conn.execute(sa.text("INSERT INTO xref VALUES (:c, :p)"), [{"c": c, "p": p} for c, p in XREF.items()])
        yield schema
    finally:
        engine.dispose()
        schema.drop()


def test_an_erp_session_ended_mid_read_is_retried_and_the_night_is_stored_whole_once(workdir, pg_erp, store_backend):
    write_config(
        workdir,
        f"""
[[sources]]
name = "erp"
kind = "sql"
url = "{pg_erp.url}"
query = "SELECT * FROM po_lines"
batch_size = 10
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ query = "SELECT item_code, internal_part_id FROM xref" }}
retry = {{ attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
""",
    )
    killer = SessionKiller(pg_erp.name, "FETCH FORWARD 10 FROM %")
    killer.start()
    try:
        code, report = run_here()
    finally:
        killer.stop.set()
        killer.join(30)

    assert killer.killed is not None, "the watcher never saw the snapshot's session fetching"
    assert killer.killed.startswith("FETCH FORWARD 10 FROM ")  # a round trip of the snapshot's cursor
    assert (code, report["status"], report["retry_attempts"], report["errors"]) == (0, "success", 1, 0), report
    assert (report["lines_processed"], report["lines_new"]) == (LINES, LINES)
    engine = plain_engine(store_url(workdir, store_backend))
    [attempt] = store_rows(
        engine, "SELECT attempt, error, transient, wait_s FROM retry_attempts WHERE run_id = :r", r=report["run_id"]
    )
    assert attempt["attempt"] == 1 and attempt["transient"] and attempt["wait_s"] is not None
    assert attempt["error"].startswith("OperationalError: "), attempt["error"]  # the session's end, as the driver says
    assert run_row(engine, report["run_id"])["status"] == "success"
    assert_lines_are_the_erps(engine, night(1, LINES))
