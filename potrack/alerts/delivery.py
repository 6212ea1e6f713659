"""Delivering queued notifications off the run's thread: each is claimed once, retried with tenacity (3 attempts,
backoff), and every attempt is stored; a channel that is down only delays its own notifications."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from tenacity import Retrying, stop_after_attempt, wait_exponential

from potrack.alerts import channels
from potrack.clock import utcnow
from potrack.config.alerts import AlertSettings
from potrack.redact import safe_reason
from potrack.store import alerts as store

log = logging.getLogger("potrack.alerts")
ATTEMPTS = 3
IDLE_S = 30.0


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

    calls = 0

    def attempt() -> None:
        nonlocal calls
        calls += 1
        number = calls
        began = time.perf_counter()
        try:
            channels.send(channel, payload)
        except Exception as exc:
            store.record_attempt(
                engine, notification_id, number, False, safe_reason(exc), (time.perf_counter() - began) * 1000, utcnow()
            )
            log.warning(
                "notification #%s to %s: attempt %s failed: %s", notification_id, channel_name, number, safe_reason(exc)
            )
            raise
        store.record_attempt(
            engine, notification_id, number, True, None, (time.perf_counter() - began) * 1000, utcnow()
        )

    try:
        Retrying(
            stop=stop_after_attempt(ATTEMPTS), wait=wait_exponential(multiplier=0.5, max=5), sleep=sleep, reraise=True
        )(attempt)
    except Exception:
        store.finish(engine, notification_id, False, utcnow())
        log.error("notification #%s to %s failed after %s attempts", notification_id, channel_name, ATTEMPTS)
        return False
    store.finish(engine, notification_id, True, utcnow())
    return True


def deliver_pending(engine: sa.Engine, settings: AlertSettings) -> int:
    """Claim and send every pending notification; returns how many were delivered."""
    delivered = 0
    for notification_id, channel_name, _event, payload in store.claim(engine, utcnow()):
        delivered += deliver_one(engine, settings, notification_id, channel_name, payload)
    return delivered


class Deliverer:
    """A background thread that sends notifications when kicked, and every 30 s anyway."""

    def __init__(self, engine: sa.Engine, settings: AlertSettings) -> None:
        self.engine, self.settings = engine, settings
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="alert-delivery", daemon=True)

    def start(self) -> Deliverer:
        """Start the thread."""
        self._thread.start()
        return self

    def kick(self) -> None:
        """Deliver now (new notifications were queued)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current notification."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(IDLE_S)
            self._wake.clear()
            try:
                deliver_pending(self.engine, self.settings)
            except Exception as exc:  # the store may be briefly unavailable: try again at the next wake-up
                log.error("delivering notifications failed: %s", safe_reason(exc))


def deliver_within(engine: sa.Engine, settings: AlertSettings, seconds: float) -> bool:
    """Deliver what is pending, waiting at most `seconds` (the CLI before it exits); True when all were handled."""
    worker = threading.Thread(target=deliver_pending, args=(engine, settings), name="alert-delivery", daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()
