"""In-process publish/subscribe: the pipeline announces runs and changed lines."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("potrack.events")
Subscriber = Callable[[str, dict[str, Any]], None]

RUN_FINISHED = "run.finished"
PO_LINES_CHANGED = "po_lines.changed"

_lock = threading.Lock()
_subscribers: dict[str, list[Subscriber]] = {}


def subscribe(topic: str, fn: Subscriber) -> None:
    """Call fn(topic, payload) for every event published on topic."""
    with _lock:
        _subscribers.setdefault(topic, []).append(fn)


def unsubscribe(topic: str, fn: Subscriber) -> None:
    """Stop calling fn for topic (no error when it was not subscribed)."""
    with _lock:
        if fn in _subscribers.get(topic, []):
            _subscribers[topic].remove(fn)


def has_subscribers(topic: str) -> bool:
    """Whether anyone listens on topic (so a publisher can skip building a large payload)."""
    with _lock:
        return bool(_subscribers.get(topic))


def summary(payload: dict[str, Any]) -> str:
    """A payload in a few words for the log: its run, its status, and how many items each list holds
    ('run=88 new=12 changed=140 removed=3'), never the lists themselves (a baseline's keys are a million)."""
    words = [f"run={payload['run_id']}"] if "run_id" in payload else []
    words += [f"status={payload['status']}"] if "status" in payload else []
    words += [f"{key}={len(value)}" for key, value in payload.items() if isinstance(value, (list, tuple))]
    return " ".join(words)


def publish(topic: str, payload: dict[str, Any]) -> None:
    """Deliver payload to every subscriber of topic; one that raises is logged and skipped. Every publish is
    logged, its payload summarised."""
    log.info("Event published: topic=%s %s", topic, summary(payload))
    with _lock:
        targets = list(_subscribers.get(topic, []))
    for fn in targets:
        try:
            fn(topic, payload)
        except Exception:
            log.exception(
                "subscriber %s of %s raised; the other subscribers still run", getattr(fn, "__name__", fn), topic
            )
