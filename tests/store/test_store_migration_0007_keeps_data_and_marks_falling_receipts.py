"""Upgrading a store that an older potrack filled (at revision 0006) to 0007 keeps every row and adds, for the old
rows: `po_lines.received_decreased`, true only for a line whose stored change events show its quantity_received
falling (compared as numbers: 10 → 4 fell, 4 → 10 rose, whatever the text order, and only within its own
source); change events of custom columns under the column's lower-case name (canonical fields unchanged);
`runs.accept_removals` false and `runs.notes` NULL; `failed_rows.location` NULL. The SQL written out for a SQL
Server DBA from 0006 uses TRY_CAST (SQL Server may evaluate a cast before the field test) and adds the flag as
`BIT NOT NULL DEFAULT 0`."""

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from potrack.store.engine import alembic_config, current_revision, ensure_schema, make_engine
from tests.support.cli import run_cli_process
from tests.support.store import METRICS as RUN_METRICS

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 11, 1, 2, 0)
METRICS = ("rows_done", *RUN_METRICS)
NEW_COLUMNS = {  # added since 0006 (by 0007, rows_total_estimated by 0008, upload_id by 0009)
    "runs": {"notes", "accept_removals", "rows_total_estimated", "upload_id"},
    "po_lines": {"received_decreased"},
    "failed_rows": {"location"},
    "change_events": set(),
    "receipt_batches": set(),
}


def table(conn: sa.Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=conn)


def old_run(conn: sa.Connection, source: str, minutes: int) -> int:
    runs = table(conn, "runs")
    at = T0 + dt.timedelta(minutes=minutes)
    return conn.execute(
        runs.insert()
        .values(
            source=source,
            trigger="schedule",
            status="success",
            baseline=minutes == 0,
            queued_at=at,
            started_at=at,
            finished_at=at,
            duration_s=1.5,
            **{name: 1 for name in METRICS},
        )
        .returning(runs.c.id)
    ).scalar_one()


def old_line(conn: sa.Connection, run_id: int, source: str, line: int, received: float) -> None:
    conn.execute(
        table(conn, "po_lines")
        .insert()
        .values(
            source=source,
            po_number="PO1",
            line_number=line,
            item_code=f"ITEM-{line}",
            supplier_code="SUP1",
            description=f"line {line}",
            uom="EA",
            quantity_ordered=10.0,
            quantity_received=received,
            unit_price=2.5,
            currency="EUR",
            order_date=dt.date(2026, 10, 1),
            promised_date=dt.date(2026, 12, 9),
            need_by_date=None,
            status="open",
            buyer="alice",
            plant="P100",
            internal_part_id=f"PART-{line}",
            custom={"udf_project": "beta"},
            digest=1000 + line,
            first_seen_run_id=run_id,
            last_changed_run_id=run_id,
            active=True,
        )
    )


