"""On first start with no users the app creates `admin` with a random password printed once (or the one in
POTRACK_ADMIN_PASSWORD, never printed); later starts create nobody. The session key is POTRACK_SECRET_KEY or a key
generated once into instance/secret_key with mode 0600."""

import stat

import app
from potrack.runtime import start
from tests.support.personas import sign_in
from tests.support.store import store_rows


def test_a_fresh_store_gets_an_admin_whose_password_is_given_once(workdir):
    runtime = start()
    app.install(runtime)
    password = app.first_admin(runtime)  # (printed in the start banner: tests/cli/test_app_start_banner_*)
    assert sign_in(app.server.test_client(), "admin", password).status_code == 302
    assert app.first_admin(runtime) is None
    assert [r["name"] for r in store_rows(runtime.engine, "SELECT name FROM users")] == ["admin"]


def test_the_admin_password_can_come_from_the_environment(workdir, monkeypatch, capsys):
    monkeypatch.setenv("POTRACK_ADMIN_PASSWORD", "from-the-env-123")
    runtime = start()
    app.install(runtime)
    app.first_admin(runtime)
    assert "from-the-env-123" not in capsys.readouterr().out
    assert sign_in(app.server.test_client(), "admin", "from-the-env-123").status_code == 302


def test_the_session_key_is_generated_once_with_mode_0600(workdir):
    runtime = start()
    app.install(runtime)
    key_file = workdir / "instance" / "secret_key"
    first = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(first.strip()) == 64
    app.install(start())
    assert key_file.read_text() == first and app.server.secret_key == first.strip()


def test_a_configured_session_key_is_used_and_a_short_one_is_refused(workdir, monkeypatch):
    from tests.support.cli import run_cli_process

    monkeypatch.setenv("POTRACK_SECRET_KEY", "k" * 32)
    app.install(start())
    assert app.server.secret_key == "k" * 32 and not (workdir / "instance" / "secret_key").exists()
    short = run_cli_process(workdir, "run", env={"POTRACK_SECRET_KEY": "short"})
    assert short.returncode == 2 and "POTRACK_SECRET_KEY: expected at least 16 characters" in short.stderr
