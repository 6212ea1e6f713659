"""A bad `[[subscribers]]` table stops potrack at start naming the key (exit 2 from the command line); a python
target is imported and checked at load; a webhook's URL and secret are registered as secrets."""

import pytest

from potrack import redact
from potrack.config import ConfigError
from potrack.config.load import load_settings
from tests.support.cli import run_cli_process
from tests.support.subscribers import SECRET, python_toml, webhook_toml
from tests.support.workdir import write_config

DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\n'
HOOK = "http://127.0.0.1:9/events"
CASES = [
    ('[[subscribers]]\nkind = "python"\n', "subscribers[0].name: expected 1-100 letters, digits"),
    ('[[subscribers]]\nname = "a b"\n', "subscribers[0].name: expected 1-100 letters, digits"),
    (
        webhook_toml("w", HOOK, topic="po_lines.*"),
        "subscribers[0].topic: expected one of po_lines.changed, run.finished",
    ),
    ('[[subscribers]]\nname = "w"\ntopic = "*"\nkind = "kafka"\n', "subscribers[0].kind: expected one of webhook"),
    (
        '[[subscribers]]\nname = "w"\ntopic = "*"\nkind = "webhook"\n',
        'subscribers[0].url: required for kind = "webhook"',
    ),
    (webhook_toml("w", "ftp://example.com/x"), 'subscribers[0].url: required for kind = "webhook": an http://'),
    (webhook_toml("w", HOOK).replace(SECRET, ""), "subscribers[0].secret: expected the signing secret"),
    (webhook_toml("w", HOOK, extra="max_keys = 0"), "subscribers[0].max_keys: expected 1 or more"),
    (webhook_toml("w", HOOK, extra="timeout_s = 0"), "subscribers[0].timeout_s: expected a positive number"),
    (webhook_toml("w", HOOK, extra="retries = 5"), "subscribers[0].retries: unknown key"),
    (webhook_toml("w", HOOK, extra='target = "tests.support.subscribers:record"'), "subscribers[0].target: unknown"),
    (
        '[[subscribers]]\nname = "p"\ntopic = "*"\nkind = "python"\n',
        'subscribers[0].target: required for kind = "python"',
    ),
    (python_toml("p", "tests.support.subscribers"), 'subscribers[0].target: expected "package.module:function"'),
    (
        python_toml("p", "no_such_module_here:f"),
        "subscribers[0].target: module 'no_such_module_here' cannot be imported",
    ),
    (python_toml("p", "tests.support.subscribers:nothing"), "subscribers[0].target: tests.support.subscribers has no"),
    (python_toml("p", "tests.support.subscribers:NOT_CALLABLE"), "has no function 'NOT_CALLABLE'"),
    (python_toml("p", "tests.support.subscribers:record") + webhook_toml("w", HOOK, topic="x"), "subscribers[1].topic"),
    (python_toml("same", "tests.support.subscribers:record") * 2, "subscribers: name 'same' is used by more than one"),
]


@pytest.mark.parametrize("toml, message", CASES)
def test_a_bad_subscriber_names_the_key(workdir, toml, message):
    write_config(workdir, DEMO + toml)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert message in str(error.value)


def test_the_command_line_exits_2_naming_the_key_and_never_showing_the_url(workdir):
    write_config(workdir, DEMO + webhook_toml("w", HOOK + "?token=hook-tok3n", extra="max_keys = -1"))
    proc = run_cli_process(workdir, "run")
    assert proc.returncode == 2 and "subscribers[0].max_keys: expected 1 or more" in proc.stderr, proc.stderr
    assert "hook-tok3n" not in proc.stderr and SECRET not in proc.stderr


def test_good_subscribers_load_and_their_url_and_secret_are_secrets(workdir):
    url = HOOK + "?token=hook-tok3n-loaded"
    write_config(
        workdir,
        DEMO
        + webhook_toml("w", url, topic="po_lines.changed", extra="max_keys = 500\ntimeout_s = 2.5")
        + python_toml("p", "tests.support.subscribers:record", topic="run.finished"),
    )
    settings = load_settings()
    [hook, function] = settings.subscribers
    assert (hook.name, hook.kind, hook.topic, hook.url, hook.secret) == (
        "w",
        "webhook",
        "po_lines.changed",
        url,
        SECRET,
    )
    assert (hook.max_keys, hook.timeout_s) == (500, 2.5)
    assert (function.name, function.kind, function.target, function.max_keys) == (
        "p",
        "python",
        "tests.support.subscribers:record",
        10_000,
    )
    shown = redact.scrub(f"posting to {url} signed with {SECRET}")
    assert "hook-tok3n-loaded" not in shown and SECRET not in shown
