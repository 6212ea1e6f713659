"""An ERP snapshot in PostgreSQL tables, read by the odbc source through the real psqlODBC driver.

The tables live in a scratch schema (tests/support/services.py). The connection string is DSN-less and passes libpq
options through psqlODBC's `pqopt`: `application_name` is the schema's name, so the test can find the ERP's
sessions in pg_stat_activity and the schema's drop ends any left over, and `search_path` is the schema, so the
source's queries name bare tables as they would on a real ERP.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support.erp import ERP_COLUMNS
from tests.support.memory import PO_LINES
from tests.support.services import (
    ODBC_DRIVER,
    PG_URL,
    PgSchema,
    create_pg_schema,
    missing_odbc,
    quiet_odbcinst,
    unavailable,
)

FETCH = 100  # rows psqlODBC fetches per round trip (its own default cache size)
PSQLODBC_LOGS = "/tmp/psqlodbc_*"


def odbc_connection_string(
    *,
    user: str | None = None,
    password: str | None = None,
    port: int | None = None,
    database: str | None = None,
    options: str = "",
) -> str:
    """A DSN-less psqlODBC connection string for the test server (POTRACK_TEST_PG_URL), ending in `options`."""
    url = sa.engine.make_url(PG_URL)
    parts = [
        f"DRIVER={{{ODBC_DRIVER}}}",
        f"SERVER={url.host or '127.0.0.1'}",
        f"PORT={port or url.port or 5432}",
        f"DATABASE={database or url.database}",
        f"UID={user or url.username}",
    ]
    if password or url.password:
        parts.append(f"PWD={password or url.password}")
    return ";".join(parts) + ";" + options


@dataclass
class OdbcErp:
    """PO lines and an xref table in a scratch schema, and how potrack reaches them over ODBC."""

    schema: PgSchema

    def connection_string(self, fetch: int | None = FETCH) -> str:
        """Streams with a server-side cursor of `fetch` rows a round trip (None: the whole result at once, chosen
        explicitly — an odbc source left to itself asks psqlODBC to stream)."""
        streaming = f"UseDeclareFetch=1;Fetch={fetch};" if fetch else "UseDeclareFetch=0;"
        return self.plain_connection_string() + streaming

    def plain_connection_string(self) -> str:
        """The ERP's connection string with no word on how to fetch, as a user would first write it."""
        libpq = f"pqopt={{application_name={self.schema.name} options=-csearch_path={self.schema.name}}};"
        return odbc_connection_string(options=libpq)

    def config(
        self,
        name: str = "erp",
        *,
        connection_string: str | None = None,
        query: str = '"SELECT * FROM po_lines"',
        extra: str = "",
    ) -> str:
        """A potrack.toml with one odbc source reading this ERP (query: a TOML string), its xref and two custom
        columns."""
        return f"""
[[sources]]
name = "{name}"
kind = "odbc"
connection_string = "{connection_string or self.connection_string()}"
query = {query}
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ query = "SELECT item_code, internal_part_id FROM xref" }}
retry = {{ attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
{extra}
"""

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Replace the snapshot with these rows (the ERP's state tonight), in typed columns (date, numeric)."""
        self._replace(
            "po_lines",
            PO_LINES.format(table="po_lines"),
            ERP_COLUMNS,
            [{c: r.get(c) for c in ERP_COLUMNS} for r in rows],
        )

    def write_xref(self, mapping: dict[str, str]) -> None:
        """Replace the xref table: item_code → internal_part_id."""
        self._replace(
            "xref",
            "CREATE TABLE xref (item_code text, internal_part_id text)",
            ("item_code", "internal_part_id"),
            [{"item_code": code, "internal_part_id": part} for code, part in mapping.items()],
        )

    def _replace(self, table: str, create: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        engine = self.schema.engine()
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
                conn.execute(sa.text(create))
                if rows:
                    conn.execute(
                        sa.text(
                            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
                        ),
                        rows,
                    )
        finally:
            engine.dispose()


def psqlodbc_logs_of(pid: int) -> dict[str, int]:
    """psqlODBC's /tmp log files of one process (named ..._<user><pid>.log), with their sizes."""
    return {path: os.path.getsize(path) for path in glob.glob(PSQLODBC_LOGS) if path.endswith(f"{pid}.log")}


@pytest.fixture
def odbc_erp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OdbcErp]:
    """An ERP in PostgreSQL reached through psqlODBC: an empty snapshot and an xref for ITEM-1 .. ITEM-9.

    ODBCSYSINI points at a copy of odbcinst.ini with CommLog=0, so the driver writes no /tmp/psqlodbc_*.log.
    """
    why = missing_odbc()
    if why:
        unavailable(why)
    monkeypatch.setenv("ODBCSYSINI", str(quiet_odbcinst(tmp_path / "odbc")))
    erp = OdbcErp(create_pg_schema("potrack_odbc"))
    try:
        erp.write([])
        erp.write_xref({f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)})
        yield erp
    finally:
        erp.schema.drop()
