"""Stage 2, validate, unit level: RowValidator types a row or rejects it with an error naming each bad field."""

import datetime as dt

import pytest

from potrack.pipeline.columns import resolve_columns
from potrack.pipeline.validate import DATE_FORMS, FIELDS, RowError, RowValidator
from potrack.sources.errors import SourceError
from tests.support.erp import ERP_COLUMNS, erp_line

CUSTOM = {"udf_1": "text", "udf_3": "number"}


def validator(custom=None, columns=ERP_COLUMNS, renames=None):
    custom = CUSTOM if custom is None else custom
    return RowValidator(resolve_columns(list(columns), renames or {}, tuple(custom)), custom)


def row(**values):
    return tuple(erp_line("PO1", 1, **values)[c] for c in ERP_COLUMNS)


def error_of(v, r):
    with pytest.raises(RowError) as info:
        v.validate(r)
    return str(info.value)


def test_valid_row_becomes_typed_line():
    line = validator().validate(
        row(quantity_ordered="12.5", quantity_received=3, unit_price=" 2.50 ", udf_1="  tag ", udf_3="7")
    )
    assert line.key == ("PO1", 1)
    values = dict(zip(FIELDS, line.values, strict=True))
    assert values == {
        "item_code": "ITEM-1",
        "supplier_code": "SUP1",
        "description": "PO1 line 1",
        "uom": "EA",
        "quantity_ordered": 12.5,
        "quantity_received": 3.0,
        "unit_price": 2.5,
        "currency": "EUR",
        "order_date": "2026-10-01",
        "promised_date": "2026-12-01",
        "need_by_date": "2026-12-05",
        "status": "open",
        "buyer": "alice",
        "plant": "P100",
    }
    assert line.custom == ("tag", 7.0)  # custom names sorted: udf_1, udf_3


def test_key_is_stripped_and_line_number_read_as_whole_number():
    assert validator().validate(row(po_number=" PO1 ", line_number="1.0")).key == ("PO1", 1)
    assert validator().validate(row(line_number=1.0)).key == ("PO1", 1)


@pytest.mark.parametrize(
    "values, error",
    [
        ({"po_number": None}, "po_number: required value is missing"),
        ({"po_number": "  "}, "po_number: required value is missing"),
        ({"line_number": None}, "line_number: required value is missing"),
        ({"line_number": "one"}, "line_number: not a whole number: 'one'"),
        ({"line_number": "1.5"}, "line_number: not a whole number of 0 or more: '1.5'"),
        ({"line_number": -1}, "line_number: not a whole number of 0 or more: -1"),
        ({"line_number": "٣"}, "line_number: not a whole number: '٣'"),  # a digit of another script
        ({"po_number": "P" * 65}, "po_number: longer than 64 characters (65)"),
        ({"line_number": 3_000_000_000}, "line_number: larger than 2,000,000,000, the store's limit: 3000000000"),
        ({"line_number": 10**30}, f"line_number: larger than 2,000,000,000, the store's limit: {10**30}"),
    ],
)
def test_missing_or_invalid_key_is_rejected_naming_the_key_part_and_its_limit(values, error):
    v = validator()
    assert error_of(v, row(**values)) == error
    assert v.key_of(row(**values)) is None


@pytest.mark.parametrize(
    "field",
    ["item_code", "supplier_code", "quantity_ordered", "quantity_received", "unit_price", "promised_date", "status"],
)
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_missing_required_value_is_rejected_naming_the_field(field, empty):
    v = validator()
    assert error_of(v, row(**{field: empty})) == f"{field}: required value is missing"
    assert v.key_of(row(**{field: empty})) == ("PO1", 1)  # the key stays readable for the failed row


@pytest.mark.parametrize("field", ["description", "uom", "currency", "order_date", "need_by_date", "buyer", "plant"])
def test_optional_values_may_be_missing(field):
    line = validator().validate(row(**{field: None}))
    assert line.get(field) is None


