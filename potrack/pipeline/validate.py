"""Stage 2, validate: turns a raw source row into a typed PO line, or rejects it with a clear error."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from potrack.fields import FIELDS, KEY_FIELDS
from potrack.sources.errors import SourceError

REQUIRED = frozenset(
    ("po_number", "line_number", "item_code", "supplier_code", "quantity_ordered", "quantity_received",
     "unit_price", "promised_date", "status")
)
NUMBER_FIELDS = frozenset(("quantity_ordered", "quantity_received", "unit_price"))
DATE_FIELDS = frozenset(("order_date", "promised_date", "need_by_date"))
TEXT_LIMITS = {
    "po_number": 64, "item_code": 64, "supplier_code": 64, "description": 400, "uom": 20, "currency": 8,
    "status": 32, "buyer": 64, "plant": 64,
}
CUSTOM_TEXT_LIMIT = 1000
Key = tuple[str, int]


class RowError(ValueError):
    """A value of a row is missing or invalid; the message names the field."""


@dataclass(slots=True)
class Line:
    """A valid PO line: its key, canonical values in FIELDS order, and its custom values."""

    key: Key
    values: tuple[Any, ...]
    custom: tuple[Any, ...]
    part_id: str | None = None
    digest: int = 0

    def get(self, field: str) -> Any:
        return self.values[FIELD_INDEX[field]]


FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}


def to_text(field: str, value: Any, limit: int) -> str | None:
    """A stripped string, None when empty; too long is an error, never a silent cut."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) > limit:
        raise RowError(f"{field}: longer than {limit} characters ({len(text)})")
    return text


def to_number(field: str, value: Any) -> float | None:
    """A non-negative finite number, None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(f"{field}: not a number: {value!r}")
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        if isinstance(value, str) and not value.strip():
            return None
        raise RowError(f"{field}: not a number: {value!r}") from None
    if math.isnan(number) or math.isinf(number):
        raise RowError(f"{field}: not a finite number: {value!r}")
    if number < 0:
        raise RowError(f"{field}: negative: {value!r}")
    return number


def to_date(field: str, value: Any) -> dt.date | None:
    """A calendar date from a date, a datetime or an ISO (or YYYYMMDD) string; None when empty."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if len(text) > 10:  # a whole ISO datetime; trailing junk after the date is not a date
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{field}: not a date (expected YYYY-MM-DD): {value!r}") from None


def to_line_number(value: Any) -> int | None:
    """A line number: a whole number of 0 or more."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise RowError(f"line_number: not a whole number: {value!r}") from None
    if not number.is_integer() or number < 0 or number > 2_000_000_000:
        raise RowError(f"line_number: not a whole number of 0 or more: {value!r}")
    return int(number)


def _converter(field: str) -> Callable[[Any], Any]:
    if field in NUMBER_FIELDS:
        return lambda v: to_number(field, v)
    if field in DATE_FIELDS:
        return lambda v: to_date(field, v)
    limit = TEXT_LIMITS[field]
    return lambda v: to_text(field, v, limit)


def _custom_converter(name: str, kind: str) -> Callable[[Any], Any]:
    if kind == "number":
        return lambda v: to_number(name, v)
    if kind == "date":
        return lambda v: to_date(name, v)
    return lambda v: to_text(name, v, CUSTOM_TEXT_LIMIT)


class RowValidator:
    """Validates rows of one snapshot, whose column positions are resolved once."""

    def __init__(self, columns: Sequence[str], renames: dict[str, str], custom_columns: dict[str, str]) -> None:
        self.columns = list(columns)
        by_name: dict[str, int] = {}
        for i, col in enumerate(self.columns):
            canonical = renames.get(col, col)
            by_name.setdefault(canonical.lower(), i)
        wanted = (*KEY_FIELDS, *FIELDS)
        missing = [f for f in wanted if f in REQUIRED and f not in by_name]
        missing += [c for c in custom_columns if c.lower() not in by_name]
        if missing:
            raise SourceError(
                f"the source query returns no column for {', '.join(missing)} "
                f"(columns: {', '.join(self.columns)}; map them with `columns`)", transient=False)
        self._po = by_name["po_number"]
        self._line = by_name["line_number"]
        self._fields = [(f, by_name.get(f), _converter(f)) for f in FIELDS]
        self.custom_names = tuple(sorted(custom_columns))
        self._custom = [(c, by_name[c.lower()], _custom_converter(c, custom_columns[c])) for c in self.custom_names]

    def raw(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row as a column → value mapping, for the failed-rows record."""
        return dict(zip(self.columns, row))

    def key_of(self, row: Sequence[Any]) -> Key | None:
        """The row's key when both parts are readable, else None."""
        try:
            po = to_text("po_number", row[self._po], TEXT_LIMITS["po_number"])
            line = to_line_number(row[self._line])
        except RowError:
            return None
        return (po, line) if po is not None and line is not None else None

    def validate(self, row: Sequence[Any]) -> Line:
        """Return the typed line or raise RowError naming every bad field."""
        problems = []
        values = []
        key = self.key_of(row)
        if key is None:
            problems.append("po_number/line_number: missing or invalid key")
        for field, index, convert in self._fields:
            try:
                value = None if index is None else convert(row[index])
            except RowError as exc:
                problems.append(str(exc))
                value = None
            else:
                if value is None and field in REQUIRED:
                    problems.append(f"{field}: required value is missing")
            values.append(value)
        custom = []
        for _name, index, convert in self._custom:
            try:
                custom.append(convert(row[index]))
            except RowError as exc:
                problems.append(str(exc))
        if problems:
            raise RowError("; ".join(problems))
        return Line(key=key, values=tuple(values), custom=tuple(custom))  # type: ignore[arg-type]
