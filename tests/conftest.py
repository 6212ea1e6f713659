"""Shared test fixtures: a generated ERP in a real SQLite file, a real store, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sql_server
import sqlalchemy as sa
from services import PgSchema, create_pg_schema, free_port
from web_support import live_runs

import app  # (builds the Dash app, without a scheduler: page modules can be imported only after it)
from potrack import cli
from potrack.runtime import Runtime, start

# How the test run itself is configured, not potrack: kept when a test clears POTRACK_* from the environment.
SERVICE_SETTINGS = ("POTRACK_REQUIRE_SERVICES", "POTRACK_TEST_PG_URL", "POTRACK_CHROMIUM")

ROOT = Path(__file__).resolve().parent.parent
sql_server.watch_every_engine()


@pytest.fixture(autouse=True)
def compiles_for_sql_server() -> Iterator[None]:
    """Every test fails when a statement it made potrack run does not compile for SQL Server (tests/sql_server.py)."""
    before = len(sql_server.failures)
    yield
    found = sql_server.failures[before:]
    if found:
        pytest.fail("statements that SQL Server's dialect cannot compile:\n" + "\n".join(found), pytrace=False)


ERP_COLUMNS = (
    "po_number",
    "line_number",
    "item_code",
    "supplier_code",
    "description",
    "uom",
    "quantity_ordered",
    "quantity_received",
    "unit_price",
    "currency",
    "order_date",
    "promised_date",
    "need_by_date",
    "status",
    "buyer",
    "plant",
    "udf_1",
    "udf_3",
)


def erp_line(po: str, line: int, **values: Any) -> dict[str, Any]:
    """A valid ERP row with sensible defaults; keyword arguments override any column."""
    row: dict[str, Any] = {
        "po_number": po,
        "line_number": line,
        "item_code": f"ITEM-{line}",
        "supplier_code": "SUP1",
        "description": f"{po} line {line}",
        "uom": "EA",
        "quantity_ordered": 100,
        "quantity_received": 0,
        "unit_price": 2.5,
        "currency": "EUR",
        "order_date": "2026-10-01",
        "promised_date": "2026-12-01",
        "need_by_date": "2026-12-05",
        "status": "open",
        "buyer": "alice",
        "plant": "P100",
        "udf_1": None,
        "udf_3": None,
    }
    row.update(values)
    return row


@dataclass
class Erp:
    """A real ERP database in a SQLite file: one po_lines snapshot table and an xref table."""

    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Replace the snapshot with these rows (the ERP's state tonight)."""
        con = sqlite3.connect(self.path)
        with con:
            con.execute("DROP TABLE IF EXISTS po_lines")
            con.execute(f"CREATE TABLE po_lines ({', '.join(ERP_COLUMNS)})")
            con.executemany(
                f"INSERT INTO po_lines VALUES ({', '.join('?' * len(ERP_COLUMNS))})",
                [tuple(r.get(c) for c in ERP_COLUMNS) for r in rows],
            )
        con.close()

    def write_xref(self, mapping: dict[str, str]) -> None:
        con = sqlite3.connect(self.path)
        with con:
            con.execute("DROP TABLE IF EXISTS xref")
            con.execute("CREATE TABLE xref (item_code TEXT, internal_part_id TEXT)")
            con.executemany("INSERT INTO xref VALUES (?, ?)", list(mapping.items()))
        con.close()


@pytest.fixture
def erp(tmp_path: Path) -> Erp:
    """An ERP SQLite file with an empty snapshot and an xref for ITEM-1 .. ITEM-9."""
    e = Erp(tmp_path / "erp.sqlite")
    e.write([])
    e.write_xref({f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)})
    return e


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `backends` run once per store back-end."""
    if metafunc.definition.get_closest_marker("backends") is not None:
        metafunc.parametrize("store_backend", BACKENDS, indirect=True)


@pytest.fixture
def store_backend(request: pytest.FixtureRequest) -> str:
    """The store's back-end: SQLite unless the test is marked `backends`."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def pg_schema() -> Iterator[PgSchema]:
    """A scratch schema on the real PostgreSQL server, dropped (its sessions ended) afterwards."""
    schema = create_pg_schema()
    try:
        yield schema
    finally:
        schema.drop()


@pytest.fixture
def store_url(store_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of an empty store database on the test's back-end."""
    if store_backend == "postgresql":
        return request.getfixturevalue("pg_schema").url
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def workdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_backend: str, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """A working directory with its own instance/ and potrack.toml path; no POTRACK_* leaks in.

    On the postgresql back-end POTRACK_DATABASE_URL points the store at a scratch schema. The liveness locks of
    running runs a test added (tests/web_support.py) are let go at its end.
    """
    for name in list(os.environ):
        if name.startswith("POTRACK_") and name not in SERVICE_SETTINGS:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POTRACK_INSTANCE", str(tmp_path / "instance"))
    if store_backend == "postgresql":
        monkeypatch.setenv("POTRACK_DATABASE_URL", request.getfixturevalue("pg_schema").url)
    yield tmp_path
    live_runs.close()


def write_config(workdir: Path, text: str) -> Path:
    """Write potrack.toml in the working directory."""
    path = workdir / "potrack.toml"
    path.write_text(text, encoding="utf-8")
    return path


def sql_source_config(erp: Erp, name: str = "erp", extra: str = "") -> str:
    """A potrack.toml with one sql source reading the test ERP, its xref and two custom columns."""
    return f"""
[[sources]]
name = "{name}"
kind = "sql"
url = "{erp.url}"
query = "SELECT * FROM po_lines"
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ query = "SELECT item_code, internal_part_id FROM xref" }}
retry = {{ attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
{extra}
"""


def unreachable_erp_url() -> str:
    """An ERP database URL whose server refuses every connection (nothing listens on its port): a transient error,
    as when the ERP is down. (A SQLite file that does not exist is a permanent error: a wrong path.)"""
    return f"postgresql+psycopg://erp@127.0.0.1:{free_port()}/erp"


def open_store() -> Runtime:
    """Settings and a migrated store for the potrack.toml the test wrote (like the CLI at start)."""
    return start()


def run_cli(*args: str) -> tuple[int, list[dict[str, Any]]]:
    """Run `potrack run --json ...` in this process; returns the exit code and the JSON reports."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["run", "--json", *args])
    return code, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def run_cli_process(
    workdir: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m potrack ...` as a real process in the working directory (stdin: text to feed it)."""
    # The store the test's back-end chose goes along; other POTRACK_* settings are the test's to pass.
    passed = (*SERVICE_SETTINGS, "POTRACK_DATABASE_URL")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_") or k in passed}
    full_env.update({"PYTHONPATH": str(ROOT), "POTRACK_INSTANCE": str(workdir / "instance")}, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "potrack", *args],
        cwd=workdir,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def store_rows(engine: sa.Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a read-only query on the store, as dicts."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def json_value(value: Any) -> Any:
    """A JSON column's value as read back: SQLite returns the text, PostgreSQL the decoded value."""
    return json.loads(value) if isinstance(value, str) else value


def day(n: int) -> str:
    """An ISO date n days after 2026-12-01."""
    return (dt.date(2026, 12, 1) + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def web(workdir: Path) -> Runtime:
    """The pages' runtime: a fresh store of the built-in demo configuration with the three personas
    (tests/auth_support.py), installed as the app's."""
    from auth_support import add_personas

    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    return runtime
