"""Subscribers for the tests: a real HTTP receiver on 127.0.0.1 that keeps every POST with its exact body bytes and
headers and can refuse the first ones (HTTP 500), python targets for `kind = "python"`, a potrack.toml with
subscribers, and the store's deliveries and attempts as rows."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import sqlalchemy as sa

from potrack.store.models import EventDelivery, EventDeliveryAttempt
from tests.support.receivers import http_server

SECRET = "s3cret-signing-key-for-tests"
CALLS: list[tuple[str, dict[str, Any]]] = []  # what `record` was called with, in order


@dataclass(frozen=True)
class Post:
    """One POST as received: its headers (lower-case names) and its exact body."""

    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class EventReceiver:
    """A webhook receiver: its URL, what it accepted (2xx) and how many POSTs it refused first."""

    url: str = ""
    refuse_first: int = 0
    accepted: list[Post] = field(default_factory=list)
    refused: list[Post] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def event_receiver(refuse_first: int = 0) -> Iterator[EventReceiver]:
    """A receiver on 127.0.0.1 answering 500 to its first `refuse_first` POSTs and 200 after; stopped at the end."""
    received = EventReceiver(refuse_first=refuse_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            post = Post(
                {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(int(self.headers["Content-Length"]))
            )
            with received.lock:
                refuse = len(received.refused) < received.refuse_first
                (received.refused if refuse else received.accepted).append(post)
            self.send_response(500 if refuse else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with http_server(Handler) as port:
        received.url = f"http://127.0.0.1:{port}/events?token=hook-token-123"
        yield received


@pytest.fixture
def event_hook() -> Iterator[EventReceiver]:
    """A webhook receiver on 127.0.0.1 that accepts every event."""
    with event_receiver() as received:
        yield received


def record(topic: str, payload: dict[str, Any]) -> None:
    """A python subscriber that keeps what it is called with (in CALLS)."""
    CALLS.append((topic, payload))


def explode(topic: str, payload: dict[str, Any]) -> None:
    """A python subscriber that always raises."""
    raise RuntimeError(f"the warehouse system is down (run {payload['run_id']})")


NOT_CALLABLE = 42  # a target that names something that is not a function


def webhook_toml(name: str, url: str, topic: str = "*", extra: str = "") -> str:
    """A `[[subscribers]]` table of kind webhook, signed with SECRET."""
    return (
        f'[[subscribers]]\nname = "{name}"\nkind = "webhook"\ntopic = "{topic}"\nurl = "{url}"\n'
        f'secret = "{SECRET}"\n{extra}\n'
    )


def python_toml(name: str, target: str, topic: str = "*") -> str:
    """A `[[subscribers]]` table of kind python."""
    return f'[[subscribers]]\nname = "{name}"\nkind = "python"\ntopic = "{topic}"\ntarget = "{target}"\n'


def deliveries(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every queued delivery, in order, as a dict of its columns."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(EventDelivery.__table__).order_by(EventDelivery.id)).mappings().all()
    return [dict(r) for r in rows]


def attempts(engine: sa.Engine) -> list[tuple[int, int, bool, str | None]]:
    """(delivery id, attempt, ok, error) of every stored attempt, in order."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                EventDeliveryAttempt.delivery_id,
                EventDeliveryAttempt.attempt,
                EventDeliveryAttempt.ok,
                EventDeliveryAttempt.error,
            ).order_by(EventDeliveryAttempt.id)
        ).all()
    return [tuple(r) for r in rows]
