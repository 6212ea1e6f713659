"""A UTC timestamp column's calendar date in a time zone, in the store's SQL dialect (SQLite, PostgreSQL, SQL
Server): the trends count runs per local day with it, the xref workbench a gap's nights."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from potrack.tz import offset_spans


def _local_day(
    column: sa.SQLColumnExpression[Any], minutes: sa.ColumnElement[Any], dialect: str
) -> sa.ColumnElement[Any]:
    """The calendar date of a UTC timestamp shifted by some minutes, in the store's SQL dialect."""
    if dialect == "sqlite":
        return sa.func.date(sa.func.julianday(column) + minutes / 1440.0)
    if dialect == "postgresql":
        return sa.cast(column + minutes * sa.text("INTERVAL '1 minute'"), sa.Date)
    if dialect == "mssql":
        return sa.cast(sa.func.dateadd(sa.text("minute"), minutes, column), sa.Date)
    raise ValueError(f"local days: the {dialect} store is not supported (SQLite, PostgreSQL, SQL Server are)")


def local_day(
    column: sa.SQLColumnExpression[Any], tz: dt.tzinfo, first: dt.datetime, last: dt.datetime, dialect: str
) -> sa.ColumnElement[Any]:
    """The calendar date in `tz` of a UTC timestamp column whose values lie within [first, last] (its offsets
    there, summer time included, as a CASE on the column)."""
    spans = offset_spans(tz, first, last)
    minutes: sa.ColumnElement[Any] = sa.literal(spans[-1][1])
    if len(spans) > 1:
        minutes = sa.case(*[(column < until, offset) for until, offset in spans[:-1]], else_=spans[-1][1])
    return _local_day(column, minutes, dialect)


def as_date(value: dt.date | str) -> dt.date:
    """A date read back from a local-day column (SQLite gives ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
