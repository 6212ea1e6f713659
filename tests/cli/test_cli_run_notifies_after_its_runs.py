"""`python -m potrack run` evaluates the alert rules after its runs and sends their notifications before it exits:
a process whose run fails opens the alert and notifies every channel once."""

from tests.support.cli import run_cli_process
from tests.support.erp import sql_source_config, unreachable_erp_url
from tests.support.receivers import channels_toml
from tests.support.workdir import write_config


def test_a_failed_run_notifies_each_channel_before_the_process_exits(workdir, erp, receiver, smtp):
    source = sql_source_config(erp).replace(erp.url, unreachable_erp_url()).replace("attempts = 3", "attempts = 1")
    alerts = channels_toml(receiver.url, smtp.port).replace("[alerts]\n", "[alerts]\nconsecutive_failures = 1\n")
    write_config(workdir, source + alerts)

    proc = run_cli_process(workdir, "run", "--source", "erp")

    assert proc.returncode == 1, proc.stderr
    assert [(post["event"], post["source"], post["rule"]) for post in receiver.posts] == [
        ("opened", "erp", "consecutive_failures")
    ]
    assert [mail["Subject"] for mail in smtp.messages] == ["[potrack] FIRING: erp — consecutive failed runs"]
