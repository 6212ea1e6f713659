"""Everything stored about one PO line: its current values, its change events night by night, its reconstructed
receipt batches, the runs that touched it and the rows rejected with its key; and finding lines by PO number.

Timelines read oldest first, as a history does: the batches' cumulative quantity then rises down the table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.fields import FIELDS
from potrack.store.failed_rows import FailedRowFilter, FailedRowItem, list_failed_rows
from potrack.store.lines import stored_custom
from potrack.store.models import ChangeEvent, PoLine, ReceiptBatch, Run

MAX_FOUND = 200
HOW = {"new": "appeared again", "changed": "changed", "removed": "removed"}  # (a first "new" is "first seen")
LINE_IN_TEXT = re.compile(r"^(?P<po>.+?)\s*[/\s]\s*(?P<line>\d+)$")  # "PO123/4" or "PO123 4"


@dataclass(frozen=True)
class LineRef:
    """A PO line found by a search, with what tells it apart."""

    source: str
    po_number: str
    line_number: int
    item_code: str
    supplier_code: str
    status: str
    active: bool


@dataclass(frozen=True)
class FieldChange:
    """One change event of the line: a new line, a field's old → new value, or its removal."""

    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class NightOfChanges:
    """What one run changed on the line."""

    run_id: int
    run_at: dt.datetime
    trigger: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class Receipt:
    """A receipt batch reconstructed from a rise of quantity_received: how much, the total so far, of what ordered."""

    run_id: int
    received_at: dt.datetime
    quantity: float
    cumulative: float
    ordered: float


@dataclass(frozen=True)
class Touch:
    """A run that touched the line, and how (first seen, appeared again, changed, removed, received, rejected a
    row of it)."""

    run_id: int
    run_at: dt.datetime
    trigger: str
    status: str
    how: tuple[str, ...]


@dataclass(frozen=True)
class LineHistory:
    """One line's stored facts."""

    source: str
    po_number: str
    line_number: int
    values: dict[str, Any]
    internal_part_id: str | None
    custom: dict[str, Any]
    active: bool
    first_seen_run_id: int
    last_changed_run_id: int
    nights: list[NightOfChanges]
    receipts: list[Receipt]
    runs: list[Touch]
    rejected: list[FailedRowItem]


def row_key(po_number: str, line_number: int) -> str:
    """A line's key as failed rows store it (PO/line)."""
    return f"{po_number}/{line_number}"


def line_history(conn: sa.Connection, source: str, po_number: str, line_number: int) -> LineHistory | None:
    """The line's history, or None when the store has no such line."""
    key = (PoLine.source == source, PoLine.po_number == po_number, PoLine.line_number == line_number)
    line = conn.execute(sa.select(PoLine).where(*key)).mappings().first()
    if line is None:
        return None
    events = conn.execute(
        sa.select(
            ChangeEvent.run_id,
            Run.queued_at,
            Run.trigger,
            ChangeEvent.kind,
            ChangeEvent.field,
            ChangeEvent.old_value,
            ChangeEvent.new_value,
        )
        .join(Run, Run.id == ChangeEvent.run_id)
        .where(ChangeEvent.source == source, ChangeEvent.po_number == po_number, ChangeEvent.line_number == line_number)
        .order_by(ChangeEvent.run_id, ChangeEvent.id)
    ).all()
    nights: list[NightOfChanges] = []
    for run_id, at, trigger, kind, fld, old, new in events:
        if not nights or nights[-1].run_id != run_id:
            nights.append(NightOfChanges(run_id, at, trigger, []))
        nights[-1].changes.append(FieldChange(kind, fld, old, new))
    batches = conn.execute(
        sa.select(
            ReceiptBatch.run_id, ReceiptBatch.received_at, ReceiptBatch.quantity, ReceiptBatch.cumulative_received
        )
        .where(
            ReceiptBatch.source == source, ReceiptBatch.po_number == po_number, ReceiptBatch.line_number == line_number
        )
        .order_by(ReceiptBatch.received_at, ReceiptBatch.id)
    ).all()
    receipts = [Receipt(run_id, at, qty, total, line["quantity_ordered"]) for run_id, at, qty, total in batches]
    rejected = list_failed_rows(
        conn, FailedRowFilter(source=source, row_key=row_key(po_number, line_number)), 1, MAX_FOUND, newest_first=False
    ).rows
    touched: dict[int, set[str]] = {line["first_seen_run_id"]: {"first seen"}}
    for night in nights:
        for change in night.changes:
            how = HOW.get(change.kind, change.kind)
            if not (how == "appeared again" and night.run_id == line["first_seen_run_id"]):
                touched.setdefault(night.run_id, set()).add(how)
    for receipt in receipts:
        touched.setdefault(receipt.run_id, set()).add("received")
    for row in rejected:
        touched.setdefault(row.run_id, set()).add("rejected a row")
    runs = conn.execute(
        sa.select(Run.id, Run.queued_at, Run.trigger, Run.status)
        .where(Run.id.in_(sorted(touched)))
        .order_by(Run.queued_at, Run.id)
    ).all()
    return LineHistory(
        source,
        po_number,
        line_number,
        {f: line[f] for f in FIELDS},
        line["internal_part_id"],
        stored_custom(line["custom"]),
        bool(line["active"]),
        line["first_seen_run_id"],
        line["last_changed_run_id"],
        nights,
        receipts,
        [Touch(i, at, trigger, status, tuple(sorted(touched[i]))) for i, at, trigger, status in runs],
        rejected,
    )


def find_lines(conn: sa.Connection, text: str, limit: int = MAX_FOUND) -> list[LineRef]:
    """Lines of every source that a search names: a PO number (all its lines) or a PO and line ("PO123/4",
    "PO123 4"); exactly first, then ignoring case, then the POs whose number starts with the text."""
    text = text.strip()
    if not text:
        return []
    wanted = LINE_IN_TEXT.match(text)

    def po_is(value: str, fold: bool) -> sa.ColumnElement[bool]:
        return sa.func.upper(PoLine.po_number) == value.upper() if fold else PoLine.po_number == value

    attempts: list[list[sa.ColumnElement[bool]]] = []
    for fold in (False, True):
        if wanted:
            attempts.append([po_is(wanted["po"], fold), PoLine.line_number == int(wanted["line"])])
        attempts.append([po_is(text, fold)])
    attempts.append([PoLine.po_number.startswith(text, autoescape=True)])
    columns = (
        PoLine.source,
        PoLine.po_number,
        PoLine.line_number,
        PoLine.item_code,
        PoLine.supplier_code,
        PoLine.status,
        PoLine.active,
    )
    for where in attempts:
        rows = conn.execute(
            sa.select(*columns).where(*where).order_by(PoLine.source, PoLine.po_number, PoLine.line_number).limit(limit)
        ).all()
        if rows:
            return [LineRef(*row[:6], bool(row[6])) for row in rows]
    return []
