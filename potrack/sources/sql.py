"""A source read with SQLAlchemy from any database URL, streamed with fetchmany."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from potrack.redact import safe_reason
from potrack.sources.base import Snapshot, Source, xref_mapping
from potrack.sources.errors import SourceError

log = logging.getLogger("potrack.sources.sql")


def stream_cursor(cursor: object, batch_size: int) -> Iterator[list]:
    """Yield fetchmany batches from a DB-API cursor until it is exhausted."""
    while True:
        rows = cursor.fetchmany(batch_size)  # type: ignore[attr-defined]
        if not rows:
            return
        yield rows


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
        raw = conn.connection
        try:
            total = self._count(raw)
            cursor = raw.cursor()
            cursor.execute(self.cfg.query)
            columns = [d[0] for d in cursor.description]
            yield Snapshot(columns=columns, batches=stream_cursor(cursor, batch_size), rows_total=total)
        finally:
            conn.close()
            engine.dispose()

    def _count(self, raw: Any) -> int | None:
        """Best effort: a source whose query cannot be wrapped simply shows no total."""
        cursor = raw.cursor()
        try:
            cursor.execute(count_query(self.cfg.query))
            return int(cursor.fetchone()[0])
        except Exception as exc:  # the count is only for the progress bar
            log.info("source %s: no row count for progress (%s)", self.name, safe_reason(exc))
            raw.rollback()  # PostgreSQL refuses every later statement of an aborted transaction
            return None
        finally:
            cursor.close()

    def query_xref(self, query: str) -> dict[str, str]:
        engine = self._engine()
        try:
            with engine.connect() as conn:
                result = conn.exec_driver_sql(query)
                return xref_mapping(list(result.keys()), result.all(), "the xref query")
        finally:
            engine.dispose()
