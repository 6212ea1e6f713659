"""Log lines read `[timestamp] [level] [component] message`, on stderr and in instance/logs/potrack.log."""

import datetime as dt
import re

from tests.support.cli import run_cli_process
from tests.support.workdir import write_config

LINE = re.compile(
    r"^\[(?P<ts>[^\]]+)\] \[(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\] "
    r"\[(?P<component>potrack(\.[a-z_]+)*)\] (?P<message>\S.*)$"
)

CONFIG = """
[[sources]]
name = "flaky"
kind = "demo"
demo = { fail = "flaky", fail_attempts = 1, night = 0, lines = 30 }
retry = { attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }

[[sources]]
name = "down"
kind = "demo"
demo = { fail = "unreachable", night = 0, lines = 30 }
retry = { attempts = 1, backoff_initial_s = 0.01, backoff_max_s = 0.02 }
"""


def parse(lines: list[str]) -> list[re.Match]:
    matches = []
    for line in lines:
        match = LINE.match(line)
        assert match, f"log line not in the form [timestamp] [level] [component] message: {line!r}"
        dt.datetime.strptime(match["ts"], "%Y-%m-%d %H:%M:%S,%f")  # a real timestamp
        matches.append(match)
    return matches


def test_log_lines_on_stderr_and_in_the_log_file_have_the_documented_form(workdir):
    write_config(workdir, CONFIG)
    proc = run_cli_process(workdir, "run", "--all")
    assert proc.returncode == 1  # one source succeeded after a retry, the other failed

    stderr_lines = proc.stderr.splitlines()
    matches = parse(stderr_lines)
    assert {m["level"] for m in matches} == {"INFO", "WARNING", "ERROR"}
    assert {m["component"] for m in matches} == {"potrack.pipeline", "potrack.events"}
    assert any(
        m["level"] == "WARNING" and "flaky" in m["message"] and "attempt 1 failed" in m["message"] for m in matches
    )
    assert any(m["level"] == "INFO" and "flaky success" in m["message"] for m in matches)
    assert any(m["level"] == "ERROR" and "down failed" in m["message"] for m in matches)

    log_file = workdir / "instance" / "logs" / "potrack.log"
    file_lines = log_file.read_text(encoding="utf-8").splitlines()
    parse(file_lines)
    assert file_lines == stderr_lines
    # The report on stdout is not a log line and goes only to stdout.
    assert not any(line.startswith("run #") for line in file_lines)
    assert "run #1 flaky: success" in proc.stdout
