"""Real notification receivers on loopback: an SMTP server (aiosmtpd) and a threaded HTTP server that keeps every
JSON body posted to it; both on ephemeral ports of 127.0.0.1, stopped at the end of the test (or of the block:
scripts/screenshots.py receives its notifications with them too)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.services import free_port


@dataclass
class Inbox:
    """What the SMTP server received."""

    port: int
    messages: list[Message] = field(default_factory=list)


class _Keep:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.inbox.messages.append(
            message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        )
        return "250 OK"


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    return free_port()


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 that accepts every message (no TLS, no login), stopped when the block ends."""
    inbox = Inbox(free_port())
    controller = Controller(_Keep(inbox), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 that accepts every message (no TLS, no login)."""
    with smtp_server() as inbox:
        yield inbox


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serve `handler` on an ephemeral port of 127.0.0.1 from a thread; its port; stopped when the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Receiver:
    """What the HTTP receiver got: the JSON bodies posted to it, in order."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def webhook_server() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 answering 200 to every POST and keeping its JSON body, stopped when the
    block ends."""
    received = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            received.posts.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with http_server(Handler) as port:
        received.url = f"http://127.0.0.1:{port}/hook"
        yield received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 answering 200 to every POST and keeping its JSON body."""
    with webhook_server() as received:
        yield received


def channels_toml(webhook_url: str, smtp_port: int) -> str:
    """An [alerts] table with a webhook channel and a plain SMTP channel."""
    return f"""
[alerts]
dashboard_url = "http://potrack.test:8050"

[[alerts.channels]]
name = "hook"
kind = "webhook"
url = "{webhook_url}"

[[alerts.channels]]
name = "mail"
kind = "email"
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "potrack@example.com"
to = ["ops@example.com"]
"""
