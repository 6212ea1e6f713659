"""Renaming a custom column in the store: its values on every line of a source, and its change history.

Custom values are stored under their normalised name (potrack.fields.custom_key), so a change of spelling or
case in potrack.toml changes nothing. A new name is an explicit migration (`python -m potrack db
rename-custom-column`), not a night of spurious change events.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from potrack.fields import custom_key
from potrack.store import audit
from potrack.store.lines import stored_custom
from potrack.store.locks import lock_for_transaction
from potrack.store.models import ChangeEvent, PoLine, Run
from potrack.store.run_status import ACTIVE

BATCH = 1000


class RenameRefused(ValueError):
    """The rename cannot be made (a run is active, or lines already hold the new name); nothing was changed."""


@dataclass(frozen=True)
class Renamed:
    """What a rename changed: lines whose values moved to the new name, change events renamed."""

    lines: int
    events: int


def rename_custom_column(engine: sa.Engine, source: str, old: str, new: str, actor: str) -> Renamed:
    """Move a source's custom values and change events from `old` to `new`, in one transaction (audited).

    Refused while the source has a run queued or running (the run takes the same lock to be queued).
    """
    old_key, new_key = custom_key(old), custom_key(new)
    if old_key == new_key:
        raise RenameRefused(
            f"{old!r} and {new!r} name the same column (names are compared ignoring case): nothing to rename"
        )
    with engine.begin() as conn:
        lock_for_transaction(conn, f"queue:{source}")
        active = conn.execute(
            sa.select(Run.id).where(Run.source == source, Run.status.in_(ACTIVE)).order_by(Run.id)
        ).scalar()
        if active is not None:
            raise RenameRefused(f"{source} has run #{active} queued or running; rename when it has finished")
        moved: list[dict[str, object]] = []
        clashes = 0
        rows = conn.execute(
            sa.select(PoLine.id, PoLine.custom).where(PoLine.source == source, PoLine.custom.is_not(None))
        )
        for line_id, custom in rows:
            values = stored_custom(custom)
            if old_key not in values:
                continue
            if new_key in values:
                clashes += 1
                continue
            values[new_key] = values.pop(old_key)
            moved.append({"line_id": line_id, "values": values})
        if clashes:
            raise RenameRefused(
                f"{clashes} line(s) of {source} already hold a value for {new_key}; nothing was renamed"
            )
        update = sa.update(PoLine).where(PoLine.id == sa.bindparam("line_id")).values(custom=sa.bindparam("values"))
        for start in range(0, len(moved), BATCH):
            conn.execute(update, moved[start : start + BATCH])
        events = conn.execute(
            sa.update(ChangeEvent)
            .where(ChangeEvent.source == source, ChangeEvent.field == old_key)
            .values(field=new_key)
        ).rowcount
        audit.record(
            conn,
            "custom_column.renamed",
            f"custom column {old_key} of {source} renamed to {new_key}: {len(moved)} line(s), {events} change event(s)",
            source=source,
            actor=actor,
            details={"old": old_key, "new": new_key, "lines": len(moved), "events": events},
        )
    return Renamed(len(moved), events)
