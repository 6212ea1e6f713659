"""An outbox in the store: rows waiting to be sent, each taken by one conditional UPDATE (so two senders never send
the same one), with every attempt stored at once and the row's outcome. Written for any pair of tables with the
columns of event_deliveries and event_delivery_attempts (alert_notifications and alert_deliveries have them too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
CLAIM_WINDOW = 20  # candidates read at once by claim_next


@dataclass(frozen=True)
class Outbox:
    """A table of items to send (id, state, claimed_at, finished_at, attempts, last_error) and the table of their
    attempts (`item`: its column naming the item; attempt, at, ok, error, duration_ms)."""

    items: sa.Table
    attempts: sa.Table
    item: str
    claim_expires: dt.timedelta  # a sender silent this long has died: its items are taken again

    def _takeable(self, now: dt.datetime) -> sa.ColumnElement[bool]:
        c = self.items.c
        return sa.or_(c.state == PENDING, sa.and_(c.state == SENDING, c.claimed_at < now - self.claim_expires))

    def claim(self, engine: sa.Engine, now: dt.datetime, columns: list[str]) -> list[sa.Row[Any]]:
        """Take the pending items (and those whose sender vanished) for sending, oldest first: these columns of
        each (its id first). Each is taken by one conditional UPDATE checking its row count."""
        c = self.items.c
        with engine.connect() as conn:
            candidates = conn.execute(
                sa.select(c.id, *(c[name] for name in columns)).where(self._takeable(now)).order_by(c.id)
            ).all()
        taken = []
        for row in candidates:
            with engine.begin() as conn:
                done = conn.execute(
                    sa.update(self.items)
                    .where(c.id == row.id, self._takeable(now))
                    .values(state=SENDING, claimed_at=now)
                ).rowcount
            if done == 1:
                taken.append(row)
        return taken

    def claim_next(self, engine: sa.Engine, now: dt.datetime, columns: list[str]) -> sa.Row[Any] | None:
        """Take the oldest takeable item (these columns of it, its id first), or None when none is left: one at a
        time, so an item waits as `pending` (takeable by any sender) rather than claimed by a busy one until its
        claim expires and another sender takes it too."""
        c = self.items.c
        while True:
            with engine.connect() as conn:
                candidates = conn.execute(
                    sa.select(c.id).where(self._takeable(now)).order_by(c.id).limit(CLAIM_WINDOW)
                ).scalars()
                ids = list(candidates)
            if not ids:
                return None
            for item_id in ids:  # another sender may take some first: each one taken moves the list on
                with engine.begin() as conn:
                    done = conn.execute(
                        sa.update(self.items)
                        .where(c.id == item_id, self._takeable(now))
                        .values(state=SENDING, claimed_at=now)
                    ).rowcount
                if done == 1:
                    with engine.connect() as conn:
                        return conn.execute(
                            sa.select(c.id, *(c[name] for name in columns)).where(c.id == item_id)
                        ).one()

    def record_attempt(
        self, engine: sa.Engine, item_id: int, attempt: int, ok: bool, error: str | None, duration_ms: float, at: Any
    ) -> None:
        """Store one attempt at once (it is shown even while later attempts are still to come)."""
        error = None if error is None else error[:1000]
        with engine.begin() as conn:
            conn.execute(
                sa.insert(self.attempts).values(
                    {
                        self.item: item_id,
                        "attempt": attempt,
                        "at": at,
                        "ok": ok,
                        "error": error,
                        "duration_ms": duration_ms,
                    }
                )
            )
            conn.execute(
                sa.update(self.items).where(self.items.c.id == item_id).values(attempts=attempt, last_error=error)
            )

    def finish(self, engine: sa.Engine, item_id: int, sent: bool, at: dt.datetime) -> None:
        """Mark an item sent, or failed after its last attempt."""
        with engine.begin() as conn:
            conn.execute(
                sa.update(self.items)
                .where(self.items.c.id == item_id)
                .values(state=SENT if sent else FAILED, finished_at=at)
            )
