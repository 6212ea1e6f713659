"""A source read with SQLAlchemy from any database URL, streamed with fetchmany."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from potrack.redact import safe_reason
from potrack.sources.base import Snapshot, Source

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
        return sa.create_engine(self.url, poolclass=NullPool)

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
                rows = conn.exec_driver_sql(query).all()
        finally:
            engine.dispose()
        return {str(code).strip(): str(part).strip() for code, part in rows if code is not None and part is not None}
