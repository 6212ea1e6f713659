"""`python -m potrack db upgrade` creates the schema on a fresh database and can be run again."""

import sqlite3
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from potrack.store.engine import MIGRATIONS
from tests.support.cli import run_cli_process

TABLES = {
    "runs",
    "po_lines",
    "change_events",
    "receipt_batches",
    "unmapped_codes",
    "failed_rows",
    "retry_attempts",
    "audit_events",
}


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def schema(db: Path) -> tuple[list[str], set[str]]:
    con = sqlite3.connect(db)
    try:
        versions = [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()
    return versions, tables


def test_db_upgrade_creates_the_schema_at_head_and_is_idempotent(workdir):
    db = workdir / "instance" / "potrack.db"
    assert not db.exists()
    first = run_cli_process(workdir, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "up to date" in first.stdout
    versions, tables = schema(db)
    assert versions == [head_revision()]
    assert TABLES | {"alembic_version"} <= tables

    second = run_cli_process(workdir, "db", "upgrade")
    assert second.returncode == 0, second.stderr
    assert schema(db) == (versions, tables)


def test_db_upgrade_uses_potrack_database_url(workdir):
    other = workdir / "elsewhere" / "store.sqlite"
    proc = run_cli_process(workdir, "db", "upgrade", env={"POTRACK_DATABASE_URL": f"sqlite:///{other}"})
    assert proc.returncode == 0, proc.stderr
    assert schema(other)[0] == [head_revision()]
    assert not (workdir / "instance" / "potrack.db").exists()
