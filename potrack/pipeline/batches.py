"""Stage 5, batch reconstruction: a receipt whenever quantity_received rises between snapshots."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from potrack.pipeline.plan import WritePlan
from potrack.pipeline.validate import at_stored_precision


class BatchRow(NamedTuple):
    """One reconstructed receipt batch, in the store's column order."""

    run_id: int
    source: str
    po_number: str
    line_number: int
    quantity: float
    cumulative_received: float
    received_at: dt.datetime


def reconstruct_batches(plan: WritePlan, source: str, run_id: int, at: dt.datetime) -> list[BatchRow]:
    """One batch per line per run: the rise of quantity_received over what the store last held for the key (all of
    it for a key never stored). A line that reappears, or a baseline's line the store knows, records only its rise."""
    batches = []
    for line in plan.inserts:
        received = line.get("quantity_received")
        if received > 0:
            batches.append(BatchRow(run_id, source, line.key[0], line.key[1], received, received, at))
    for stored in plan.stored_lines:
        received = stored.line.get("quantity_received")
        if received > stored.old_received:
            rise = at_stored_precision(received - stored.old_received)
            batches.append(BatchRow(run_id, source, stored.line.key[0], stored.line.key[1], rise, received, at))
    return batches
