"""Every typed setting refuses what would overflow or mean nothing (nan, inf, integers beyond 64 bits, numbers
past their bound, durations and times beyond the calendar, cron fields out of range, a schedule that never fires,
stores potrack does not run on, unknown time zones, text with a NUL character, an instance directory that is a
file): the CLI exits 2 naming the key. Values at the bounds load."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from potrack import cli
from potrack.config import load_settings
from tests.support.cli import run_cli_process
from tests.support.workdir import write_config

DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\n'
SLACK = '[[alerts.channels]]\nname = "hook"\nkind = "slack"\nurl = "https://hooks.example/x"\n'
EMAIL = '[[alerts.channels]]\nname = "mail"\nkind = "email"\nhost = "smtp"\nfrom = "a@b.c"\nto = ["o@b.c"]\n'

# (case, potrack.toml, environment, the key the message must name, what it must say)
CASES = [
    (
        "attempts_beyond_64_bits",
        DEMO + "retry = { attempts = 100000000000000000000 }\n",
        {},
        "sources[0].retry.attempts",
        "64-bit",
    ),
    ("attempts_over_100", DEMO + "retry = { attempts = 101 }\n", {}, "sources[0].retry.attempts", "up to 100,"),
    (
        "backoff_max_huge",
        DEMO + "retry = { backoff_max_s = 1e300 }\n",
        {},
        "sources[0].retry.backoff_max_s",
        "up to 3,600",
    ),
    (
        "backoff_max_minus_inf",
        DEMO + "retry = { backoff_max_s = -inf }\n",
        {},
        "sources[0].retry.backoff_max_s",
        "finite",
    ),
    (
        "batch_size_int64_max",
        DEMO + "batch_size = 9223372036854775807\n",
        {},
        "sources[0].batch_size",
        "up to 1,000,000",
    ),
    ("removed_fraction_nan", DEMO + "max_removed_fraction = nan\n", {}, "sources[0].max_removed_fraction", "finite"),
    ("demo_lines_too_many", DEMO + "demo = { lines = 10000001 }\n", {}, "sources[0].demo.lines", "up to 10,000,000"),
    ("demo_night_too_late", DEMO + "demo = { night = 10001 }\n", {}, "sources[0].demo.night", "at most 10,000"),
    ("demo_seed_2_to_the_63", DEMO + "demo = { seed = 9223372036854775808 }\n", {}, "sources[0].demo.seed", "64-bit"),
    ("demo_slow_nan", DEMO + 'demo = { fail = "slow", slow_s = nan }\n', {}, "sources[0].demo.slow_s", "finite"),
    ("demo_slow_huge", DEMO + 'demo = { fail = "slow", slow_s = 1e10 }\n', {}, "sources[0].demo.slow_s", "up to 3600"),
    ("cron_never_fires", DEMO + 'schedule = "0 0 31 2 *"\n', {}, "sources[0].schedule", "never fires"),
    ("cron_month_13", DEMO + 'schedule = "0 2 * 13 *"\n', {}, "sources[0].schedule", "month field '13'"),
    ("cron_step_0", DEMO + 'schedule = "*/0 2 * * *"\n', {}, "sources[0].schedule", "minute field '*/0'"),
    ("cron_weekday_8", DEMO + 'schedule = "0 2 * * 8"\n', {}, "sources[0].schedule", "day-of-week field '8'"),
    ("cron_four_fields", DEMO + 'schedule = "0 2 * *"\n', {}, "sources[0].schedule", "5-field"),
    (
        "stale_after_past_the_calendar",
        DEMO + 'alerts = { stale_after = "999999d" }\n',
        {},
        "sources[0].alerts.stale_after",
        "from 1s to 3650d",
    ),
    (
        "stale_grace_rounds_to_zero",
        DEMO + 'alerts = { stale_grace = "0.0000001s" }\n',
        {},
        "sources[0].alerts.stale_grace",
        "from 1s",
    ),
    (
        "remind_every_400_digits",
        DEMO + f'[alerts]\nremind_every = "{"9" * 400}s"\n',
        {},
        "alerts.remind_every",
        "from 1s to 3650d",
    ),
    (
        "muted_until_year_9999",
        DEMO + 'alerts = { muted_until = "9999-12-31T23:59:59Z" }\n',
        {},
        "sources[0].alerts.muted_until",
        "to 9998",
    ),
    (
        "muted_until_before_year_1_in_utc",
        DEMO + "alerts = { muted_until = 0001-01-01T00:00:00+14:00 }\n",
        {},
        "sources[0].alerts.muted_until",
        "from year 2",
    ),
    ("new_gap_value_nan", DEMO + "alerts = { new_gap_value = nan }\n", {}, "sources[0].alerts.new_gap_value", "finite"),
    ("new_gap_value_inf", DEMO + "[alerts]\nnew_gap_value = inf\n", {}, "alerts.new_gap_value", "finite"),
    ("volume_min_mean_negative", DEMO + "[alerts]\nvolume_min_mean = -1\n", {}, "alerts.volume_min_mean", "0 or more"),
    (
        "volume_window_int64_max",
        DEMO + "[alerts]\nvolume_window = 9223372036854775807\n",
        {},
        "alerts.volume_window",
        "at most 1,000",
    ),
    (
        "consecutive_failures_1001",
        DEMO + "[alerts]\nconsecutive_failures = 1001\n",
        {},
        "alerts.consecutive_failures",
        "at most 1,000",
    ),
    ("smtp_port_65536", DEMO + EMAIL + "port = 65536\n", {}, "alerts.channels[0].port", "up to 65,535"),
    ("timeout_inf", DEMO + SLACK + "timeout_s = inf\n", {}, "alerts.channels[0].timeout_s", "finite"),
    ("timeout_huge", DEMO + SLACK + "timeout_s = 1e9\n", {}, "alerts.channels[0].timeout_s", "up to 300"),
    (
        "source_url_unknown_dialect",
        '[[sources]]\nname = "erp"\nkind = "sql"\nurl = "nosuchdb://u:Pw4@h/erp"\n',
        {},
        "sources[0].url",
        "unknown database scheme 'nosuchdb'",
    ),
    (
        "store_asyncpg",
        DEMO,
        {"POTRACK_DATABASE_URL": "postgresql+asyncpg://u:Pw4@h/db"},
        "POTRACK_DATABASE_URL",
        "'postgresql+asyncpg'",
    ),
    (
        "store_aiosqlite",
        DEMO,
        {"POTRACK_DATABASE_URL": "sqlite+aiosqlite:///store.db"},
        "POTRACK_DATABASE_URL",
        "'sqlite+aiosqlite'",
    ),
    (
        "store_pymssql",
        DEMO,
        {"POTRACK_DATABASE_URL": "mssql+pymssql://u:Pw4@h/db"},
        "POTRACK_DATABASE_URL",
        "'mssql+pymssql'",
    ),
    ("zone_that_is_a_directory", DEMO, {"POTRACK_TIMEZONE": "America"}, "POTRACK_TIMEZONE", "'America'"),
    ("zone_outside_the_database", DEMO, {"POTRACK_TIMEZONE": "../../etc/passwd"}, "POTRACK_TIMEZONE", "passwd"),
    (
        "csv_path_with_nul",
        '[[sources]]\nname = "erp"\nkind = "csv"\npath = "po\\u0000.csv"\n',
        {},
        "sources[0].path",
        "NUL character",
    ),
    (
        "mail_address_with_nul",
        DEMO + EMAIL.replace('"o@b.c"', '"o@b.c", "p\\u0000@b.c"'),
        {},
        "alerts.channels[0].to[1]",
        "NUL character",
    ),
    ("instance_is_a_file", DEMO, {"POTRACK_INSTANCE": "potrack.toml"}, "POTRACK_INSTANCE", "not a directory"),
    ("port_0", DEMO, {"POTRACK_PORT": "0"}, "POTRACK_PORT", "1 to 65535"),
    ("port_65536", DEMO, {"POTRACK_PORT": "65536"}, "POTRACK_PORT", "1 to 65535"),
]


@pytest.mark.parametrize(("toml", "env", "key", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_cli_exits_2_naming_the_key(workdir, monkeypatch, capsys, toml, env, key, expected):
    write_config(workdir, toml)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["run", "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"configuration error: {key}: " in err and expected in err, err
    assert "Pw4" not in err
    assert not (workdir / "instance" / "potrack.db").exists()


def test_an_unknown_machine_zone_without_potrack_timezone_exits_2_naming_potrack_timezone(workdir):
    """(A real process: the machine's zone is read once per process.)"""
    write_config(workdir, DEMO)
    proc = run_cli_process(workdir, "run", "--json", env={"TZ": "Bogus/Zone"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert "POTRACK_TIMEZONE: not set" in proc.stderr and "Bogus/Zone" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_values_at_the_bounds_load(workdir, monkeypatch):
    write_config(
        workdir,
        DEMO
        + """schedule = "0 2 29 2 1-5"
retry = { attempts = 100, backoff_initial_s = 0.01, backoff_max_s = 3600 }
batch_size = 1000000
demo = { lines = 10000000, night = 10000, seed = -9223372036854775808, fail = "slow", slow_s = 3600 }
alerts = { stale_after = "3650d", stale_grace = "1s", muted_until = "9998-12-30T00:00:00Z" }
[[sources]]
name = "pg"
kind = "sql"
url = "postgresql://erp@127.0.0.1:1/erp"
[alerts]
consecutive_failures = 1000
volume_min_mean = 0
"""
        + EMAIL
        + "port = 65535\ntimeout_s = 300\n",
    )
    monkeypatch.setenv("POTRACK_PORT", "65535")
    monkeypatch.setenv("POTRACK_TIMEZONE", "Pacific/Kiritimati")
    for store in (
        "sqlite:///store.db",
        "sqlite+pysqlite:///store.db",
        "postgresql://potrack@db01/potrack",
        "postgresql+psycopg://potrack@db01/potrack",
        "mssql://potrack@erp-dsn",
        "mssql+pyodbc://potrack@erp-dsn",
    ):
        monkeypatch.setenv("POTRACK_DATABASE_URL", store)
        settings = load_settings()
        assert settings.database_url == store
    demo = settings.source("demo")
    assert (demo.retry.attempts, demo.retry.backoff_max_s, demo.batch_size) == (100, 3600.0, 1_000_000)
    assert (demo.demo.lines, demo.demo.night, demo.demo.seed, demo.demo.slow_s) == (10**7, 10**4, -(2**63), 3600.0)
    rules = settings.alerts.rules_for("demo")
    assert (rules.stale_after, rules.stale_grace) == (dt.timedelta(days=3650), dt.timedelta(seconds=1))
    assert rules.muted_until == dt.datetime(9998, 12, 30, tzinfo=dt.UTC)
    assert settings.alerts.defaults.consecutive_failures == 1000 and settings.alerts.defaults.volume_min_mean == 0
    assert (settings.alerts.channels[0].port, settings.alerts.channels[0].timeout_s) == (65535, 300.0)
    # A schedule that fires only every few years still fires: 29 February 2028 is a Tuesday.
    fire = settings.trigger(demo).get_next_fire_time(None, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert fire == dt.datetime(2028, 2, 29, 2, tzinfo=ZoneInfo("Pacific/Kiritimati"))