@pytest.mark.parametrize("field", ["quantity_ordered", "quantity_received", "unit_price"])
@pytest.mark.parametrize(
    "bad, words",
    [
        ("ten", "not a number"),
        ("1,5", "not a number"),
        (True, "not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("1_000", "not a number"),
        ("1e400", "not a finite number"),
        (float("nan"), "not a finite number"),
        (-1, "negative"),
        ("-0.01", "negative"),
    ],
)
def test_non_numeric_or_negative_quantity_or_price_is_rejected(field, bad, words):
    message = error_of(validator(), row(**{field: bad}))
    assert message.startswith(f"{field}: {words}")
    assert repr(bad) in message


def test_zero_quantity_and_price_are_valid():
    line = validator().validate(row(quantity_ordered=0, quantity_received="0", unit_price=0.0))
    assert (line.get("quantity_ordered"), line.get("quantity_received"), line.get("unit_price")) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("field", ["order_date", "promised_date", "need_by_date"])
@pytest.mark.parametrize(
    "bad", ["2026-13-01", "2026-02-30", "01/12/2026", "tomorrow", "20261301", "2026-12-01junk", "2026-12-011"]
)
def test_unparseable_date_is_rejected_naming_the_field(field, bad):
    message = error_of(validator(), row(**{field: bad}))
    assert message == f"{field}: not a date (expected {DATE_FORMS}): {bad!r}"


@pytest.mark.parametrize(
    "value, expected",
    [  # a valid date becomes canonical ISO text
        ("20261203", "2026-12-03"),  # YYYYMMDD text
        (20261203, "2026-12-03"),  # YYYYMMDD stored as a number
        ("2026-12-03", "2026-12-03"),
        ("2026-12-03 00:00:00", "2026-12-03"),  # a datetime as text (SQLite)
        ("2026-12-03T10:30:00.0000000", "2026-12-03"),  # SQL Server datetime2 as text
        (dt.datetime(2026, 12, 3, 23, 59), "2026-12-03"),
        (dt.date(2026, 12, 3), "2026-12-03"),
    ],
)
def test_dates_are_read_from_iso_yyyymmdd_and_date_values(value, expected):
    line = validator().validate(row(promised_date=value, order_date=value))
    assert line.get("promised_date") == expected
    assert line.get("order_date") == expected


@pytest.mark.parametrize(
    "field, limit",
    [
        ("item_code", 64),
        ("supplier_code", 64),
        ("description", 400),
        ("uom", 20),
        ("currency", 8),
        ("status", 32),
        ("buyer", 64),
        ("plant", 64),
    ],
)
def test_too_long_text_is_rejected_never_cut(field, limit):
    v = validator()
    assert v.validate(row(**{field: "x" * limit})).get(field) == "x" * limit
    message = error_of(v, row(**{field: "x" * (limit + 1)}))
    assert message == f"{field}: longer than {limit} characters ({limit + 1})"


def test_custom_values_are_typed_and_rejected_naming_the_column():
    v = validator({"udf_1": "date", "udf_3": "number"})
    assert v.validate(row(udf_1="20261203", udf_3="4.25")).custom == ("2026-12-03", 4.25)
    assert v.validate(row(udf_1=None, udf_3="")).custom == (None, None)
    assert error_of(v, row(udf_3="heavy")) == "udf_3: not a number: 'heavy'"
    assert error_of(v, row(udf_3=-2)) == "udf_3: negative: -2"
    assert error_of(v, row(udf_1="someday")) == f"udf_1: not a date (expected {DATE_FORMS}): 'someday'"
    text = validator({"udf_1": "text"})
    assert error_of(text, row(udf_1="y" * 1001)) == "udf_1: longer than 1000 characters (1001)"


def test_every_bad_field_of_a_row_is_named_in_one_error():
    message = error_of(
        validator(), row(item_code=None, quantity_ordered="lots", unit_price=-3, promised_date="soon", udf_3="x")
    )
    assert message.split("; ") == [
        "item_code: required value is missing",
        "quantity_ordered: not a number: 'lots'",
        "unit_price: negative: -3",
        f"promised_date: not a date (expected {DATE_FORMS}): 'soon'",
        "udf_3: not a number: 'x'",
    ]


def test_renamed_source_columns_map_to_canonical_fields():
    columns = ["PONUM" if c == "po_number" else "LINE_NO" if c == "line_number" else c for c in ERP_COLUMNS]
    v = validator(columns=columns, renames={"PONUM": "po_number", "LINE_NO": "line_number"})
    assert v.validate(row(po_number="PO9", line_number=4)).key == ("PO9", 4)
    assert v.raw(row())["PONUM"] == "PO1"  # failed rows keep the source's own column names


def test_missing_required_or_custom_column_is_a_permanent_source_error():
    columns = [c for c in ERP_COLUMNS if c not in ("unit_price", "udf_3")]
    with pytest.raises(SourceError) as info:
        validator(columns=columns)
    assert "unit_price" in str(info.value) and "udf_3" in str(info.value)
    assert info.value.transient is False
