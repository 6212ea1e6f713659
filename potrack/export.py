"""Change exports: the change explorer's filtered set as a file, its export URL, and one run's changes as CSV.

The filtered set is CSV written as it is read, or an Excel workbook (openpyxl's write-only mode: rows go to a
temporary file as they come, so memory stays flat however many there are). In the workbook cells are typed: ids and
line numbers whole numbers, the run's time a date-time (in the display time zone), old and new values of date fields
dates and of number fields numbers, the differences numbers; a header row, frozen panes under it and an auto-filter
over every column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from potrack.store.changes import DATE_FIELDS, NUMBER_FIELDS, ChangeFilter, ChangeRow, iter_run_changes
from potrack.store.run_history import get_run
from potrack.timefmt import iso

COLUMNS = (
    "run_id",
    "run_time",
    "source",
    "po_number",
    "line_number",
    "supplier_code",
    "item_code",
    "internal_part_id",
    "buyer",
    "plant",
    "kind",
    "field",
    "old_value",
    "new_value",
    "days",
    "delta",
    "percent",
    "value_impact",
)
WIDTHS = {
    "run_time": 19,
    "po_number": 14,
    "field": 18,
    "old_value": 16,
    "new_value": 16,
    "item_code": 14,
    "internal_part_id": 16,
    "supplier_code": 12,
}
MAX_WORKBOOK_ROWS = 1_048_575  # an Excel sheet holds 1,048,576 rows, the header included
CHUNK_ROWS = 1000
CHUNK_BYTES = 1 << 16


def typed(field: str | None, value: str | None) -> Any:
    """A stored value as its type: a date for a date field, a number for a number field, else the text."""
    if value is None:
        return None
    if field in DATE_FIELDS:
        return dt.date.fromisoformat(value)
    if field in NUMBER_FIELDS:
        return float(value)
    return value


def cells(row: ChangeRow, tz: dt.tzinfo) -> tuple[Any, ...]:
    """One change as typed values in COLUMNS order (the run's time local and without offset: Excel has none)."""
    return (
        row.run_id,
        row.run_at.astimezone(tz).replace(tzinfo=None),
        row.source,
        row.po_number,
        row.line_number,
        row.supplier_code,
        row.item_code,
        row.internal_part_id,
        row.buyer,
        row.plant,
        row.kind,
        row.field,
        typed(row.field, row.old_value),
        typed(row.field, row.new_value),
        row.days,
        row.delta,
        None if row.percent is None else round(row.percent, 4),
        row.value_impact,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, str)):
        return str(value)
    return f"{value:.15g}" if isinstance(value, float) else str(value)


def csv_chunks(rows: Iterable[ChangeRow], tz: dt.tzinfo) -> Iterator[str]:
    """CSV text with a header, a thousand rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows, 1):
        writer.writerow([_text(v) for v in cells(row, tz)])
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def write_workbook(rows: Iterable[ChangeRow], tz: dt.tzinfo, path: str) -> int:
    """Write the rows as an .xlsx workbook at `path`; returns how many rows were written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("changes")
    for number, name in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(number)].width = WIDTHS.get(name, 11)
    sheet.freeze_panes = "A2"
    sheet.append(COLUMNS)
    count = 0
    for row in rows:
        sheet.append(cells(row, tz))
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    book.save(path)
    return count


def workbook_chunks(rows: Iterable[ChangeRow], tz: dt.tzinfo) -> Iterator[bytes]:
    """The workbook's bytes, 64 KiB at a time, from a temporary file removed at the end."""
    handle, path = tempfile.mkstemp(prefix="potrack-changes-", suffix=".xlsx")
    os.close(handle)
    try:
        write_workbook(rows, tz, path)
        with open(path, "rb") as data:
            while chunk := data.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


HEADER = ("run_id", "source", "po_number", "line_number", "change", "field", "old_value", "new_value")


def changes_csv(conn: sa.Connection, run_id: int) -> str | None:
    """A run's change events as CSV text with a header, one row per event; None when the run does not exist."""
    run = get_run(conn, run_id)
    if run is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for c in iter_run_changes(conn, run_id):
        writer.writerow(
            (
                run_id,
                run.source,
                c.po_number,
                c.line_number,
                c.kind,
                c.field or "",
                c.old_value or "",
                c.new_value or "",
            )
        )
    return out.getvalue()


def filter_params(flt: ChangeFilter) -> dict[str, str]:
    """A filter as this API's query parameters (what the change explorer links its exports with)."""
    values = {
        "since": iso(flt.since),
        "until": iso(flt.until),
        "source": flt.source,
        "supplier": flt.supplier,
        "buyer": flt.buyer,
        "plant": flt.plant,
        "field": ",".join(flt.fields),
        "kind": ",".join(flt.kinds),
        "slipped_over": None if flt.slipped_over is None else str(flt.slipped_over),
    }
    return {k: v for k, v in values.items() if v}


def export_url(flt: ChangeFilter, fmt: str) -> str:
    """The URL that exports the filtered set in a format (csv or xlsx)."""
    return "/api/changes/export?" + urlencode({**filter_params(flt), "format": fmt}, safe=",:")
