"""The outbox of events for the configured subscribers: queued in a run's own data transaction (so an event is
neither lost nor queued twice: it commits, or rolls back, with the run), claimed and delivered by a background
sender, every attempt stored; and what the subscribers page lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.config.model import SubscriberConfig
from potrack.events import PO_LINES_CHANGED, RUN_FINISHED
from potrack.store.models import EventDelivery, EventDeliveryAttempt
from potrack.store.outbox import PENDING, Outbox

# A webhook waits up to 300 s an attempt, 3 attempts with their backoff: a claim older than this has no sender.
EVENTS = Outbox(
    EventDelivery.__table__,  # type: ignore[arg-type]  # (a declarative model's Table)
    EventDeliveryAttempt.__table__,  # type: ignore[arg-type]
    "delivery_id",
    dt.timedelta(minutes=20),
)
KINDS = ("new", "changed", "removed")  # the key lists of po_lines.changed, in this order across its pages
Key = tuple[str, int]


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery taken for sending: to whom, which topic, what."""

    id: int
    subscriber: str
    topic: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery as the subscribers page lists it."""

    id: int
    subscriber: str
    topic: str
    source: str
    run_id: int
    page: int
    pages: int
    state: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class AttemptRow:
    """One attempt to deliver: when, whether it worked, its error and how long it took."""

    attempt: int
    at: dt.datetime
    ok: bool
    error: str | None
    duration_ms: float


def key_pages(
    source: str, run_id: int, keys: Mapping[str, Sequence[Key]], max_keys: int
) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """po_lines.changed as (page, pages, payload): the new, changed and removed keys in that order, at most
    `max_keys` of them in all on a page; nothing when the run touched no line."""
    flat = [(kind, key) for kind in KINDS for key in keys[kind]]
    pages = -(-len(flat) // max_keys)
    for page in range(1, pages + 1):
        payload: dict[str, Any] = {"source": source, "run_id": run_id, "page": page, "pages": pages}
        payload.update({kind: [] for kind in KINDS})
        for kind, (po_number, line_number) in flat[(page - 1) * max_keys : page * max_keys]:
            payload[kind].append({"po_number": po_number, "line_number": line_number})
        yield page, pages, payload


def queue_run(
    conn: sa.Connection,
    subscribers: Sequence[SubscriberConfig],
    report: dict[str, Any],
    keys: Mapping[str, Sequence[Key]] | None,
    now: dt.datetime,
) -> int:
    """Queue a finished run's events for every subscriber that hears them, in the caller's transaction: run.finished
    (the run's report) and, when `keys` are given and hold any, po_lines.changed in pages. Returns how many rows.

    Each row is written as it is built: a baseline's pages are never all in memory at once."""
    source, run_id = report["source"], report["run_id"]
    queued = 0
    for subscriber in subscribers:
        events: list[tuple[str, Iterable[tuple[int, int, dict[str, Any]]]]] = []
        if subscriber.hears(RUN_FINISHED):
            events.append((RUN_FINISHED, [(1, 1, report)]))
        if keys is not None and subscriber.hears(PO_LINES_CHANGED):
            events.append((PO_LINES_CHANGED, key_pages(source, run_id, keys, subscriber.max_keys)))
        for topic, topic_pages in events:
            for page, pages, payload in topic_pages:
                conn.execute(
                    sa.insert(EventDelivery).values(
                        subscriber=subscriber.name,
                        topic=topic,
                        source=source,
                        run_id=run_id,
                        page=page,
                        pages=pages,
                        state=PENDING,
                        payload=payload,
                        created_at=now,
                        attempts=0,
                    )
                )
                queued += 1
    return queued


def claim_next(engine: sa.Engine, now: dt.datetime) -> ClaimedDelivery | None:
    """Take the oldest pending delivery (or one whose sender vanished), None when there is none; two senders never
    take the same one."""
    row = EVENTS.claim_next(engine, now, ["subscriber", "topic", "payload"])
    return None if row is None else ClaimedDelivery(row.id, row.subscriber, row.topic, row.payload)


def recent_deliveries(conn: sa.Connection, subscriber: str, limit: int = 50) -> list[DeliveryRow]:
    """A subscriber's latest deliveries, newest first."""
    d = EventDelivery
    rows = conn.execute(
        sa.select(
            d.id,
            d.subscriber,
            d.topic,
            d.source,
            d.run_id,
            d.page,
            d.pages,
            d.state,
            d.created_at,
            d.finished_at,
            d.attempts,
            d.last_error,
        )
        .where(d.subscriber == subscriber)
        .order_by(d.id.desc())
        .limit(limit)
    )
    return [DeliveryRow(**row) for row in rows.mappings()]


def attempts(conn: sa.Connection, delivery_ids: list[int]) -> dict[int, list[AttemptRow]]:
    """The attempts of these deliveries, in order, by delivery id."""
    if not delivery_ids:
        return {}
    a = EventDeliveryAttempt
    rows = conn.execute(
        sa.select(a.delivery_id, a.attempt, a.at, a.ok, a.error, a.duration_ms)
        .where(a.delivery_id.in_(delivery_ids))
        .order_by(a.delivery_id, a.attempt, a.id)
    )
    out: dict[int, list[AttemptRow]] = {}
    for row in rows:
        out.setdefault(row.delivery_id, []).append(AttemptRow(row.attempt, row.at, row.ok, row.error, row.duration_ms))
    return out


@dataclass(frozen=True)
class DeliveryLog:
    """A delivery with its attempts, in order."""

    delivery: DeliveryRow
    attempts: list[AttemptRow]


def delivery_logs(conn: sa.Connection, subscriber: str, limit: int = 50) -> list[DeliveryLog]:
    """A subscriber's latest deliveries, newest first, each with its attempts (the subscribers page)."""
    recent = recent_deliveries(conn, subscriber, limit)
    tried = attempts(conn, [d.id for d in recent])
    return [DeliveryLog(d, tried.get(d.id, [])) for d in recent]
