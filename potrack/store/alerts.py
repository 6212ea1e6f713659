"""Alerts in the store: the rules' inputs, open and resolve (each once, by conditional writes), the outbox of
notifications with every delivery attempt, and the lists the alerts page and API show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from potrack.store import audit
from potrack.store.models import Alert, AlertDelivery, AlertNotification
from potrack.store.outbox import Outbox

CLAIM_EXPIRES = dt.timedelta(minutes=5)
# The notifications' outbox: claimed, attempted and finished as every outbox is (potrack/store/outbox.py).
NOTIFICATIONS = Outbox(
    AlertNotification.__table__,  # type: ignore[arg-type]  # (a declarative model's Table)
    AlertDelivery.__table__,  # type: ignore[arg-type]
    "notification_id",
    CLAIM_EXPIRES,
)


@dataclass(frozen=True)
class AlertRow:
    """An alert as listed."""

    id: int
    source: str
    rule: str
    state: str
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    message: str
    resolution: str | None
    run_id: int | None
    facts: dict[str, Any] | None


@dataclass(frozen=True)
class DeliveryRow:
    """A notification of an alert to one channel, with its attempts."""

    id: int
    alert_id: int | None
    channel: str
    event: str
    state: str
    created_at: dt.datetime
    attempts: int
    last_error: str | None


_ALERT_COLUMNS = (
    Alert.id,
    Alert.source,
    Alert.rule,
    Alert.state,
    Alert.opened_at,
    Alert.resolved_at,
    Alert.message,
    Alert.resolution,
    Alert.run_id,
    Alert.facts,
)


class Finding(Protocol):
    """What the store records of a rule's verdict (potrack.alerts.rules.Verdict): the rule, why, the run, facts."""

    @property
    def rule(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def run_id(self) -> int | None: ...

    @property
    def facts(self) -> dict[str, Any]: ...


_DELIVERY_COLUMNS = (
    AlertNotification.id,
    AlertNotification.alert_id,
    AlertNotification.channel,
    AlertNotification.event,
    AlertNotification.state,
    AlertNotification.created_at,
    AlertNotification.attempts,
    AlertNotification.last_error,
)


def firing(conn: sa.Connection, source: str | None = None) -> list[AlertRow]:
    """The firing alerts (of one source), oldest first."""
    where = [Alert.state == "firing"] + ([Alert.source == source] if source else [])
    return [AlertRow(*r) for r in conn.execute(sa.select(*_ALERT_COLUMNS).where(*where).order_by(Alert.opened_at))]


def _notify(
    conn: sa.Connection,
    alert_id: int | None,
    channels: list[str],
    event: str,
    payload: dict[str, Any],
    now: dt.datetime,
) -> None:
    if channels:
        conn.execute(
            sa.insert(AlertNotification),
            [
                {
                    "alert_id": alert_id,
                    "channel": c,
                    "event": event,
                    "state": "pending",
                    "payload": payload,
                    "created_at": now,
                    "attempts": 0,
                }
                for c in channels
            ],
        )


def open_alert(
    engine: sa.Engine, source: str, verdict: Finding, channels: list[str], payload: dict[str, Any], now: dt.datetime
) -> int | None:
    """Open the alert of a rule that started to hold, with its notifications; None when it is already firing
    (the unique firing_key makes a concurrent second opening fail, so it notifies nobody)."""
    try:
        with engine.begin() as conn:
            alert_id = conn.execute(
                sa.insert(Alert)
                .values(
                    source=source,
                    rule=verdict.rule,
                    state="firing",
                    firing_key=f"{source}/{verdict.rule}",
                    opened_at=now,
                    message=verdict.message[:1000],
                    run_id=verdict.run_id,
                    facts=verdict.facts,
                )
                .returning(Alert.id)
            ).scalar_one()
            _notify(conn, alert_id, channels, "opened", {**payload, "alert_id": alert_id}, now)
            audit.record(
                conn,
                "alert.opened",
                f"{source}: {verdict.rule} — {verdict.message}",
                severity="warning",
                source=source,
                run_id=verdict.run_id,
                details={"alert": alert_id, "rule": verdict.rule},
            )
            return int(alert_id)
    except sa.exc.IntegrityError:
        return None


def resolve_alert(
    engine: sa.Engine, alert: AlertRow, verdict: Finding, channels: list[str], payload: dict[str, Any], now: dt.datetime
) -> bool:
    """Resolve a firing alert whose rule stopped holding, with its recovery notifications; False when another
    evaluator resolved it first."""
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(Alert)
            .where(Alert.id == alert.id, Alert.state == "firing")
            .values(state="resolved", firing_key=None, resolved_at=now, resolution=verdict.message[:1000])
        ).rowcount
        if done != 1:
            return False
        _notify(conn, alert.id, channels, "resolved", {**payload, "alert_id": alert.id}, now)
        audit.record(
            conn,
            "alert.resolved",
            f"{alert.source}: {alert.rule} resolved — {verdict.message}",
            source=alert.source,
            run_id=verdict.run_id,
            details={"alert": alert.id, "rule": alert.rule},
        )
    return True


