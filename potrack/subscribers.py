"""Delivering events to the configured subscribers, off the run's thread: each queued delivery is claimed once and
sent — a webhook POSTed its JSON body (signed when the subscriber has a secret) with retries, a python target
called once — and every attempt is stored with its error."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.config.model import SubscriberConfig
from potrack.config.subscribers import target_function
from potrack.delivery import ATTEMPTS, Deliverer, send_with_retries
from potrack.delivery import post as post_body
from potrack.store import subscriber_outbox as outbox
from potrack.store.subscriber_outbox import EVENTS, ClaimedDelivery

log = logging.getLogger("potrack.subscribers")


def signature(secret: str, body: bytes) -> str:
    """The X-Potrack-Signature of a body: "sha256=" and the hex HMAC-SHA256 of its exact bytes under the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_request(subscriber: SubscriberConfig, delivery: ClaimedDelivery) -> tuple[bytes, dict[str, str]]:
    """The body and headers a webhook is sent for a delivery."""
    body = json.dumps(delivery.payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Potrack-Topic": delivery.topic,
        "X-Potrack-Delivery": str(delivery.id),  # the same at every retry: receivers de-duplicate on it
    }
    if subscriber.secret:
        headers["X-Potrack-Signature"] = signature(subscriber.secret, body)
    return body, headers


def _send(subscriber: SubscriberConfig, delivery: ClaimedDelivery) -> Callable[[], None]:
    """One attempt at a delivery, to call as often as it is tried."""
    if subscriber.kind == "webhook":
        body, headers = webhook_request(subscriber, delivery)
        return lambda: post_body(subscriber.url or "", body, headers, subscriber.timeout_s)
    return lambda: target_function(subscriber.target or "")(delivery.topic, delivery.payload)


def deliver_one(
    engine: sa.Engine,
    subscribers: Sequence[SubscriberConfig],
    delivery: ClaimedDelivery,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Send one claimed delivery, storing each attempt; True when it was delivered. A webhook is tried 3 times with
    backoff; a python target once (it runs in this process: an error of its own is not one a retry cures)."""
    subscriber = next((s for s in subscribers if s.name == delivery.subscriber), None)
    if subscriber is None:  # removed from potrack.toml since the event was queued
        known = ", ".join(s.name for s in subscribers)
        EVENTS.record_attempt(
            engine,
            delivery.id,
            1,
            False,
            f"no subscriber named {delivery.subscriber!r} (configured: {known})",
            0.0,
            utcnow(),
        )
        EVENTS.finish(engine, delivery.id, False, utcnow())
        return False

    def record(number: int, ok: bool, error: str | None, duration_ms: float) -> None:
        EVENTS.record_attempt(engine, delivery.id, number, ok, error, duration_ms, utcnow())

    sent = send_with_retries(
        _send(subscriber, delivery),
        record,
        f"event delivery #{delivery.id} ({delivery.topic}) to {subscriber.name}",
        log,
        attempts=ATTEMPTS if subscriber.kind == "webhook" else 1,
        sleep=sleep,
    )
    EVENTS.finish(engine, delivery.id, sent, utcnow())
    return sent


def deliver_pending(
    engine: sa.Engine, subscribers: Sequence[SubscriberConfig], sleep: Callable[[float], None] = time.sleep
) -> int:
    """Claim and send pending deliveries one at a time until none is left; returns how many were delivered."""
    delivered = 0
    while (delivery := outbox.claim_next(engine, utcnow())) is not None:
        delivered += deliver_one(engine, subscribers, delivery, sleep)
    return delivered


def deliverer(engine: sa.Engine, subscribers: Sequence[SubscriberConfig]) -> Deliverer:
    """The background thread that sends events when kicked, and every 30 s anyway (not yet started)."""
    return Deliverer(lambda: deliver_pending(engine, subscribers), "event-delivery", "events to subscribers", log)
