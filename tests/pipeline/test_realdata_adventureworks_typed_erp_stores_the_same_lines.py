"""Real ERP data from a typed database: the AdventureWorks view copied into PostgreSQL with the column types the
tables declare (NUMERIC as Decimal, DATETIME as timestamp, integer ids) stores exactly the lines the same view
gives from SQLite, where the same values arrive as text, ints and floats. Both are read in one potrack.toml, one
source each, so the only difference is what the driver delivers."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.support import adventureworks as aw
from tests.support.cli import run_cli
from tests.support.services import PgSchema
from tests.support.store import lines
from tests.support.workdir import open_store, write_config

VIEWED_TABLES = ("PurchaseOrderDetail", "PurchaseOrderHeader", "Product", "Vendor", "ProductVendor")
# What differs by source and run, not by data: the row id, the source, the runs.
BOOKKEEPING = {"id", "source", "first_seen_run_id", "last_changed_run_id"}


@pytest.fixture(scope="session")
def adventureworks_data() -> Path:
    """The data's directory, found once (before `workdir` clears POTRACK_* settings such as POTRACK_REALDATA)."""
    return aw.realdata_dir()


def declared_types(con: sqlite3.Connection) -> dict[str, str]:
    """The type each column of the view's tables declares (the first table naming it wins, as in the view)."""
    found: dict[str, str] = {}
    for table in VIEWED_TABLES:
        for _cid, name, declared, *_ in con.execute(f"PRAGMA table_info({table})"):
            found.setdefault(name, declared.upper())
    return found


def postgresql_type(declared: str) -> str:
    if declared.startswith("NUMERIC"):
        return declared.lower()
    if declared in ("INTEGER", "SMALLINT", "TINYINT", "BIT"):
        return "bigint"
    return "timestamp" if declared == "DATETIME" else "text"


def typed(pg_type: str, value: Any) -> Any:
    """A value as the typed database holds it (what its driver gives back)."""
    if value is None:
        return None
    if pg_type.startswith("numeric"):
        return Decimal(str(value))
    if pg_type == "bigint":
        return int(value)
    return dt.datetime.fromisoformat(str(value)) if pg_type == "timestamp" else str(value)


def copy_view_typed(erp: aw.AwErp, schema: PgSchema) -> None:
    """The view's rows and the xref query's rows as typed PostgreSQL tables (a repeated view column gets _2, _3)."""
    con = sqlite3.connect(erp.path)
    cursor = con.execute("SELECT * FROM po_lines_v")
    columns, rows = [d[0] for d in cursor.description], cursor.fetchall()
    types = [postgresql_type(declared_types(con).get(c, "TEXT")) for c in columns]
    xref = con.execute(aw.XREF_QUERY).fetchall()
    con.close()
    seen: dict[str, int] = {}
    names = []
    for column in columns:
        seen[column.lower()] = seen.get(column.lower(), 0) + 1
        names.append(column if seen[column.lower()] == 1 else f"{column}_{seen[column.lower()]}")
    engine = schema.engine()
    with engine.begin() as conn:
        definition = ", ".join(f'"{n}" {t}' for n, t in zip(names, types, strict=True))
        conn.exec_driver_sql(f"CREATE TABLE po_lines_v ({definition})")
        marks = ", ".join(["%s"] * len(columns))
        conn.exec_driver_sql(
            f"INSERT INTO po_lines_v VALUES ({marks})",
            [tuple(typed(t, v) for t, v in zip(types, row, strict=True)) for row in rows],
        )
        conn.exec_driver_sql("CREATE TABLE xref (item_code text, internal_part_id text)")
        conn.exec_driver_sql("INSERT INTO xref VALUES (%s, %s)", xref)
        delivered = conn.exec_driver_sql('SELECT "UnitPrice", "DueDate", "OrderQty" FROM po_lines_v LIMIT 1').one()
    engine.dispose()
    assert [type(v) for v in delivered] == [Decimal, dt.datetime, int]  # the driver delivers typed values


def test_the_view_from_a_typed_postgresql_erp_stores_what_the_sqlite_view_stores(
    adventureworks_data: Path, workdir: Path, pg_schema: PgSchema
):
    erp = aw.AwErp.build(adventureworks_data, workdir / "adventureworks.sqlite")
    copy_view_typed(erp, pg_schema)
    typed_source = aw.source_toml(
        "aw_typed",
        f'kind = "sql"\nurl = "{pg_schema.url}"\nquery = "SELECT * FROM po_lines_v"\n'
        'xref = { query = "SELECT item_code, internal_part_id FROM xref" }',
    )
    write_config(workdir, aw.sql_source_toml("aw", erp) + typed_source)
    for source in ("aw", "aw_typed"):
        code, reports = run_cli("--source", source)
        assert code == 0 and reports[0]["lines_processed"] == 8845, reports
    engine = open_store().engine

    def data(source: str) -> dict[tuple[str, int], dict[str, Any]]:
        return {k: {f: v for f, v in row.items() if f not in BOOKKEEPING} for k, row in lines(engine, source).items()}

    from_sqlite, from_typed = data("aw"), data("aw_typed")
    assert len(from_sqlite) == 8845
    differing = sorted(k for k in from_sqlite.keys() | from_typed.keys() if from_sqlite.get(k) != from_typed.get(k))
    assert differing == [], [(k, from_sqlite.get(k), from_typed.get(k)) for k in differing[:3]]
