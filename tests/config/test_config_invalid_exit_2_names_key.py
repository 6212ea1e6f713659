"""Configuration: an invalid potrack.toml stops at start with exit 2 and a message naming the key."""

import pytest

from potrack import cli
from tests.support.cli import run_cli, run_cli_process
from tests.support.workdir import write_config

SQL = '[[sources]]\nname = "erp"\nkind = "sql"\nurl = "sqlite:///erp.db"\n'

# (case, potrack.toml, what stderr must name, what it must say is expected)
INVALID = [
    ("invalid_toml", '[[sources]]\nname = "erp\nkind = "demo"\n', "potrack.toml", "not valid TOML"),
    ("unknown_key", SQL + 'colums = { PONUM = "po_number" }\n', "sources[0].colums", "unknown key"),
    ("wrong_type", SQL + 'retry = { attempts = "five" }\n', "sources[0].retry.attempts", "expected an integer"),
    ("bad_kind", '[[sources]]\nname = "erp"\nkind = "oracle"\n', "sources[0].kind", "demo, sql, odbc, csv"),
    ("missing_url", '[[sources]]\nname = "erp"\nkind = "sql"\nquery = "SELECT 1"\n', "sources[0].url", "required"),
    (
        "missing_env_var",
        '[[sources]]\nname = "erp"\nkind = "sql"\nurl = "postgresql://u:${POTRACK_TEST_UNSET_PW}@127.0.0.1:1/db"\n',
        "sources[0].url",
        "POTRACK_TEST_UNSET_PW is not set",
    ),
]


@pytest.mark.parametrize(("toml", "key", "expected"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_config_exits_2_in_a_real_process_and_names_the_key(workdir, toml, key, expected):
    write_config(workdir, toml)
    proc = run_cli_process(workdir, "run", "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "configuration error" in proc.stderr
    assert key in proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    # It failed at start: no store was created, no run was recorded.
    assert not (workdir / "instance" / "potrack.db").exists()


def test_invalid_toml_message_points_at_the_line(workdir, capsys):
    write_config(workdir, '[[sources]]\nname = "erp"\nkind = demo\n')
    assert cli.main(["run"]) == 2
    assert "(at line 3" in capsys.readouterr().err


def test_config_file_that_is_not_utf8_exits_2(workdir, capsys):
    (workdir / "potrack.toml").write_bytes(b'[[sources]]\nname = "erp"\nkind = "demo"\n# caf\xe9\n')
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "potrack.toml" in err and "UTF-8" in err


def test_unparseable_sql_url_exits_2_naming_the_key_without_echoing_it(workdir, capsys):
    write_config(
        workdir, '[[sources]]\nname = "erp"\nkind = "sql"\nurl = "postgresql://u:Lit3ralPw99@erp01:notaport/db"\n'
    )
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "sources[0].url" in err and "SQLAlchemy URL" in err
    assert "Lit3ralPw99" not in err


def test_unparseable_database_url_from_environment_exits_2_naming_the_variable(workdir, monkeypatch, capsys):
    monkeypatch.setenv("POTRACK_DATABASE_URL", "this is not a url")
    assert cli.main(["run"]) == 2
    assert "POTRACK_DATABASE_URL" in capsys.readouterr().err


def test_unknown_source_name_on_the_command_line_exits_2(workdir, capsys):
    assert cli.main(["run", "--source", "nope"]) == 2
    err = capsys.readouterr().err
    assert "--source" in err and "nope" in err and "demo" in err


def test_no_potrack_toml_runs_the_built_in_demo_source(workdir):
    assert not (workdir / "potrack.toml").exists()
    code, reports = run_cli()
    assert code == 0
    assert [(r["source"], r["status"]) for r in reports] == [("demo", "success")]
    assert reports[0]["lines_new"] > 0


def test_potrack_config_pointing_at_a_missing_file_exits_2(workdir):
    write_config(workdir, SQL)  # a valid ./potrack.toml must not be used instead
    proc = run_cli_process(workdir, "run", "--json", env={"POTRACK_CONFIG": str(workdir / "missing.toml")})
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "POTRACK_CONFIG" in proc.stderr and "missing.toml" in proc.stderr


def test_potrack_config_chooses_the_file(workdir):
    other = workdir / "conf" / "other.toml"
    other.parent.mkdir()
    other.write_text('[[sources]]\nname = "elsewhere"\nkind = "sql"\n', encoding="utf-8")  # no url
    proc = run_cli_process(workdir, "run", env={"POTRACK_CONFIG": str(other)})
    assert proc.returncode == 2
    assert "sources[0].url" in proc.stderr


def test_demo_fail_slow_without_slow_s_exits_2_naming_slow_s(workdir, capsys):
    write_config(workdir, '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { fail = "slow" }\n')
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "sources[0].demo.slow_s" in err and "positive" in err
