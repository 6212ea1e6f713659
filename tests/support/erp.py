"""A test ERP: a real SQLite file with one po_lines snapshot table and an xref table, its rows and its config."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.services import free_port

ERP_COLUMNS = (
    "po_number",
    "line_number",
    "item_code",
    "supplier_code",
    "description",
    "uom",
    "quantity_ordered",
    "quantity_received",
    "unit_price",
    "currency",
    "order_date",
    "promised_date",
    "need_by_date",
    "status",
    "buyer",
    "plant",
    "udf_1",
    "udf_3",
)


def erp_line(po: str, line: int, **values: Any) -> dict[str, Any]:
    """A valid ERP row with sensible defaults; keyword arguments override any column."""
    row: dict[str, Any] = {
        "po_number": po,
        "line_number": line,
        "item_code": f"ITEM-{line}",
        "supplier_code": "SUP1",
        "description": f"{po} line {line}",
        "uom": "EA",
        "quantity_ordered": 100,
        "quantity_received": 0,
        "unit_price": 2.5,
        "currency": "EUR",
        "order_date": "2026-10-01",
        "promised_date": "2026-12-01",
        "need_by_date": "2026-12-05",
        "status": "open",
        "buyer": "alice",
        "plant": "P100",
        "udf_1": None,
        "udf_3": None,
    }
    row.update(values)
    return row


@dataclass
class Erp:
    """A real ERP database in a SQLite file: one po_lines snapshot table and an xref table."""

    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Replace the snapshot with these rows (the ERP's state tonight)."""
        con = sqlite3.connect(self.path)
        with con:
            con.execute("DROP TABLE IF EXISTS po_lines")
            con.execute(f"CREATE TABLE po_lines ({', '.join(ERP_COLUMNS)})")
            con.executemany(
                f"INSERT INTO po_lines VALUES ({', '.join('?' * len(ERP_COLUMNS))})",
                [tuple(r.get(c) for c in ERP_COLUMNS) for r in rows],
            )
        con.close()

    def write_xref(self, mapping: dict[str, str]) -> None:
        con = sqlite3.connect(self.path)
        with con:
            con.execute("DROP TABLE IF EXISTS xref")
            con.execute("CREATE TABLE xref (item_code TEXT, internal_part_id TEXT)")
            con.executemany("INSERT INTO xref VALUES (?, ?)", list(mapping.items()))
        con.close()


@pytest.fixture
def erp(tmp_path: Path) -> Erp:
    """An ERP SQLite file with an empty snapshot and an xref for ITEM-1 .. ITEM-9."""
    e = Erp(tmp_path / "erp.sqlite")
    e.write([])
    e.write_xref({f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)})
    return e


def sql_source_config(erp: Erp, name: str = "erp", extra: str = "") -> str:
    """A potrack.toml with one sql source reading the test ERP, its xref and two custom columns."""
    return f"""
[[sources]]
name = "{name}"
kind = "sql"
url = "{erp.url}"
query = "SELECT * FROM po_lines"
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ query = "SELECT item_code, internal_part_id FROM xref" }}
retry = {{ attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
{extra}
"""


def unreachable_erp_url() -> str:
    """An ERP database URL whose server refuses every connection (nothing listens on its port): a transient error,
    as when the ERP is down. (A SQLite file that does not exist is a permanent error: a wrong path.)"""
    return f"postgresql+psycopg://erp@127.0.0.1:{free_port()}/erp"


def day(n: int) -> str:
    """An ISO date n days after 2026-12-01."""
    return (dt.date(2026, 12, 1) + dt.timedelta(days=n)).isoformat()
