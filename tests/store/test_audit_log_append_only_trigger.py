"""The audit log is append-only in the database itself: a trigger rejects UPDATE and DELETE of audit events on
SQLite and on the real PostgreSQL server (which also rejects TRUNCATE)."""

import pytest
import sqlalchemy as sa

from potrack.store import audit
from potrack.store.engine import ensure_schema, make_engine

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


@pytest.mark.backends
def test_the_store_rejects_update_and_delete_and_postgresql_truncate_of_audit_events(store_url, store_backend):
    engine = make_engine(store_url)
    ensure_schema(engine)
    assert_append_only(engine, [*REFUSALS, *(["TRUNCATE audit_events"] if store_backend == "postgresql" else [])])
