"""The change explorer's export of a filtered set: an Excel workbook whose cells are typed (whole numbers, the run's
time as a date-time in the display time zone, dates as dates, prices and quantities as numbers), with a header row,
frozen panes under it and an auto-filter over every column; the CSV holds the same rows as text; a viewer may
export; a bad parameter is a 400 naming it."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

import app
from potrack import export as change_export
from potrack.export import COLUMNS
from tests.support.change_history import build_history, serve_history
from tests.support.personas import client_as


@pytest.fixture
def served(workdir, erp, monkeypatch):
    monkeypatch.setenv("POTRACK_TIMEZONE", "Europe/Berlin")
    history = build_history(workdir, erp)
    serve_history(history)
    return history


def export(query):
    answer = client_as("vera").get(f"/api/changes/export?{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def test_the_workbook_has_a_header_frozen_panes_an_auto_filter_and_typed_cells(served):
    answer = export("format=xlsx&supplier=SUP-B")
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="potrack-changes-')
    sheet = openpyxl.load_workbook(io.BytesIO(answer.get_data())).active
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:R{sheet.max_row}"
    rows = [dict(zip(COLUMNS, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 4  # PO2's changes, newest first
    price = next(r for r in rows if (r["line_number"], r["field"]) == (3, "unit_price"))
    assert price == {
        "run_id": served.run_ids[2],
        "run_time": dt.datetime(2026, 11, 12, 3, 0),  # 02:00 UTC in Berlin
        "source": "erp",
        "po_number": "PO2",
        "line_number": 3,
        "supplier_code": "SUP-B",
        "item_code": "ITEM-3",
        "internal_part_id": "PART-3",
        "buyer": "bob",
        "plant": "P2",
        "kind": "changed",
        "field": "unit_price",
        "old_value": 10.0,
        "new_value": 9.0,
        "days": None,
        "delta": -1.0,
        "percent": -10.0,
        "value_impact": -60.0,
    }
    date = next(r for r in rows if r["field"] == "promised_date")
    assert (date["old_value"], date["new_value"], date["days"]) == (
        dt.datetime(2026, 12, 1),
        dt.datetime(2026, 11, 28),
        -3,
    )
    cell = next(row for row in sheet.iter_rows(min_row=2) if row[11].value == "promised_date")
    assert cell[12].is_date and cell[12].number_format == "yyyy-mm-dd"  # a date, shown as one
    assert cell[1].is_date and isinstance(cell[0].value, int) and isinstance(cell[14].value, int)
    received = next(r for r in rows if r["field"] == "quantity_received")
    assert (received["old_value"], received["new_value"], received["delta"]) == (0.0, 40.0, 40.0)


def test_the_csv_holds_the_same_rows_as_text(served):
    workbook = openpyxl.load_workbook(io.BytesIO(export("format=xlsx").get_data())).active
    answer = export("format=csv")
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    table = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert table[0] == list(COLUMNS) and len(table) == workbook.max_row == 11
    removed = next(r for r in table[1:] if r[10] == "removed")
    assert (
        removed[:5] == [str(served.run_ids[1]), "2026-11-11 03:00:00", "erp", "PO3", "1"] and removed[11:] == [""] * 7
    )
    slip = next(r for r in table[1:] if r[3:5] == ["PO1", "2"])
    assert slip[11:15] == ["promised_date", "2026-12-01", "2026-12-11", "10"]


def test_the_filters_and_the_format_are_checked(served):
    client = client_as("vera")
    for query, parameter in (
        ("format=pdf", "format"),
        ("kind=moved", "kind"),
        ("slipped_over=-1", "slipped_over"),
        ("since=yesterday", "since"),
        ("colour=red", "colour"),
    ):
        answer = client.get(f"/api/changes/export?{query}")
        assert answer.status_code == 400 and answer.get_json()["parameter"] == parameter, query
    assert app.server.test_client().get("/api/changes/export").status_code == 401  # no session, no token


def test_more_changes_than_a_sheet_holds_are_refused_as_excel_but_not_as_csv(served, monkeypatch):
    monkeypatch.setattr(change_export, "MAX_WORKBOOK_ROWS", 9)  # the history holds 10 changes
    client = client_as("vera")
    refused = client.get("/api/changes/export?format=xlsx")
    assert (
        refused.status_code == 409
        and "10 changes match: more than an Excel sheet holds (9)" in refused.get_json()["message"]
    )
    assert client.get("/api/changes/export?format=xlsx&kind=changed").status_code == 200  # 8 changes
    assert client.get("/api/changes/export?format=csv").status_code == 200
