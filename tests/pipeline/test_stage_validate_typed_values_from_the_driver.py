"""Stage 2, validate: the values a typed ERP column delivers (NUMERIC as Decimal, TIMESTAMP as datetime, DATE as date,
integer counts) become exactly what the same value as text would, on the fast path and off it."""

import datetime as dt
from decimal import Decimal

import pytest

from potrack.pipeline.columns import resolve_columns
from potrack.pipeline.validate import FIELDS, RowError, RowValidator
from tests.support.erp import ERP_COLUMNS, erp_line

CUSTOM = {"udf_1": "text", "udf_3": "number"}


def validate(**values):
    validator = RowValidator(resolve_columns(list(ERP_COLUMNS), {}, tuple(CUSTOM)), CUSTOM)
    line = validator.validate(tuple(erp_line("PO1", 1, **values)[c] for c in ERP_COLUMNS))
    return dict(zip(FIELDS, line.values, strict=True)), line.custom


def rejected(**values):
    with pytest.raises(RowError) as info:
        validate(**values)
    return str(info.value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (Decimal("12.5000"), 12.5),
        (Decimal("12.3456789"), 12.345679),  # six decimal places, rounded half to even on the float
        (Decimal("0.0000004"), 0.0),
        (Decimal("-0"), 0.0),
        (Decimal("0E-10"), 0.0),
        (Decimal("100"), 100.0),
        (Decimal("123456789012.123456"), 123456789012.123456),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_a_number_column_stores_a_decimal_an_int_or_a_float_at_six_places(value, stored):
    values, custom = validate(quantity_ordered=value, unit_price=value, udf_3=value)
    assert (values["quantity_ordered"], values["unit_price"], custom[1]) == (stored, stored, stored)
    assert str(values["quantity_ordered"]) != "-0.0"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (Decimal("NaN"), "quantity_ordered: not a finite number: NaN"),
        (Decimal("sNaN"), "quantity_ordered: not a number: sNaN"),
        (Decimal("Infinity"), "quantity_ordered: not a finite number: Infinity"),
        (Decimal("1E+400"), "quantity_ordered: not a finite number: 1E+400"),
        (Decimal("-1.5000"), "quantity_ordered: negative: -1.5000"),
    ],
)
def test_a_decimal_that_is_no_storable_number_rejects_its_row_naming_it_as_sent(value, words):
    assert rejected(quantity_ordered=value) == words


def test_datetimes_and_dates_give_their_calendar_date_each_time_they_come():
    naive = dt.datetime(2026, 12, 3, 23, 59)
    for _ in range(3):  # the second and third come from the remembered dates
        assert validate(promised_date=naive, order_date=dt.date(2026, 10, 1))[0]["promised_date"] == "2026-12-03"
    assert validate(order_date=dt.date(2026, 10, 1))[0]["order_date"] == "2026-10-01"


def test_equal_moments_in_two_offsets_keep_each_its_own_date():
    west = dt.datetime(2026, 12, 3, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-1)))
    utc = dt.datetime(2026, 12, 4, 0, 0, tzinfo=dt.UTC)
    assert west == utc  # the same moment
    assert validate(promised_date=west)[0]["promised_date"] == "2026-12-03"
    assert validate(promised_date=utc)[0]["promised_date"] == "2026-12-04"
    assert validate(promised_date=west)[0]["promised_date"] == "2026-12-03"


def test_a_naive_datetime_is_never_taken_for_an_equal_looking_date_or_text():
    assert validate(promised_date=dt.datetime(2026, 12, 5, 0, 0))[0]["promised_date"] == "2026-12-05"
    assert validate(promised_date=dt.date(2026, 12, 6))[0]["promised_date"] == "2026-12-06"
    assert validate(promised_date="2026-12-07")[0]["promised_date"] == "2026-12-07"


@pytest.mark.parametrize("value", [0, 7, 4012, -3, 10**20])
def test_an_integer_in_a_text_field_is_its_decimal_text(value):
    values, custom = validate(supplier_code=value, buyer=value, udf_1=value)
    assert (values["supplier_code"], values["buyer"], custom[0]) == (str(value),) * 3


def test_an_integer_too_long_for_its_text_field_rejects_its_row_naming_its_length():
    assert rejected(supplier_code=10**64) == "supplier_code: longer than 64 characters (65)"
