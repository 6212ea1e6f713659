"""read_settings only reads: the secrets it finds (${VAR} values, channel URLs and passwords, source credentials,
keys and tokens) come back with the settings and are masked only once registered; load_settings registers them,
those found before a configuration error too."""

import secrets

import pytest

from potrack import redact
from potrack.config import ConfigError, load_settings, read_settings, register_secrets
from tests.support.workdir import write_config


def _unique(label: str) -> str:
    return f"{label}-{secrets.token_hex(12)}"


def _config(token: str, odbc_password: str, smtp_password: str, hook: str) -> str:
    return f"""
[[sources]]
name = "erp"
kind = "odbc"
connection_string = "DSN=erp;UID=reader;PWD={odbc_password}"

[[sources]]
name = "files"
kind = "csv"
path = "${{CSV_TOKEN}}/lines.csv"

[[alerts.channels]]
name = "hook"
kind = "webhook"
url = "{hook}"

[[alerts.channels]]
name = "mail"
kind = "email"
host = "smtp.example.com"
username = "potrack"
password = "{smtp_password}"
from = "potrack@example.com"
to = ["ops@example.com"]
"""


def test_read_settings_returns_the_secrets_and_registers_none(workdir, monkeypatch):
    token, odbc_password, smtp_password = _unique("csvtok"), _unique("odbcpw"), _unique("smtppw")
    hook, key, admin = f"https://hooks.example.com/{_unique('hook')}", _unique("key"), _unique("admin")
    monkeypatch.setenv("CSV_TOKEN", token)
    monkeypatch.setenv("POTRACK_SECRET_KEY", key)
    monkeypatch.setenv("POTRACK_ADMIN_PASSWORD", admin)
    write_config(workdir, _config(token, odbc_password, smtp_password, hook))
    everything = (token, odbc_password, smtp_password, hook, key, admin)

    loaded = read_settings()
    assert [s.name for s in loaded.settings.sources] == ["erp", "files"]
    assert {token, smtp_password, hook, key, admin} <= loaded.secrets.values
    assert any(odbc_password in conn for conn in loaded.secrets.connection_strings)
    assert all(redact.scrub(value) == value for value in everything)  # nothing registered

    register_secrets(loaded.secrets)
    assert all(redact.MASK in redact.scrub(value) and value not in redact.scrub(value) for value in everything)


def test_load_settings_registers_what_it_found_before_a_configuration_error(workdir, monkeypatch):
    token = _unique("before-error")
    monkeypatch.setenv("CSV_TOKEN", token)
    monkeypatch.setenv("POTRACK_LOG_LEVEL", "LOUD")
    write_config(workdir, '[[sources]]\nname = "files"\nkind = "csv"\npath = "${CSV_TOKEN}/lines.csv"\n')
    with pytest.raises(ConfigError, match="POTRACK_LOG_LEVEL"):
        read_settings()
    assert redact.scrub(token) == token
    with pytest.raises(ConfigError, match="POTRACK_LOG_LEVEL"):
        load_settings()
    assert redact.scrub(token) == redact.MASK
