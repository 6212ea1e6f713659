"""Secrets (passwords in connection strings, URLs and ${VAR}s) appear in no output, log file or store row."""

import json
import sqlite3
from pathlib import Path

from potrack import cli
from tests.support.cli import run_cli_process
from tests.support.erp import erp_line
from tests.support.secrets import SECRETS, TOKEN, URL_PWD, config
from tests.support.workdir import write_config


def leaks_in_files(folder: Path) -> list[str]:
    """Every (file, secret) pair where a secret's bytes occur in a file under folder."""
    return [
        f"{path.name}: {secret}"
        for path in folder.rglob("*")
        if path.is_file()
        for secret in SECRETS
        if secret.encode() in path.read_bytes()
    ]


def leaks_in_store(db: Path) -> list[str]:
    """Every (table, secret) pair where a secret occurs in a value of a row of the store."""
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert {"runs", "retry_attempts", "audit_events", "failed_rows"} <= set(tables)
        found = []
        for table in tables:
            dump = repr(con.execute(f'SELECT * FROM "{table}"').fetchall())
            found += [f"{table}: {s}" for s in SECRETS if s in dump]
        return found
    finally:
        con.close()


def test_secrets_appear_in_no_output_log_or_store_row(workdir, erp, monkeypatch, capsys):
    erp.write([erp_line("PO1", 1)])
    write_config(workdir, config(erp.url))
    env = {"ERP_PASSWORD": URL_PWD, "ERP_TOKEN": TOKEN, "POTRACK_LOG_LEVEL": "DEBUG"}
    proc = run_cli_process(workdir, "run", "--all", "--json", env=env)
    assert proc.returncode == 1, proc.stderr
    reports = {r["source"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert set(reports) == {"mssql", "pg", "pg_literal", "echo"}
    assert all(r["status"] == "failed" and r["error"] for r in reports.values())
    # The driver really echoed the token back: it was masked, not absent.
    assert "no such column: ***" in reports["echo"]["error"]

    # Once more in this process, with the human-readable report.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["run", "--all"]) == 1
    human = capsys.readouterr()
    assert human.out.count(": failed in ") == 4

    for text in (proc.stdout, proc.stderr, human.out, human.err):
        for secret in SECRETS:
            assert secret not in text
    logs = workdir / "instance" / "logs"
    assert (logs / "potrack.log").read_text(encoding="utf-8").count("failed") >= 8
    assert leaks_in_files(logs) == []
    store = workdir / "instance" / "potrack.db"
    assert leaks_in_store(store) == []
    # Nor anywhere in the store's files (WAL included), not even in freed pages.
    assert leaks_in_files(workdir / "instance") == []


def test_braced_odbc_password_with_semicolon_and_escaped_brace_is_masked_whole():
    """ODBC braces a value holding ';' and writes '}' as '}}': the whole password is the secret."""
    from potrack import redact

    conn = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=erp01;UID=potrack;PWD={br;ace}}dPw9};Encrypt=yes"
    redact.register_connection_string(conn)
    echoed = redact.scrub(f"[28000] Login failed; connection string was {conn}")
    assert "PWD=***;Encrypt=yes" in echoed
    for fragment in ("br;ace", "ace}}dPw9", "dPw9"):
        assert fragment not in echoed
    # A driver echoing the bare password (decoded or as written) is masked too.
    assert redact.scrub("Login failed for password br;ace}dPw9.") == "Login failed for password ***."
    assert redact.scrub("Login failed for password br;ace}}dPw9.") == "Login failed for password ***."
