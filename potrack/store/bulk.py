"""Bulk statements executed with the driver's executemany, skipping per-row ORM and Core overhead.

The SQL is compiled once for the connection's dialect and the column types' bind processors are
applied by hand, so the same code is portable (SQLite, PostgreSQL, SQL Server) and costs a few
microseconds a row instead of tens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

BATCH = 5000


def _bind_type(dialect: sa.Dialect, type_: sa.types.TypeEngine[Any]) -> sa.types.TypeEngine[Any]:
    """The type whose bind processor converts a column's values.

    JSON columns take JSON text (callers serialise, and can cache), and on SQLite dates take ISO text.
    """
    if isinstance(type_, sa.JSON) or (isinstance(type_, sa.Date) and dates_as_text(dialect)):
        return sa.Text()
    return type_


class BulkStatement:
    """A statement with named parameters, compiled for the dialect: executed in batches, or fetched."""

    def __init__(
        self,
        dialect: sa.Dialect,
        stmt: sa.ClauseElement,
        names: Sequence[str],
        types: dict[str, sa.types.TypeEngine[Any]],
    ) -> None:
        compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))  # (a statement compiles with an SQLCompiler)
        self.sql = compiled.string
        self.positional = dialect.positional
        self.names = list(names)
        order = list(compiled.positiontup or []) if self.positional else self.names
        self._order = [self.names.index(n) for n in order]  # bind names are the names given, in SQL order
        self._order_names = order
        self._in_order = self._order == list(range(len(self.names)))
        self._procs: list[tuple[int, Callable[[Any], Any]]] = []
        for position, name in enumerate(order):
            type_ = types.get(name)
            proc = type_.dialect_impl(dialect).bind_processor(dialect) if type_ is not None else None
            if proc is not None:
                self._procs.append((position, proc))

    def _convert(self, row: Sequence[Any]) -> Any:
        values = list(row) if self._in_order else [row[i] for i in self._order]
        for position, proc in self._procs:
            values[position] = proc(values[position])
        return tuple(values) if self.positional else dict(zip(self._order_names, values, strict=True))

    def execute(self, conn: sa.Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Run the statement once per row (rows hold values in `names` order)."""
        for start in range(0, len(rows), BATCH):
            params = [self._convert(r) for r in rows[start : start + BATCH]]
            if params:
                conn.exec_driver_sql(self.sql, params)

    def fetch(self, conn: sa.Connection, params: Sequence[Any], size: int = 10_000) -> Iterator[list[Any]]:
        """Run a SELECT with one set of parameters and yield its rows in batches from the driver's cursor."""
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]  # (open: it has a driver connection)
        try:
            cursor.execute(self.sql, self._convert(params))
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            cursor.close()


def raw_rows(conn: sa.Connection, stmt: sa.Select[Any]) -> list[Any]:
    """All rows of a SELECT as the driver returns them: no per-value result processing (dates may be text)."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    bound = tuple(params[n] for n in compiled.positiontup or []) if conn.dialect.positional else params
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]  # (open: it has a driver connection)
    try:
        cursor.execute(compiled.string, bound)
        rows: list[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def dates_as_text(dialect: sa.Dialect) -> bool:
    """Whether ISO date text can be bound as is to a DATE column (SQLite stores dates as that text)."""
    return dialect.name == "sqlite"


def insert_into(dialect: sa.Dialect, table: sa.Table, columns: Sequence[str]) -> BulkStatement:
    """A bulk INSERT of these columns of a table (rows hold values in column order)."""
    # Bind names must differ from column names in INSERT/UPDATE statements: prefix them.
    types = {f"p_{c}": _bind_type(dialect, table.c[c].type) for c in columns}
    stmt = sa.insert(table).values({c: sa.bindparam(f"p_{c}", type_=table.c[c].type) for c in columns})
    return BulkStatement(dialect, stmt, [f"p_{c}" for c in columns], types)


def update_where(dialect: sa.Dialect, table: sa.Table, columns: Sequence[str], keys: Sequence[str]) -> BulkStatement:
    """A bulk UPDATE setting `columns` on the rows matching `keys` (rows hold the columns' values, then the keys')."""
    stmt = (
        sa.update(table)
        .where(sa.and_(*[table.c[k] == sa.bindparam(f"k_{k}", type_=table.c[k].type) for k in keys]))
        .values({c: sa.bindparam(f"p_{c}", type_=table.c[c].type) for c in columns})
    )
    names = [*(f"p_{c}" for c in columns), *(f"k_{k}" for k in keys)]
    types = {
        **{f"p_{c}": _bind_type(dialect, table.c[c].type) for c in columns},
        **{f"k_{k}": table.c[k].type for k in keys},
    }
    return BulkStatement(dialect, stmt, names, types)
