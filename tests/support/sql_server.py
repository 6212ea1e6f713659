"""SQL Server cannot run here, so every statement potrack runs in any test is also compiled for it.

A listener on every engine compiles each Core statement (SELECT, INSERT, UPDATE, DELETE) on potrack's tables
for SQL Server as potrack supports it (potrack.store.engine.offline_dialect); what fails to compile is recorded, and
the test that ran it fails (the autouse fixture compiles_for_sql_server below). Each distinct statement is compiled
once per test session.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import CompoundSelect, Select
from sqlalchemy.sql.util import find_tables

from potrack.store.engine import offline_dialect
from potrack.store.models import Base

SQL_SERVER = offline_dialect("mssql")
_lock = threading.Lock()
_compiled: set[Any] = set()
POTRACK_TABLES = frozenset(Base.metadata.tables.values())
failures: list[str] = []
# SQL Server's IS takes NULL only: `active IS 1` (what `.is_(True)` compiles to) compiles but fails when it runs.
_IS_NOT_NULL = re.compile(r"\bIS\s+(?:NOT\s+)?(?!NOT\b|NULL\b)\w+", re.IGNORECASE)


def compile_for_sql_server(stmt: sa.ClauseElement) -> str:
    """The statement as SQL Server's dialect writes it (raises when it cannot)."""
    return str(stmt.compile(dialect=SQL_SERVER))


def _check(_conn: sa.Connection, clauseelement: Any, *_args: Any) -> None:
    if not isinstance(clauseelement, (Select, CompoundSelect, UpdateBase)):
        return  # text is the caller's own SQL (dialect branches, tests' reads); DDL is checked as migrations
    tables = find_tables(clauseelement, include_crud=True)
    if not tables or not POTRACK_TABLES.issuperset(tables):
        return  # the dialect's own catalogue reads, Alembic's version table, tables a test reflected
    cache_key = clauseelement._generate_cache_key()
    key = cache_key.key if cache_key is not None else None
    with _lock:
        if key is not None and key in _compiled:
            return
    try:
        sql = compile_for_sql_server(clauseelement)
    except sa.exc.SQLAlchemyError as exc:
        with _lock:
            failures.append(f"{type(exc).__name__}: {exc}\n    in: {clauseelement}")
        return
    wrong = _IS_NOT_NULL.search(sql)
    if wrong:
        with _lock:
            failures.append(
                f"SQL Server's IS takes only NULL, not {wrong.group()!r} (compare with = instead)\n    in: {sql}"
            )
        return
    if key is not None:
        with _lock:
            _compiled.add(key)


def watch_every_engine() -> None:
    """Compile every statement any engine executes from now on for SQL Server too."""
    sa.event.listen(sa.Engine, "before_execute", _check)


@pytest.fixture(autouse=True)
def compiles_for_sql_server() -> Iterator[None]:
    """Every test fails when a statement it made potrack run does not compile for SQL Server."""
    before = len(failures)
    yield
    found = failures[before:]
    if found:
        pytest.fail("statements that SQL Server's dialect cannot compile:\n" + "\n".join(found), pytrace=False)
