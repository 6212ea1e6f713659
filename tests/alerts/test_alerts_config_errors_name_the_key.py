"""A bad alert setting stops potrack at start with exit 2 and names the key; channel secrets read from ${VAR}
or written in the file never show in that message."""

import pytest

from tests.support.cli import run_cli_process
from tests.support.workdir import write_config

DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\n'
CASES = [
    (
        DEMO.replace('kind = "demo"\n', 'kind = "demo"\nalerts = { stale_after = "4 hours" }\n'),
        'sources[0].alerts.stale_after: expected a positive duration such as "30m", "4h" or "2d"',
    ),
    (
        DEMO.replace('kind = "demo"\n', 'kind = "demo"\nalerts = { muted_until = "tomorrow" }\n'),
        "sources[0].alerts.muted_until: expected an ISO 8601 time",
    ),
    (
        DEMO.replace('kind = "demo"\n', 'kind = "demo"\nalerts = { volume_drop_percent = 130 }\n'),
        "sources[0].alerts.volume_drop_percent: expected a percentage between 0 and 100",
    ),
    (DEMO + "[alerts]\nconsecutive_failures = 0\n", "alerts.consecutive_failures: expected 1 or more"),
    (DEMO + '[alerts]\nremind_every = "sometimes"\n', "alerts.remind_every: expected a positive duration"),
    (DEMO + '[alerts]\nstale_after = "4h"\n', "alerts.stale_after: unknown key"),
    (DEMO + '[[alerts.channels]]\nname = "x"\nkind = "pager"\n', "alerts.channels[0].kind: expected one of"),
    (DEMO + '[[alerts.channels]]\nname = "x"\nkind = "slack"\n', 'alerts.channels[0].url: required for kind = "slack"'),
    (
        DEMO + '[[alerts.channels]]\nname = "m"\nkind = "email"\nhost = "smtp"\nfrom = "a@b.c"\n',
        'alerts.channels[0].to: required for kind = "email"',
    ),
    (
        DEMO + '[[alerts.channels]]\nname = "m"\nkind = "email"\nhost = "smtp"\nfrom = "a@b.c"\nto = ["o@b.c"]\n'
        'username = "u"\n',
        "alerts.channels[0].password: username and password go together",
    ),
]


@pytest.mark.parametrize("toml, message", CASES)
def test_a_bad_alert_setting_exits_2_naming_the_key(workdir, toml, message):
    write_config(workdir, toml)
    proc = run_cli_process(workdir, "run")
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_two_channels_with_one_name_are_refused(workdir):
    hook = '[[alerts.channels]]\nname = "ops"\nkind = "webhook"\nurl = "http://127.0.0.1:9/x"\n'
    write_config(workdir, DEMO + hook + hook)
    proc = run_cli_process(workdir, "run")
    assert proc.returncode == 2 and "alerts.channels: name 'ops' is used by more than one channel" in proc.stderr
