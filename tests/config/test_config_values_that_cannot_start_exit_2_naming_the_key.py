"""Configuration that passes validation must start: a cron schedule APScheduler cannot build, a duration that
overflows, a retry wait that is not a number, a store URL of an unsupported database and an unknown time zone
stop the CLI, the app and gunicorn at start with exit 2 and a message naming the key, never a traceback."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli_process
from tests.support.workdir import write_config

DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\n'
STORE_PASSWORD = "Sh0wMeN0t77"

# (case, potrack.toml, environment, the key stderr must name, what it must say)
CASES = [
    ("cron_minute_61", DEMO + 'schedule = "61 2 * * *"\n', {}, "sources[0].schedule", "minute field '61'"),
    ("cron_letters", DEMO + 'schedule = "a b c d e"\n', {}, "sources[0].schedule", "minute field 'a'"),
    (
        "stale_after_overflows_a_timedelta",
        DEMO + 'alerts = { stale_after = "99999999999d" }\n',
        {},
        "sources[0].alerts.stale_after",
        "from 1s to 3650d",
    ),
    (
        "backoff_nan",
        DEMO + "retry = { backoff_initial_s = nan }\n",
        {},
        "sources[0].retry.backoff_initial_s",
        "expected a finite number, got nan",
    ),
    (
        "backoff_inf",
        DEMO + "retry = { backoff_initial_s = inf }\n",
        {},
        "sources[0].retry.backoff_initial_s",
        "expected a finite number, got inf",
    ),
    (
        "store_url_scheme_from_environment",
        DEMO,
        {"POTRACK_DATABASE_URL": f"mysql+pymysql://potrack:{STORE_PASSWORD}@db01/potrack"},
        "POTRACK_DATABASE_URL",
        "got scheme 'mysql+pymysql'",
    ),
    (
        "store_url_scheme_unknown_to_sqlalchemy",
        DEMO,
        {"POTRACK_DATABASE_URL": f"nosuchdb://potrack:{STORE_PASSWORD}@db01/potrack"},
        "POTRACK_DATABASE_URL",
        "got scheme 'nosuchdb'",
    ),
    (
        "store_url_scheme_in_toml",
        DEMO + f'[database]\nurl = "oracle://potrack:{STORE_PASSWORD}@db01/potrack"\n',
        {},
        "database.url",
        "got scheme 'oracle'",
    ),
    ("unknown_time_zone", DEMO, {"POTRACK_TIMEZONE": "Mars/Olympus"}, "POTRACK_TIMEZONE", "'Mars/Olympus'"),
]
IDS = [c[0] for c in CASES]
PARAMS = [c[1:] for c in CASES]


def assert_stopped_naming_the_key(output: str, key: str, expected: str) -> None:
    assert "configuration error" in output
    assert key in output and expected in output
    assert "Traceback" not in output
    assert STORE_PASSWORD not in output


@pytest.mark.parametrize(("toml", "env", "key", "expected"), PARAMS, ids=IDS)
def test_the_cli_exits_2_naming_the_key(workdir, toml, env, key, expected):
    write_config(workdir, toml)
    proc = run_cli_process(workdir, "run", "--json", env=env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert_stopped_naming_the_key(proc.stderr, key, expected)
    assert not (workdir / "instance" / "potrack.db").exists()  # stopped before the store was opened


@pytest.mark.parametrize(("toml", "env", "key", "expected"), PARAMS, ids=IDS)
def test_the_app_exits_2_naming_the_key(workdir, app_processes, toml, env, key, expected):
    write_config(workdir, toml)
    web = app_processes.app("app", **env)
    assert web.proc.wait(timeout=120) == 2, web.output()
    assert_stopped_naming_the_key(web.output(), key, expected)
    assert not (workdir / "instance" / "potrack.db").exists()


@pytest.mark.parametrize(("toml", "env", "key", "expected"), [PARAMS[0], PARAMS[-1]], ids=[IDS[0], IDS[-1]])
def test_gunicorn_exits_2_naming_the_key_before_any_worker(workdir, app_processes, toml, env, key, expected):
    write_config(workdir, toml)
    web = app_processes.gunicorn("gunicorn", "-w", "2", **env)
    assert web.proc.wait(timeout=120) == 2, web.output()
    assert_stopped_naming_the_key(web.output(), key, expected)
    assert "Booting worker" not in web.output()
