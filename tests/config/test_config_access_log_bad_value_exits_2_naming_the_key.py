"""POTRACK_ACCESS_LOG is on/off (1/true/yes/on, 0/false/no/off, any case); anything else stops `python app.py`,
gunicorn and the CLI at start with exit code 2 and a message naming the variable and the value."""

import pytest

from potrack.config import load_settings
from tests.support.cli import run_cli_process
from tests.support.workdir import write_config

DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\n'
MESSAGE = "potrack: configuration error: POTRACK_ACCESS_LOG: expected on/off, got 'sometimes'"


@pytest.mark.parametrize(("value", "on"), [("", False), ("1", True), ("ON", True), ("off", False), ("No", False)])
def test_the_setting_reads_on_and_off(workdir, monkeypatch, value, on):
    monkeypatch.setenv("POTRACK_ACCESS_LOG", value)
    assert load_settings().access_log is on


def test_the_app_exits_2_naming_the_key(workdir, app_processes):
    write_config(workdir, DEMO)
    web = app_processes.app("app", POTRACK_ACCESS_LOG="sometimes")
    assert web.proc.wait(timeout=120) == 2, web.output()
    assert MESSAGE in web.output() and "Traceback" not in web.output()
    assert not (workdir / "instance" / "potrack.db").exists()


def test_gunicorn_exits_2_naming_the_key_before_any_worker(workdir, app_processes):
    write_config(workdir, DEMO)
    web = app_processes.gunicorn("gunicorn", "-w", "2", POTRACK_ACCESS_LOG="sometimes")
    assert web.proc.wait(timeout=120) == 2, web.output()
    assert MESSAGE in web.output() and "Booting worker" not in web.output()


def test_the_cli_exits_2_naming_the_key(workdir):
    write_config(workdir, DEMO)
    done = run_cli_process(workdir, "run", env={"POTRACK_ACCESS_LOG": "sometimes"})
    assert done.returncode == 2 and MESSAGE.removeprefix("potrack: ") in done.stderr