def old_event(
    conn: sa.Connection,
    run_id: int,
    source: str,
    line: int,
    kind: str,
    field: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> None:
    conn.execute(
        table(conn, "change_events")
        .insert()
        .values(
            run_id=run_id,
            source=source,
            po_number="PO1",
            line_number=line,
            kind=kind,
            field=field,
            old_value=old,
            new_value=new,
        )
    )


@pytest.fixture
def store_at_0006(store_url):
    engine = make_engine(store_url)
    command.upgrade(alembic_config(engine), "0006")
    with engine.begin() as conn:
        first, second, other = old_run(conn, "erp", 0), old_run(conn, "erp", 60), old_run(conn, "other", 0)
        for line, received in ((1, 4.0), (2, 10.0), (3, 0.0)):
            old_line(conn, first, "erp", line, received)
            old_event(conn, first, "erp", line, "new")
        old_line(conn, other, "other", 1, 10.0)  # the same key in another source, whose received rose
        old_event(conn, second, "erp", 1, "changed", "quantity_received", "10", "4")  # fell
        old_event(conn, second, "erp", 1, "changed", "promised_date", "2026-12-01", "2026-12-09")
        old_event(conn, second, "erp", 2, "changed", "quantity_received", "4", "10")  # rose
        old_event(conn, second, "erp", 2, "changed", "status", "open", "closed")
        old_event(conn, second, "erp", 3, "changed", "UDF_Project", "alpha", "beta")  # a custom column
        old_event(conn, other, "other", 1, "changed", "quantity_received", "4", "10")
        conn.execute(
            table(conn, "receipt_batches")
            .insert()
            .values(
                run_id=first,
                source="erp",
                po_number="PO1",
                line_number=2,
                quantity=4.0,
                cumulative_received=4.0,
                received_at=T0,
            )
        )
        conn.execute(
            table(conn, "failed_rows")
            .insert()
            .values(
                run_id=second,
                source="erp",
                stage="validate",
                row_key="PO1/9",
                raw_data='{"po_number": "PO1"}',
                error="quantity_ordered: not a number: 'ten'",
                retry_count=0,
            )
        )
    return engine, {"first": first, "second": second, "other": other}


def everything(engine: sa.Engine) -> dict[str, list[dict]]:
    """Every row of the tables the upgrade touches, by id, without the columns 0007 adds."""
    with engine.connect() as conn:
        out = {}
        for name, added in NEW_COLUMNS.items():
            t = table(conn, name)
            rows = conn.execute(sa.select(t).order_by(t.c.id)).mappings().all()
            out[name] = [{k: v for k, v in r.items() if k not in added} for r in rows]
    return out


def test_upgrade_to_0007_keeps_every_row_and_fills_the_new_columns(store_at_0006):
    engine, runs = store_at_0006
    before = everything(engine)

    ensure_schema(engine)

    assert current_revision(engine) == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    after = everything(engine)
    for name in ("runs", "po_lines", "receipt_batches", "failed_rows"):
        assert after[name] == before[name], name
    with engine.connect() as conn:
        flags = conn.execute(
            sa.text(
                "SELECT source, po_number, line_number, received_decreased FROM po_lines ORDER BY source, line_number"
            )
        ).all()
        fields = conn.execute(
            sa.text("SELECT run_id, line_number, kind, field, old_value, new_value FROM change_events ORDER BY id")
        ).all()
        added_run = conn.execute(sa.text("SELECT id, accept_removals, notes FROM runs ORDER BY id")).all()
        locations = conn.execute(sa.text("SELECT row_key, location FROM failed_rows")).all()
    assert [tuple(r) for r in flags] == [
        ("erp", "PO1", 1, True),
        ("erp", "PO1", 2, False),
        ("erp", "PO1", 3, False),
        ("other", "PO1", 1, False),
    ]
    first, second, other = runs["first"], runs["second"], runs["other"]
    assert [tuple(r) for r in fields] == [
        (first, 1, "new", None, None, None),
        (first, 2, "new", None, None, None),
        (first, 3, "new", None, None, None),
        (second, 1, "changed", "quantity_received", "10", "4"),
        (second, 1, "changed", "promised_date", "2026-12-01", "2026-12-09"),
        (second, 2, "changed", "quantity_received", "4", "10"),
        (second, 2, "changed", "status", "open", "closed"),
        (second, 3, "changed", "udf_project", "alpha", "beta"),
        (other, 1, "changed", "quantity_received", "4", "10"),
    ]
    assert [tuple(r) for r in added_run] == [(first, False, None), (second, False, None), (other, False, None)]
    assert [tuple(r) for r in locations] == [("PO1/9", None)]
    # Apart from the renamed field, the change events are the ones the old store held.
    renamed = [{**e, "field": "UDF_Project"} if e["field"] == "udf_project" else e for e in after["change_events"]]
    assert renamed == before["change_events"]


def test_the_sql_server_script_from_0006_uses_try_cast_and_adds_the_flag_as_a_bit(workdir):
    proc = run_cli_process(workdir, "db", "sql", "--dialect", "mssql", "--from", "0006")
    assert proc.returncode == 0, proc.stderr
    assert "-- Running upgrade 0006 -> 0007" in proc.stdout and "0005" not in proc.stdout
    assert "ALTER TABLE po_lines ADD received_decreased BIT NOT NULL DEFAULT 0;" in proc.stdout
    assert "TRY_CAST (change_events.new_value AS FLOAT) < TRY_CAST (change_events.old_value AS FLOAT)" in proc.stdout
    assert "UPDATE alembic_version SET version_num='0007' WHERE alembic_version.version_num = '0006';" in proc.stdout
