"""A source read through pyodbc (the SQL Server path), streamed with fetchmany."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from potrack.redact import safe_reason
from potrack.sources.base import Snapshot, Source, xref_mapping
from potrack.sources.sql import count_query, stream_cursor

log = logging.getLogger("potrack.sources.odbc")
LOGIN_TIMEOUT_S = 30


class OdbcSource(Source):
    """Reads the configured query with a pyodbc connection string."""

    def _connect(self) -> Any:
        import pyodbc  # imported here: pyodbc needs the system's unixODBC, only odbc sources do

        return pyodbc.connect(self.cfg.connection_string or "", timeout=LOGIN_TIMEOUT_S, autocommit=True)

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        conn = self._connect()
        try:
            cursor = conn.cursor()
            total = None
            try:
                total = int(cursor.execute(count_query(self.cfg.query)).fetchone()[0])
            except Exception as exc:  # the count is only for the progress bar
                log.info("source %s: no row count for progress (%s)", self.name, safe_reason(exc))
            cursor.execute(self.cfg.query)
            columns = [d[0] for d in cursor.description]
            yield Snapshot(columns=columns, batches=stream_cursor(cursor, batch_size), rows_total=total)
        finally:
            conn.close()

    def query_xref(self, query: str) -> dict[str, str]:
        conn = self._connect()
        try:
            cursor = conn.cursor().execute(query)
            return xref_mapping([d[0] for d in cursor.description], cursor.fetchall(), "the xref query")
        finally:
            conn.close()
