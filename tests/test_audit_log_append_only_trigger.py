"""The audit log is append-only in the database itself: a trigger rejects UPDATE and DELETE of audit events on
SQLite and on the real PostgreSQL server (which also rejects TRUNCATE)."""

import os
import uuid

import pytest
import sqlalchemy as sa

from potrack.store import audit
from potrack.store.engine import ensure_schema, make_engine

PG_URL = os.environ.get("POTRACK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REFUSALS = ["UPDATE audit_events SET message = 'rewritten'", "DELETE FROM audit_events"]


def assert_append_only(engine: sa.Engine, statements: list[str]) -> None:
    with engine.begin() as conn:
        audit.record(conn, "test.event", "the original message")
    for statement in statements:
        with pytest.raises(sa.exc.DatabaseError, match="audit_events is append-only"):
            with engine.begin() as conn:
                conn.execute(sa.text(statement))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT message FROM audit_events")).scalars().all() == ["the original message"]


def test_sqlite_rejects_update_and_delete_of_audit_events(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    ensure_schema(engine)
    assert_append_only(engine, REFUSALS)


@pytest.fixture
def pg_engine():
    """A migrated store in a scratch schema of the real PostgreSQL server, dropped afterwards."""
    admin = sa.create_engine(PG_URL)
    schema = f"potrack_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("POTRACK_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL is required (POTRACK_REQUIRE_SERVICES=1) but unreachable: {exc.orig}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    engine = sa.create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        ensure_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_postgresql_rejects_update_delete_and_truncate_of_audit_events(pg_engine):
    assert_append_only(pg_engine, [*REFUSALS, "TRUNCATE audit_events"])
