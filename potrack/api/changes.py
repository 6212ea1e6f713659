"""/api/changes: change events across runs with their line's supplier, item, part, buyer and plant, filtered and
paged in SQL; and the filtered set exported as CSV or Excel, streamed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import flask

from potrack import export, runtime
from potrack.api.contract import endpoint
from potrack.api.errors import ApiError
from potrack.api.models import ChangeFilters, ChangesExportQuery, ChangesQuery
from potrack.api.responses import ChangeRowPage
from potrack.api.serialize import page_json
from potrack.links import line_path
from potrack.store.changes import ChangeFilter, ChangeRow, count_changes, iter_changes
from potrack.store.changes import list_changes as list_change_rows
from potrack.timefmt import iso

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
FILES = {
    FORMATS["csv"][0]: {"type": "string", "description": "format=csv: a header row, then a row per change."},
    FORMATS["xlsx"][0]: {
        "type": "string",
        "format": "binary",
        "description": "format=xlsx (the default): an Excel workbook.",
    },
}


def change_filter(query: ChangeFilters) -> ChangeFilter:
    """The store filter of /api/changes and its export."""
    return ChangeFilter(
        query.since,
        query.until,
        query.source,
        query.supplier,
        query.buyer,
        query.plant,
        query.field,
        query.kind,
        query.slipped_over,
    )


def change_json(row: ChangeRow) -> dict[str, Any]:
    """A change as the API lists it, with how far a date or number moved and the line's history URL."""
    return {
        "id": row.id,
        "run_id": row.run_id,
        "run_at": iso(row.run_at),
        "source": row.source,
        "po_number": row.po_number,
        "line_number": row.line_number,
        "kind": row.kind,
        "field": row.field,
        "old_value": row.old_value,
        "new_value": row.new_value,
        "supplier_code": row.supplier_code,
        "item_code": row.item_code,
        "internal_part_id": row.internal_part_id,
        "buyer": row.buyer,
        "plant": row.plant,
        "open_quantity": row.open_quantity,
        "days": row.days,
        "delta": row.delta,
        "percent": row.percent,
        "value_impact": row.value_impact,
        "line_url": line_path(row.source, row.po_number, row.line_number),
    }


@endpoint(ChangeRowPage, query=ChangesQuery, answers={200: "A page of changes."})
def list_changes(query: ChangesQuery) -> flask.Response:
    """List change events across runs.

    Change events of every run, newest first, with the line's current supplier, item, part, buyer, plant and open
    quantity, and how far a date (days, signed) or a number (delta, percent) moved; a price change's value impact
    is the unit price's change times the open quantity. Filtered and paged in SQL."""
    found = runtime.read(list_change_rows, change_filter(query), query.page, query.per_page)
    body = page_json([], found.total, found.page, found.pages, found.per_page)
    return flask.jsonify({**body, "results": [change_json(r) for r in found.rows]})


@endpoint(
    FILES,
    query=ChangesExportQuery,
    answers={
        200: "The file (Content-Disposition: attachment).",
        409: "More changes match than an Excel sheet holds (export as CSV).",
    },
)
def export_changes(query: ChangesExportQuery) -> flask.Response:
    """Export change events (CSV or Excel).

    Every change event the filters match, newest first, as a file, written as it is read (memory stays flat
    however many). Excel: typed cells, a header row, frozen panes and an auto-filter; run_time in the display
    time zone."""
    flt, fmt = change_filter(query), query.format
    if fmt == "xlsx":
        total = runtime.read(count_changes, flt)
        if total > export.MAX_WORKBOOK_ROWS:
            raise ApiError(
                409,
                f"{total:,} changes match: more than an Excel sheet holds "
                f"({export.MAX_WORKBOOK_ROWS:,}); narrow the filters or export as CSV",
            )
    tz = runtime.zone()

    def body() -> Iterator[Any]:
        """The file's chunks, read on a connection of its own that ends with them (or when the client leaves)."""
        with runtime.engine().connect() as conn:
            rows = iter_changes(conn, flt)
            yield from (export.csv_chunks(rows, tz) if fmt == "csv" else export.workbook_chunks(rows, tz))

    content_type, suffix = FORMATS[fmt]
    stamp = dt.datetime.now(tz).strftime("%Y%m%d-%H%M")
    response = flask.Response(flask.stream_with_context(body()), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="potrack-changes-{stamp}.{suffix}"'
    response.headers["Cache-Control"] = "no-store"
    return response
