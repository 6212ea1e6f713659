"""SQL Server cannot run here; what potrack would send it is compiled for its dialect instead.

Every migration writes valid SQL Server DDL (`python -m potrack db sql --dialect mssql`): identity ids, DATETIME2,
VARCHAR(max) rather than TEXT, the filtered unique indexes and the append-only audit trigger, with index keys
inside SQL Server's limit. The statements that do not go through SQLAlchemy's execution (the commit's bulk
statements, the diff's reads) and the pieces with a branch per dialect compile for it too. Every other statement
any test makes potrack run is compiled for SQL Server by tests/support/sql_server.py.
"""

import datetime as dt
import re
import zoneinfo

import pytest
import sqlalchemy as sa

from potrack.store.engine import migration_sql
from potrack.store.lines import LineWriter, lines_of_pos, stored_state_statement
from potrack.store.liveness import try_lock_statement, unlock_statement
from potrack.store.locks import lock_statement
from potrack.store.models import Base, Run
from potrack.store.run_history import local_day, outcomes_statement
from tests.support.cli import run_cli_process
from tests.support.sql_server import SQL_SERVER, compile_for_sql_server

# SQL Server refuses an index whose key may exceed 900 bytes (clustered; 1700 nonclustered): stay under 900.
INDEX_KEY_LIMIT = 900
FIXED_BYTES = {sa.Integer: 4, sa.BigInteger: 8, sa.Float: 8, sa.Boolean: 1, sa.Date: 3, sa.DateTime: 8}


@pytest.fixture(scope="module")
def ddl() -> str:
    return migration_sql("mssql")


def test_every_table_of_the_models_is_created_with_identity_ids(ddl):
    created = set(re.findall(r"CREATE TABLE (\w+) \(", ddl))
    assert created == set(Base.metadata.tables) | {"alembic_version"}
    single_integer_keys = [
        (t, *t.primary_key.columns)
        for t in Base.metadata.tables.values()
        if len(t.primary_key.columns) == 1 and isinstance(t.primary_key.columns[0].type, sa.Integer)
    ]
    assert len(single_integer_keys) > 10
    for table, pk in single_integer_keys:
        assert re.search(rf"CREATE TABLE {table.name} \(\s+{pk.name} (INTEGER|BIGINT) NOT NULL IDENTITY", ddl), (
            table.name
        )


def test_types_are_sql_server_types_and_no_other_dialect_leaks_in(ddl):
    assert "DATETIME2" in ddl and "DATE NOT NULL" in ddl and "BIT NOT NULL" in ddl
    assert not re.search(r"\bDATETIME\b(?!2)", ddl)  # DATETIME rounds to 1/300 s
    assert not re.search(r"\b(TEXT|BOOLEAN|SERIAL|AUTOINCREMENT|TIMESTAMP)\b", ddl)
    for foreign in ("PRAGMA", "plpgsql", "BEGIN IMMEDIATE", "RAISE(ABORT", "CREATE FUNCTION", "::"):
        assert foreign not in ddl


def test_the_filtered_unique_indexes_and_the_append_only_trigger_are_written_for_sql_server(ddl):
    assert "CREATE UNIQUE INDEX ux_runs_one_running_per_source ON runs (source) WHERE status = 'running'" in ddl
    assert "CREATE UNIQUE INDEX ux_alerts_firing_key ON alerts (firing_key) WHERE firing_key IS NOT NULL" in ddl
    assert re.search(
        r"CREATE TRIGGER audit_events_append_only ON audit_events INSTEAD OF UPDATE, DELETE AS\s+"
        r"BEGIN THROW",
        ddl,
    )
    # Each statement is its own batch: CREATE TRIGGER must be the first statement of one.
    assert ddl.count("\nGO\n") >= ddl.count("CREATE TABLE")


def _key_bytes(column: sa.Column) -> int:
    type_ = column.type
    if isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    for kind, size in FIXED_BYTES.items():
        if isinstance(type_, kind):
            return size
    assert isinstance(type_, sa.String) and not isinstance(type_, sa.Text) and type_.length, (
        f"{column.table.name}.{column.name}: an index key needs a bounded string, not {type_!r}"
    )
    return type_.length * (2 if isinstance(type_, sa.Unicode) else 1)


