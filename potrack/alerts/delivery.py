"""Delivering queued notifications off the run's thread: each is claimed once, retried with tenacity (3 attempts,
backoff), and every attempt is stored; a channel that is down only delays its own notifications."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sqlalchemy as sa

from potrack.alerts import channels
from potrack.clock import utcnow
from potrack.config.alerts import AlertSettings
from potrack.delivery import ATTEMPTS, Deliverer, run_within, send_with_retries
from potrack.store import alerts as store

log = logging.getLogger("potrack.alerts")


def deliver_one(
    engine: sa.Engine,
    settings: AlertSettings,
    notification_id: int,
    channel_name: str,
    payload: dict,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Send one claimed notification with retries, storing each attempt; True when it was delivered."""
    try:
        channel = settings.channel(channel_name)
    except KeyError as exc:
        store.record_attempt(engine, notification_id, 1, False, str(exc.args[0]), 0.0, utcnow())
        store.finish(engine, notification_id, False, utcnow())
        return False

    def record(number: int, ok: bool, error: str | None, duration_ms: float) -> None:
        store.record_attempt(engine, notification_id, number, ok, error, duration_ms, utcnow())

    sent = send_with_retries(
        lambda: channels.send(channel, payload),
        record,
        f"notification #{notification_id} to {channel_name}",
        log,
        attempts=ATTEMPTS,
        sleep=sleep,
    )
    store.finish(engine, notification_id, sent, utcnow())
    return sent


def deliver_pending(engine: sa.Engine, settings: AlertSettings) -> int:
    """Claim and send every pending notification; returns how many were delivered."""
    delivered = 0
    for notification_id, channel_name, _event, payload in store.claim(engine, utcnow()):
        delivered += deliver_one(engine, settings, notification_id, channel_name, payload)
    return delivered


def deliverer(engine: sa.Engine, settings: AlertSettings) -> Deliverer:
    """The background thread that sends notifications when kicked, and every 30 s anyway (not yet started)."""
    return Deliverer(lambda: deliver_pending(engine, settings), "alert-delivery", "notifications", log)


def deliver_within(engine: sa.Engine, settings: AlertSettings, seconds: float) -> bool:
    """Deliver what is pending, waiting at most `seconds` (the CLI before it exits); True when all were handled."""
    return run_within(lambda: deliver_pending(engine, settings), seconds, "alert-delivery")
