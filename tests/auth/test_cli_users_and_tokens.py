"""`python -m potrack users ...` and `tokens ...` as real processes: users are added with a hashed password from
stdin, listed, given another role and disabled; a token is printed alone on stdout once, stored only as a hash,
and revocable; mistakes exit 2 naming what was wrong."""

from potrack.auth.tokens import actor_for_token
from potrack.store.engine import make_engine
from tests.support.cli import run_cli_process
from tests.support.store import store_rows


def cli(workdir, *args, stdin=None):
    return run_cli_process(workdir, *args, stdin=stdin)


def store(workdir):
    return make_engine(f"sqlite:///{workdir / 'instance' / 'potrack.db'}")


def test_users_are_added_listed_promoted_and_disabled(workdir):
    added = cli(workdir, "users", "add", "otto", "--role", "viewer", "--password-stdin", stdin="s3cret-pass\n")
    assert added.returncode == 0, added.stderr
    assert cli(workdir, "users", "set-role", "otto", "operator").returncode == 0
    assert cli(workdir, "users", "disable", "otto").returncode == 0
    assert cli(workdir, "users", "list").stdout.splitlines() == ["otto\toperator\tdisabled"]
    [user] = store_rows(store(workdir), "SELECT role, password_hash, disabled FROM users")
    assert user["role"] == "operator" and user["disabled"]
    assert "s3cret-pass" not in user["password_hash"] and user["password_hash"].startswith(("scrypt:", "pbkdf2:"))
    events = [r["event_type"] for r in store_rows(store(workdir), "SELECT event_type FROM audit_events ORDER BY id")]
    assert events == ["user.added", "user.role_changed", "user.disabled"]


def test_user_mistakes_exit_2_and_name_the_problem(workdir):
    short = cli(workdir, "users", "add", "otto", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    missing = cli(workdir, "users", "set-role", "nobody", "admin")
    assert missing.returncode == 2 and "no user named 'nobody'" in missing.stderr
    bad_role = cli(workdir, "users", "add", "x", "--role", "root", "--password-stdin", stdin="long enough\n")
    assert bad_role.returncode == 2 and "invalid choice: 'root'" in bad_role.stderr
    cli(workdir, "users", "add", "otto", "--role", "viewer", "--password-stdin", stdin="long enough\n")
    taken = cli(workdir, "users", "add", "otto", "--role", "viewer", "--password-stdin", stdin="long enough\n")
    assert taken.returncode == 2 and "already exists" in taken.stderr


def test_a_token_is_printed_once_stored_hashed_and_revocable(workdir):
    created = cli(workdir, "tokens", "create", "nightly-check", "--role", "viewer")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert created.stdout == token + "\n" and token.startswith("pot_") and len(token) > 40
    engine = store(workdir)
    [row] = store_rows(engine, "SELECT token_hash FROM api_tokens")
    assert token not in row["token_hash"]
    with engine.connect() as conn:
        assert actor_for_token(conn, token).role == "viewer"
    assert cli(workdir, "tokens", "list").stdout.splitlines() == ["nightly-check\tviewer\tactive"]
    assert cli(workdir, "tokens", "revoke", "nightly-check").returncode == 0
    with engine.connect() as conn:
        assert actor_for_token(conn, token) is None
    again = cli(workdir, "tokens", "revoke", "nightly-check")
    assert again.returncode == 2 and "no active token" in again.stderr
