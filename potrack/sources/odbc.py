"""A source read through pyodbc (the SQL Server path), streamed with fetchmany (psqlODBC told to stream too)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from potrack.redact import safe_reason
from potrack.sources.base import Snapshot, Source, xref_mapping
from potrack.sources.sql import count_query, stream_cursor

log = logging.getLogger("potrack.sources.odbc")
LOGIN_TIMEOUT_S = 30


# psqlODBC keeps a whole result in memory unless told to read it through a cursor, a Fetch of rows at a time.
DECLARE_FETCH = re.compile(r"(?i)(?:^|;)\s*UseDeclareFetch\s*=")


def streaming(connection_string: str, driver_name: str, batch_size: int) -> str | None:
    """The connection string that makes a buffering driver stream, or None when it streams already or the
    connection string chose for itself (psqlODBC: UseDeclareFetch)."""
    if "psqlodbc" not in driver_name.lower() or DECLARE_FETCH.search(connection_string):
        return None
    return f"{connection_string.rstrip().rstrip(';')};UseDeclareFetch=1;Fetch={batch_size}"


class OdbcSource(Source):
    """Reads the configured query with a pyodbc connection string."""

    def _connect(self, connection_string: str | None = None) -> Any:
        import pyodbc  # imported here: pyodbc needs the system's unixODBC, only odbc sources do

        return pyodbc.connect(
            connection_string or self.cfg.connection_string or "", timeout=LOGIN_TIMEOUT_S, autocommit=True
        )

    def _connect_streaming(self, batch_size: int) -> Any:
        """A connection whose driver hands the result over batch by batch (psqlODBC: reconnected to do so)."""
        import pyodbc

        conn = self._connect()
        again = streaming(self.cfg.connection_string or "", str(conn.getinfo(pyodbc.SQL_DRIVER_NAME)), batch_size)
        if again is None:
            return conn
        conn.close()
        log.info(
            "source %s: psqlODBC reads through a cursor (UseDeclareFetch=1;Fetch=%s); set UseDeclareFetch in "
            "the connection string to choose otherwise",
            self.name,
            batch_size,
        )
        return self._connect(again)

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        conn = self._connect_streaming(batch_size)
        try:
            cursor = conn.cursor()
            total = self._count(cursor) if self.counts_rows() else None
            cursor.execute(self.cfg.query)
            columns = [d[0] for d in cursor.description]
            yield Snapshot(columns=columns, batches=stream_cursor(cursor, batch_size), rows_total=total)
        finally:
            conn.close()

    def _count(self, cursor: Any) -> int | None:
        """The exact total for progress = "count" (the ERP runs the query twice); best effort, as SqlSource's."""
        try:
            return int(cursor.execute(count_query(self.cfg.query)).fetchone()[0])
        except Exception as exc:  # the count is only for the progress bar
            log.info("source %s: no row count for progress (%s)", self.name, safe_reason(exc))
            return None

    def query_xref(self, query: str) -> dict[str, str]:
        conn = self._connect()
        try:
            cursor = conn.cursor().execute(query)
            return xref_mapping([d[0] for d in cursor.description], cursor.fetchall(), "the xref query")
        finally:
            conn.close()