def remind(
    engine: sa.Engine,
    alert: AlertRow,
    every: dt.timedelta,
    channels: list[str],
    payload: dict[str, Any],
    now: dt.datetime,
) -> bool:
    """Queue a reminder of a still-firing alert when `every` has passed since it opened or was last reminded."""
    due = now - every
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(Alert)
            .where(
                Alert.id == alert.id,
                Alert.state == "firing",
                Alert.opened_at <= due,
                sa.or_(Alert.reminded_at.is_(None), Alert.reminded_at <= due),
            )
            .values(reminded_at=now)
        ).rowcount
        if done == 1:
            _notify(conn, alert.id, channels, "reminder", {**payload, "alert_id": alert.id}, now)
    return done == 1


def queue_test(engine: sa.Engine, channel: str, payload: dict[str, Any], actor: str, now: dt.datetime) -> int:
    """Queue a test notification to one channel (audited); returns the notification id."""
    with engine.begin() as conn:
        notification = conn.execute(
            sa.insert(AlertNotification)
            .values(
                alert_id=None,
                channel=channel,
                event="test",
                state="pending",
                payload=payload,
                created_at=now,
                attempts=0,
            )
            .returning(AlertNotification.id)
        ).scalar_one()
        audit.record(
            conn,
            "alert.test_sent",
            f"{actor} sent a test notification to {channel}",
            actor=actor,
            details={"channel": channel, "notification": notification},
        )
    return int(notification)


def claim(engine: sa.Engine, now: dt.datetime) -> list[tuple[int, str, str, dict[str, Any]]]:
    """Take the pending notifications (and ones whose sender vanished) for sending: (id, channel, event, payload).
    Each is taken by one conditional UPDATE, so two deliverers never send the same one."""
    taken = NOTIFICATIONS.claim(engine, now, ["channel", "event", "payload"])
    return [(row.id, row.channel, row.event, row.payload) for row in taken]


def record_attempt(
    engine: sa.Engine,
    notification_id: int,
    attempt: int,
    ok: bool,
    error: str | None,
    duration_ms: float,
    at: dt.datetime,
) -> None:
    """Store one delivery attempt at once (it is shown even while later attempts are still to come)."""
    NOTIFICATIONS.record_attempt(engine, notification_id, attempt, ok, error, duration_ms, at)


def finish(engine: sa.Engine, notification_id: int, sent: bool, at: dt.datetime) -> None:
    """Mark a notification sent, or failed after its last attempt."""
    NOTIFICATIONS.finish(engine, notification_id, sent, at)


def pending_count(conn: sa.Connection) -> int:
    """How many notifications wait to be sent or are being sent."""
    return conn.execute(
        sa.select(sa.func.count())
        .select_from(AlertNotification)
        .where(AlertNotification.state.in_(("pending", "sending")))
    ).scalar_one()


def list_alerts(
    conn: sa.Connection,
    source: str | None = None,
    rule: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 200,
) -> list[AlertRow]:
    """Alerts newest first: firing ones before resolved ones, filtered by source, rule and opening time."""
    where = []
    if source:
        where.append(Alert.source == source)
    if rule:
        where.append(Alert.rule == rule)
    if since is not None:
        where.append(Alert.opened_at >= since)
    if until is not None:
        where.append(Alert.opened_at < until)
    order = (sa.case((Alert.state == "firing", 0), else_=1), Alert.opened_at.desc(), Alert.id.desc())
    return [AlertRow(*r) for r in conn.execute(sa.select(*_ALERT_COLUMNS).where(*where).order_by(*order).limit(limit))]


def deliveries(conn: sa.Connection, alert_ids: list[int]) -> dict[int, list[DeliveryRow]]:
    """The notifications of these alerts with their attempt counts and last errors, oldest first."""
    rows = conn.execute(
        sa.select(*_DELIVERY_COLUMNS).where(AlertNotification.alert_id.in_(alert_ids)).order_by(AlertNotification.id)
    ).all()
    out: dict[int, list[DeliveryRow]] = {}
    for row in rows:
        out.setdefault(row.alert_id, []).append(DeliveryRow(*row))
    return out


def latest_test_notifications(conn: sa.Connection, limit: int = 20) -> list[DeliveryRow]:
    """The latest test notifications, newest first."""
    rows = conn.execute(
        sa.select(*_DELIVERY_COLUMNS)
        .where(AlertNotification.event == "test")
        .order_by(AlertNotification.id.desc())
        .limit(limit)
    )
    return [DeliveryRow(*r) for r in rows]


@dataclass(frozen=True)
class AttemptRow:
    """One attempt to deliver a notification: when, whether it worked, the error and how long it took."""

    notification_id: int
    attempt: int
    at: dt.datetime
    ok: bool
    error: str | None
    duration_ms: float


def attempts(conn: sa.Connection, notification_ids: list[int]) -> dict[int, list[AttemptRow]]:
    """The delivery attempts of these notifications, in order, by notification id (the alerts page's log)."""
    if not notification_ids:
        return {}
    rows = conn.execute(
        sa.select(
            AlertDelivery.notification_id,
            AlertDelivery.attempt,
            AlertDelivery.at,
            AlertDelivery.ok,
            AlertDelivery.error,
            AlertDelivery.duration_ms,
        )
        .where(AlertDelivery.notification_id.in_(notification_ids))
        .order_by(AlertDelivery.notification_id, AlertDelivery.attempt, AlertDelivery.id)
    ).all()
    out: dict[int, list[AttemptRow]] = {}
    for row in rows:
        out.setdefault(row.notification_id, []).append(AttemptRow(*row))
    return out
