"""The alerts page's and /api/alerts' tests: a store with two demo sources and two channels (a webhook to a real
receiver on 127.0.0.1, e-mail to a closed port), alerts opened by the real evaluator, notifications delivered at
once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import app
from potrack.alerts.delivery import deliver_one
from potrack.alerts.evaluate import Evaluator
from potrack.clock import utcnow
from potrack.runtime import Runtime, start
from potrack.store import alerts as store
from tests.support.personas import add_personas
from tests.support.receivers import Receiver, channels_toml, closed_port
from tests.support.web import add_run
from tests.support.workdir import write_config

HOUR = dt.timedelta(hours=1)
REFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"  # in each failed attempt to the mail channel
# demo: the defaults (nightly at 02:00, 2 failures in a row, stale after 26 h); night: its own thresholds, muted;
# channels: "hook" (a webhook, the receiver) and "mail" (SMTP on a closed port: every attempt fails).
CONFIG = """
[[sources]]
name = "demo"
kind = "demo"

[[sources]]
name = "night"
kind = "demo"
alerts = {{ consecutive_failures = 3, stale_after = "4h", muted_until = "2099-01-01T00:00:00Z" }}
{channels}
"""


def config(hook_url: str) -> str:
    """potrack.toml's text: CONFIG with the channels, "hook" posting to this URL."""
    return CONFIG.format(channels=channels_toml(hook_url, closed_port()))


def configure(workdir: Path, hook_url: str) -> Runtime:
    """Write potrack.toml (config()), start on it and install the runtime as the app's, with the personas."""
    write_config(workdir, config(hook_url))
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    return runtime


@pytest.fixture
def alerts_web(workdir: Path, receiver: Receiver) -> Runtime:
    """The pages' runtime on CONFIG, its hook channel posting to the receiver."""
    return configure(workdir, receiver.url)


def fail_twice(runtime: Runtime, source: str = "demo", error: str = "extract: ERP unreachable") -> list[int]:
    """A success 3 h ago, then two failed runs: demo's consecutive-failures rule holds."""
    now = utcnow()
    add_run(runtime.engine, source=source, queued_at=now - 3 * HOUR, lines_processed=500)
    return [
        add_run(
            runtime.engine, source=source, status="failed", error=error, error_stage="extract", queued_at=now - n * HOUR
        )
        for n in (2, 1)
    ]


def evaluate(runtime: Runtime, now: dt.datetime | None = None) -> list[str]:
    """Evaluate every source's rules as the app does ('opened demo/consecutive_failures', ...)."""
    return Evaluator(runtime.settings, runtime.engine, clock=lambda: now or utcnow()).evaluate_all()


def deliver(runtime: Runtime) -> None:
    """Send every pending notification now, without waiting between attempts."""
    for notification_id, channel, _event, payload in store.claim(runtime.engine, utcnow()):
        deliver_one(runtime.engine, runtime.settings.alerts, notification_id, channel, payload, sleep=lambda _: None)
