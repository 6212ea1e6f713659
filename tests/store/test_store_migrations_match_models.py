"""The Alembic migrations build exactly the schema the models describe, on a fresh SQLite store and on a fresh
PostgreSQL schema; upgrading an up-to-date store changes nothing."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from potrack.store.engine import current_revision, ensure_schema, make_engine
from potrack.store.models import Base


@pytest.mark.backends
def test_fresh_store_upgrades_to_head_and_matches_models(store_url):
    engine = make_engine(store_url)
    assert current_revision(engine) is None
    ensure_schema(engine)
    assert current_revision(engine) is not None
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_store_has_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


@pytest.mark.backends
def test_upgrading_an_up_to_date_store_changes_nothing(store_url):
    engine = make_engine(store_url)
    ensure_schema(engine)
    before = sorted(sa.inspect(engine).get_table_names())  # (PostgreSQL lists them in no set order)
    ensure_schema(engine)
    assert sorted(sa.inspect(engine).get_table_names()) == before
