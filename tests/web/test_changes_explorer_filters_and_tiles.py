"""The change explorer over three generated nights (tests/support/change_history.py): every filter narrows to exactly
the events it names, and the tiles, the changes per night and the suppliers by slips are exactly what the nights hold
(slips and their median, price changes and their value impact, removals, cancellations), in SQL on both stores."""

import datetime as dt

import pytest

from potrack.store.changes import (
    ChangeFilter,
    NightCount,
    SupplierSlips,
    changes_per_night,
    list_changes,
    summarize_changes,
    suppliers_by_slips,
)
from tests.support.change_history import build_history, day

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

UTC = dt.UTC


@pytest.fixture
def history(workdir, erp):
    return build_history(workdir, erp)


def events(history, **filters):
    with history.runtime.engine.connect() as conn:
        found = list_changes(conn, ChangeFilter(**filters), 1, 100)
    return {(r.po_number, r.line_number, r.kind, r.field) for r in found.rows}, found


def summary(history, **filters):
    with history.runtime.engine.connect() as conn:
        return summarize_changes(conn, ChangeFilter(**filters))


def test_all_changes_newest_first_with_their_lines_supplier_item_part_buyer_and_plant(history):
    found, listed = events(history)
    assert listed.total == len(listed.rows) == 10 and len(found) == 9  # PO1/1 slipped on two nights
    newest = listed.rows[0]
    assert newest.run_id == history.run_ids[2] and [r.run_id for r in listed.rows] == sorted(
        (r.run_id for r in listed.rows), reverse=True
    )
    slip = next(r for r in listed.rows if (r.po_number, r.line_number, r.field) == ("PO1", 2, "promised_date"))
    assert (slip.supplier_code, slip.item_code, slip.internal_part_id, slip.buyer, slip.plant) == (
        "SUP-A",
        "ITEM-2",
        "PART-2",
        "alice",
        "P1",
    )
    assert (slip.old_value, slip.new_value, slip.days, slip.delta) == ("2026-12-01", "2026-12-11", 10, None)
    assert slip.run_at == dt.datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
    pulled = next(r for r in listed.rows if (r.po_number, r.field) == ("PO2", "promised_date"))
    assert pulled.days == -3
    price = next(r for r in listed.rows if (r.po_number, r.line_number, r.field) == ("PO2", 3, "unit_price"))
    assert (price.delta, round(price.percent, 6), price.open_quantity, price.value_impact) == (-1.0, -10.0, 60.0, -60.0)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {"supplier": "SUP-A"},
            {
                ("PO1", 1, "changed", "promised_date"),
                ("PO1", 2, "changed", "promised_date"),
                ("PO1", 3, "changed", "status"),
            },
        ),
        (
            {"buyer": "bob"},
            {
                ("PO2", 1, "changed", "promised_date"),
                ("PO2", 2, "changed", "unit_price"),
                ("PO2", 3, "changed", "unit_price"),
                ("PO2", 3, "changed", "quantity_received"),
            },
        ),
        ({"plant": "P3"}, {("PO3", 1, "removed", None), ("PO4", 1, "new", None)}),
        ({"kinds": ("removed", "new")}, {("PO3", 1, "removed", None), ("PO4", 1, "new", None)}),
        ({"fields": ("unit_price",)}, {("PO2", 2, "changed", "unit_price"), ("PO2", 3, "changed", "unit_price")}),
        (
            {"fields": ("promised_date",), "slipped_over": 4},
            {("PO1", 1, "changed", "promised_date"), ("PO1", 2, "changed", "promised_date")},
        ),
        ({"slipped_over": 0}, {("PO1", 1, "changed", "promised_date"), ("PO1", 2, "changed", "promised_date")}),
        (
            {"since": dt.datetime(2026, 11, 11, tzinfo=UTC), "until": dt.datetime(2026, 11, 12, tzinfo=UTC)},
            {
                ("PO1", 1, "changed", "promised_date"),
                ("PO1", 2, "changed", "promised_date"),
                ("PO2", 1, "changed", "promised_date"),
                ("PO2", 2, "changed", "unit_price"),
                ("PO3", 1, "removed", None),
            },
        ),
        ({"source": "elsewhere"}, set()),
    ],
)
def test_each_filter_selects_exactly_its_changes(history, filters, expected):
    found, listed = events(history, **filters)
    assert found == expected
    counts = {"supplier": 4, "slipped_over": 3}  # PO1/1 slipped twice: one key, two events
    assert listed.total == counts.get(next(iter(filters)), len(expected))


def test_the_tiles_count_slips_with_their_median_price_changes_with_their_impact_removals_and_cancellations(history):
    every = summary(history)
    assert (every.events, every.lines_changed) == (10, 8)
    assert (every.slips, every.median_slip_days) == (3, 5.0)  # 5, 10 and 2 days; the pull-in is no slip
    assert (every.price_changes, every.value_impact) == (2, 140.0)  # +2 × 100 open, −1 × 60 open
    assert (every.removals, every.cancellations) == (1, 1)
    even = summary(history, supplier="SUP-A", fields=("promised_date",), slipped_over=3)
    assert (even.events, even.slips, even.median_slip_days, even.price_changes) == (2, 2, 7.5, 0)
    nothing = summary(history, source="elsewhere")
    assert (nothing.events, nothing.slips, nothing.median_slip_days, nothing.value_impact) == (0, 0, None, 0.0)


def test_changes_per_night_by_field_and_suppliers_by_slips(history):
    with history.runtime.engine.connect() as conn:
        nights = changes_per_night(conn, ChangeFilter(), UTC)
        suppliers = suppliers_by_slips(conn, ChangeFilter())
        buyers_slips = suppliers_by_slips(conn, ChangeFilter(buyer="bob"))
    assert nights == [
        NightCount(day(1), "promised_date", 3),
        NightCount(day(1), "removed", 1),
        NightCount(day(1), "unit_price", 1),
        NightCount(day(2), "new", 1),
        NightCount(day(2), "promised_date", 1),
        NightCount(day(2), "quantity_received", 1),
        NightCount(day(2), "status", 1),
        NightCount(day(2), "unit_price", 1),
    ]
    assert suppliers == [SupplierSlips("SUP-A", 3, 17)] and buyers_slips == []


def test_a_night_is_the_local_day_of_its_run(history):
    tokyo = dt.timezone(dt.timedelta(hours=9))  # 02:00 UTC is 11:00 the same day; 20:00 UTC would be the next
    with history.runtime.engine.connect() as conn:
        days = {n.day for n in changes_per_night(conn, ChangeFilter(), tokyo)}
    assert days == {day(1), day(2)}
