"""Stage 5, batch reconstruction: a receipt whenever quantity_received rises between snapshots."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from potrack.pipeline.plan import WritePlan


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
    """One batch per line per run: the rise of quantity_received, or all of it for a new line."""
    batches = []
    for line in plan.new_lines:
        received = line.get("quantity_received")
        if received > 0:
            batches.append(BatchRow(run_id, source, line.key[0], line.key[1], received, received, at))
    for changed in plan.changed:
        received = changed.line.get("quantity_received")
        if received > changed.old_received:
            rise = round(received - changed.old_received, 6)
            batches.append(BatchRow(run_id, source, changed.line.key[0], changed.line.key[1], rise, received, at))
    return batches
