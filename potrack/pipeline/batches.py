"""Stage 5, batch reconstruction: a receipt whenever quantity_received rises between snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from potrack.pipeline.plan import WritePlan


def reconstruct_batches(plan: WritePlan, source: str, run_id: int, at: dt.datetime) -> list[dict[str, Any]]:
    """One batch per line per run: the rise of quantity_received, or all of it for a new line."""
    batches = []
    for line in plan.new_lines:
        received = line.get("quantity_received")
        if received > 0:
            batches.append(_batch(source, run_id, at, line.key, received, received))
    for changed in plan.changed:
        received = changed.line.get("quantity_received")
        if received > changed.old_received:
            rise = round(received - changed.old_received, 6)
            batches.append(_batch(source, run_id, at, changed.line.key, rise, received))
    return batches


def _batch(source: str, run_id: int, at: dt.datetime, key: tuple[str, int], qty: float, cumulative: float) -> dict[str, Any]:
    return {
        "run_id": run_id, "source": source, "po_number": key[0], "line_number": key[1],
        "quantity": qty, "cumulative_received": cumulative, "received_at": at,
    }
