"""A source read with SQLAlchemy from any database URL, streamed in batches (server-side where the driver buffers)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.pool import NullPool

from potrack.redact import safe_reason
from potrack.sources.base import Snapshot, Source, xref_mapping
from potrack.sources.errors import SourceError

log = logging.getLogger("potrack.sources.sql")


def stream_cursor(cursor: DBAPICursor, batch_size: int) -> Iterator[list[Any]]:
    """Yield fetchmany batches from a DB-API cursor until it is exhausted."""
    while True:
        rows = cursor.fetchmany(batch_size)
        if not rows:
            return
        yield cast(list[Any], rows)  # (the DB-API types it a Sequence; pyodbc, sqlite3 and psycopg give lists)


def count_query(query: str) -> str:
    """SQL that counts the rows a source query returns."""
    # The closing parenthesis on a line of its own: a query may end in a `--` comment.
    return f"SELECT COUNT(*) FROM (\n{query.rstrip().rstrip(';')}\n) potrack_count"


class SqlSource(Source):
    """Reads the configured query through the DB-API connection of a SQLAlchemy engine."""

    @property
    def url(self) -> str:
        return self.cfg.url or ""

    def _engine(self) -> sa.Engine:
        url = make_url(self.url)
        database = url.database or ""
        if url.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not database.startswith("file:"):
            return self._sqlite_file_engine(Path(database))
        return sa.create_engine(self.url, poolclass=NullPool)

    @staticmethod
    def _sqlite_file_engine(path: Path) -> sa.Engine:
        """An ERP in a SQLite file, opened read-only: a wrong path fails naming it instead of creating an empty
        database (which would then fail with "no such table")."""
        if not path.is_file():
            raise SourceError(f"ERP database file not found: {path}", transient=False)
        uri = f"{path.resolve().as_uri()}?mode=ro"
        return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        engine = self._engine()
        try:
            # Connect through SQLAlchemy (not raw_connection()), so a failed connect arrives wrapped as
            # sqlalchemy.exc.OperationalError & co. and is classified like every other SQLAlchemy error.
            conn = engine.connect()
        except BaseException:
            engine.dispose()
            raise
        try:
            conn.execution_options(no_parameters=True)  # the query goes as written: a % in it is no placeholder
            total = self._count(conn) if self.counts_rows() else None
            # stream_results: a server-side cursor where the driver would otherwise fetch the whole result at
            # execute (psycopg, psycopg2, pymysql: a named cursor, FETCH batch by batch); a driver that streams
            # already (sqlite3, pyodbc, oracledb) ignores it. max_row_buffer keeps SQLAlchemy's own buffer to a batch.
            result = conn.execution_options(stream_results=True, max_row_buffer=batch_size).exec_driver_sql(
                self.cfg.query
            )
            batches = cast("Iterator[list]", result.partitions(batch_size))  # lists of Rows (tuples' sequence API)
            yield Snapshot(columns=list(result.keys()), batches=batches, rows_total=total)
        finally:
            conn.close()
            engine.dispose()

    def _count(self, conn: sa.Connection) -> int | None:
        """The exact total for progress = "count" (the ERP runs the query twice); best effort: a query that cannot
        be wrapped shows no total."""
        try:
            return int(conn.exec_driver_sql(count_query(self.cfg.query)).scalar_one())
        except Exception as exc:  # the count is only for the progress bar
            log.info("source %s: no row count for progress (%s)", self.name, safe_reason(exc))
            conn.rollback()  # PostgreSQL refuses every later statement of an aborted transaction
            return None

    def query_xref(self, query: str) -> dict[str, str]:
        engine = self._engine()
        try:
            with engine.connect() as conn:
                result = conn.execution_options(no_parameters=True).exec_driver_sql(query)  # % is no placeholder
                return xref_mapping(list(result.keys()), result.all(), "the xref query")
        finally:
            engine.dispose()
