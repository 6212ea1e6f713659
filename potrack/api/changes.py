"""/api/changes: change events across runs with their line's supplier, item, part, buyer and plant, filtered and
paged in SQL; and the filtered set exported as CSV or Excel, streamed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import flask

from potrack.api.errors import ApiError
from potrack.api.params import Query
from potrack.api.serialize import iso, page_json
from potrack.store.changes import ChangeFilter, ChangeRow, count_changes, iter_changes
from potrack.store.changes import list_changes as list_change_rows
from potrack.store.models import EVENT_KINDS
from potrack.web import change_export, context
from potrack.web.links import line_path

FILTERS = ("since", "until", "source", "supplier", "buyer", "plant", "field", "kind", "slipped_over")
FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")}
MAX_PER_PAGE = 500
MAX_SLIP_DAYS = 100_000


def change_filter(query: Query) -> ChangeFilter:
    """The filters of /api/changes and its export from the query string (400 naming a bad one)."""
    since, until = query.span()
    slip = query.optional_integer("slipped_over", 0, MAX_SLIP_DAYS)
    return ChangeFilter(since, until, query.text("source"), query.text("supplier"), query.text("buyer"),
                        query.text("plant"), query.choices("field"), query.choices("kind", EVENT_KINDS), slip)


def filter_params(flt: ChangeFilter) -> dict[str, str]:
    """A filter as this API's query parameters (what the change explorer links its exports with)."""
    values = {"since": iso(flt.since), "until": iso(flt.until), "source": flt.source, "supplier": flt.supplier,
              "buyer": flt.buyer, "plant": flt.plant, "field": ",".join(flt.fields), "kind": ",".join(flt.kinds),
              "slipped_over": None if flt.slipped_over is None else str(flt.slipped_over)}
    return {k: v for k, v in values.items() if v}


def export_url(flt: ChangeFilter, fmt: str) -> str:
    """The URL that exports the filtered set in a format (csv or xlsx)."""
    return "/api/changes/export?" + urlencode({**filter_params(flt), "format": fmt}, safe=",:")


def change_json(row: ChangeRow) -> dict[str, Any]:
    """A change as the API lists it, with how far a date or number moved and the line's history URL."""
    return {"id": row.id, "run_id": row.run_id, "run_at": iso(row.run_at), "source": row.source,
            "po_number": row.po_number, "line_number": row.line_number, "kind": row.kind, "field": row.field,
            "old_value": row.old_value, "new_value": row.new_value, "supplier_code": row.supplier_code,
            "item_code": row.item_code, "internal_part_id": row.internal_part_id, "buyer": row.buyer,
            "plant": row.plant, "open_quantity": row.open_quantity, "days": row.days, "delta": row.delta,
            "percent": row.percent, "value_impact": row.value_impact,
            "line_url": line_path(row.source, row.po_number, row.line_number)}


def list_changes() -> flask.Response:
    """GET /api/changes: the matching change events, newest first, a page at a time."""
    query = Query((*FILTERS, "page", "per_page"))
    flt = change_filter(query)
    page, per_page = query.page(50, MAX_PER_PAGE)
    found = context.read(list_change_rows, flt, page, per_page)
    body = page_json([], found.total, found.page, found.pages, found.per_page)
    return flask.jsonify({**body, "results": [change_json(r) for r in found.rows]})


def export_changes() -> flask.Response:
    """GET /api/changes/export?format=csv|xlsx: every matching change event as a file, written as it is read."""
    query = Query((*FILTERS, "format"))
    flt = change_filter(query)
    fmt = query.choice("format", tuple(FORMATS), "xlsx")
    if fmt == "xlsx":
        total = context.read(count_changes, flt)
        if total > change_export.MAX_WORKBOOK_ROWS:
            raise ApiError(409, f"{total:,} changes match: more than an Excel sheet holds "
                                f"({change_export.MAX_WORKBOOK_ROWS:,}); narrow the filters or export as CSV")
    tz = context.zone()

    def body() -> Iterator[Any]:
        """The file's chunks, read on a connection of its own that ends with them (or when the client leaves)."""
        with context.engine().connect() as conn:
            rows = iter_changes(conn, flt)
            yield from (change_export.csv_chunks(rows, tz) if fmt == "csv" else change_export.workbook_chunks(rows, tz))

    mimetype, suffix = FORMATS[fmt]
    stamp = dt.datetime.now(tz).strftime("%Y%m%d-%H%M")
    response = flask.Response(flask.stream_with_context(body()), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="potrack-changes-{stamp}.{suffix}"'
    response.headers["Cache-Control"] = "no-store"
    return response