def test_every_index_key_fits_sql_server_and_every_string_is_bounded():
    keys = []
    for table in Base.metadata.tables.values():
        keys += [(f"{table.name} {index.name}", list(index.columns)) for index in table.indexes]
        keys += [
            (f"{table.name} {c.name}", list(c.columns))
            for c in table.constraints
            if isinstance(c, (sa.UniqueConstraint, sa.PrimaryKeyConstraint))
        ]
        for column in table.columns:
            if isinstance(column.type, sa.String) and not isinstance(column.type, sa.Text):
                assert column.type.length, f"{table.name}.{column.name} has no length (VARCHAR(max) on SQL Server)"
    assert len(keys) > 20
    for name, columns in keys:
        assert sum(_key_bytes(c) for c in columns) <= INDEX_KEY_LIMIT, name


def test_the_commits_bulk_statements_and_the_diffs_reads_compile_for_sql_server():
    writer = LineWriter(SQL_SERVER)
    for statement, verb in (
        (writer.insert, "INSERT INTO po_lines"),
        (writer.update, "UPDATE po_lines SET"),
        (writer.refresh, "UPDATE po_lines SET digest=?"),
        (writer.deactivate, "UPDATE po_lines SET last_changed_run_id=?, active=?"),
        (writer.events, "INSERT INTO change_events"),
        (writer.batches, "INSERT INTO receipt_batches"),
    ):
        assert statement.sql.startswith(verb) and statement.sql.count("?") == len(statement.names), statement.sql
        assert statement.positional
    state = stored_state_statement(SQL_SERVER)
    assert state.sql.startswith("SELECT po_lines.po_number") and state.sql.endswith("WHERE po_lines.source = ?")
    chunk = lines_of_pos("erp", ["PO1", "PO2"]).compile(dialect=SQL_SERVER, compile_kwargs={"render_postcompile": True})
    assert "po_lines.po_number IN (?, ?)" in str(chunk)


def test_outcomes_per_day_group_by_a_subquerys_columns_so_sql_server_matches_them():
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    day = local_day(
        Run.queued_at,
        berlin,
        dt.datetime(2026, 3, 20, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 5, tzinfo=dt.UTC),
        "mssql",
    )
    sql = compile_for_sql_server(outcomes_statement([Run.status.in_(["success", "failed"])], day))
    assert (
        "CAST(dateadd(minute, CASE WHEN (runs.queued_at < ?) THEN ? ELSE ? END, runs.queued_at) AS DATE) AS day" in sql
    )
    group_by = sql.split("GROUP BY", 1)[1]
    assert "?" not in group_by and group_by.strip().startswith("anon_1.day, anon_1.status")


def test_the_store_lock_is_an_application_lock_that_raises_when_it_times_out():
    stmt = lock_statement("mssql", "queue:erp")
    sql = compile_for_sql_server(stmt)
    assert (
        "EXEC @potrack_lock = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Transaction'" in sql
    )
    assert "IF @potrack_lock < 0 THROW" in sql
    assert stmt.compile(dialect=SQL_SERVER).params == {"resource": "potrack:queue:erp"}
    with pytest.raises(ValueError, match="the oracle store is not supported"):
        lock_statement("oracle", "queue:erp")


def test_db_sql_prints_the_migrations_for_a_dialect_or_from_a_revision(workdir):
    whole = run_cli_process(workdir, "db", "sql", "--dialect", "mssql")
    assert whole.returncode == 0, whole.stderr
    upgrade_time = re.compile(r"finished_at='[0-9: -]+'")  # migration 0005 stamps the runs it abandons
    assert upgrade_time.sub("", whole.stdout) == upgrade_time.sub("", migration_sql("mssql"))
    newest = run_cli_process(workdir, "db", "sql", "--dialect", "mssql", "--from", "0004")
    assert newest.returncode == 0 and "Running upgrade 0004 -> 0005" in newest.stdout
    assert "CREATE TABLE runs" not in newest.stdout
    unknown = run_cli_process(workdir, "db", "sql", "--dialect", "oracle")
    assert unknown.returncode == 2 and "invalid choice: 'oracle'" in unknown.stderr


def test_a_runs_liveness_lock_is_a_session_owned_application_lock_taken_without_waiting():
    sql = compile_for_sql_server(try_lock_statement("mssql", 42))
    assert (
        "EXEC @potrack_lock = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', "
        "@LockTimeout = 0; SELECT @potrack_lock;" in sql
    )
    release = compile_for_sql_server(unlock_statement("mssql", 42))
    assert "EXEC sp_releaseapplock @Resource = ?, @LockOwner = 'Session';" in release
    for stmt in (try_lock_statement("mssql", 42), unlock_statement("mssql", 42)):
        assert stmt.compile(dialect=SQL_SERVER).params == {"resource": "potrack:run-alive:42"}
    with pytest.raises(ValueError, match="the oracle store is not supported"):
        try_lock_statement("oracle", 42)
