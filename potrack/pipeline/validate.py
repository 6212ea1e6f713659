"""Stage 2, validate: turns a raw source row into a typed PO line, or rejects it with a clear error."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
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


def to_text(field: str, limit: int, value: Any) -> str | None:
    """A stripped string, None when empty; too long is an error, never a silent cut."""
    if value is None:
        return None
    if value.__class__ is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    text = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise RowError(f"{field}: longer than {limit} characters ({len(text)})")
    return text


def to_number(field: str, value: Any) -> float | None:
    """A non-negative finite number, None when empty."""
    if value is None:
        return None
    cls = value.__class__
    if cls is float or cls is int:
        number = float(value)
    elif cls is bool:
        raise RowError(f"{field}: not a number: {value!r}")
    else:
        try:
            number = float(value.strip()) if cls is str else float(value)
        except (TypeError, ValueError):
            if cls is str and not value.strip():
                return None
            raise RowError(f"{field}: not a number: {value!r}") from None
    if not number >= 0:  # also false for NaN
        raise RowError(f"{field}: {'negative' if number < 0 else 'not a finite number'}: {value!r}")
    if number == math.inf:
        raise RowError(f"{field}: not a finite number: {value!r}")
    return number


_DATES: dict[str, str] = {}  # raw text → ISO date; ERPs repeat a few thousand dates across a million rows
_DATES_MAX = 100_000


def to_date(field: str, value: Any) -> str | None:
    """A calendar date as ISO text, from a date, a datetime or an ISO (or YYYYMMDD) string; None when empty."""
    if value is None:
        return None
    if value.__class__ is str:
        known = _DATES.get(value)
        if known is not None:
            return known
        parsed = _parse_date(field, value)
        if parsed is not None:
            if len(_DATES) >= _DATES_MAX:
                _DATES.clear()
            _DATES[value] = parsed
        return parsed
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _parse_date(field, str(value))


def _parse_date(field: str, value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        if len(text) > 10:  # a whole ISO datetime; trailing junk after the date is not a date
            return dt.datetime.fromisoformat(text).date().isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise RowError(f"{field}: not a date (expected YYYY-MM-DD): {value!r}") from None


def to_line_number(value: Any) -> int | None:
    """A line number: a whole number of 0 or more."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if value.__class__ is int and 0 <= value <= 2_000_000_000:
        return value
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise RowError(f"line_number: not a whole number: {value!r}") from None
    if not number.is_integer() or number < 0 or number > 2_000_000_000:
        raise RowError(f"line_number: not a whole number of 0 or more: {value!r}")
    return int(number)


def _missing(_value: Any) -> None:
    return None


def _converter(field: str) -> Callable[[Any], Any]:
    if field in NUMBER_FIELDS:
        return partial(to_number, field)
    if field in DATE_FIELDS:
        return partial(to_date, field)
    return partial(to_text, field, TEXT_LIMITS[field])


def _custom_converter(name: str, kind: str) -> Callable[[Any], Any]:
    if kind == "number":
        return partial(to_number, name)
    if kind == "date":
        return partial(to_date, name)
    return partial(to_text, name, CUSTOM_TEXT_LIMIT)


def _text_code(var: str, index: int | None, field: str, limit: int) -> list[str]:
    if index is None:
        return [f"    {var} = None"]
    return [
        f"    v = row[{index}]",
        "    if v.__class__ is str:",
        f"        {var} = v.strip()",
        f"        if not {var} or len({var}) > {limit}:",
        f"            {var} = text({field!r}, {limit}, v)",
        "    else:",
        f"        {var} = text({field!r}, {limit}, v)",
    ]


def _number_code(var: str, index: int | None, field: str) -> list[str]:
    if index is None:
        return [f"    {var} = None"]
    return [
        f"    v = row[{index}]",
        f"    {var} = v if v.__class__ is float and 0.0 <= v < INF else number({field!r}, v)",
    ]


def _date_code(var: str, index: int | None, field: str) -> list[str]:
    if index is None:
        return [f"    {var} = None"]
    return [
        f"    v = row[{index}]",
        f"    {var} = DATES.get(v) if v.__class__ is str else None",
        f"    if {var} is None:",
        f"        {var} = date({field!r}, v)",
    ]


def _field_code(var: str, index: int | None, field: str, kind: str) -> list[str]:
    if kind == "number":
        return _number_code(var, index, field)
    if kind == "date":
        return _date_code(var, index, field)
    return _text_code(var, index, field, TEXT_LIMITS.get(field, CUSTOM_TEXT_LIMIT))


def _compile_fast_path(po: int, line: int, fields: list[tuple[str, int | None]], custom: list[tuple[str, int, str]]
                       ) -> Callable[[Sequence[Any]], Line | None]:
    """Generate the row → Line function for one column layout, with the common cases inline.

    Every value still goes through the same rules as to_text/to_number/to_date: clean values
    take the inline branch, anything else (padding, other types, empty, bad) calls the function.
    A row with a bad value raises RowError; a row missing a required value returns None.
    """
    kinds = {f: "number" for f in NUMBER_FIELDS} | {f: "date" for f in DATE_FIELDS}
    body = ["def fast(row):"]
    body += _text_code("po", po, "po_number", TEXT_LIMITS["po_number"])
    body += ["    v = row[%d]" % line, "    ln = v if v.__class__ is int and 0 <= v <= 2000000000 else line_no(v)"]
    for i, (field, index) in enumerate(fields):
        body += _field_code(f"f{i}", index, field, kinds.get(field, "text"))
    for i, (name, index, kind) in enumerate(custom):
        body += _field_code(f"c{i}", index, name, kind)
    required = ["po", "ln"] + [f"f{i}" for i, (field, _) in enumerate(fields) if field in REQUIRED]
    body.append(f"    if {' is None or '.join(required)} is None:")
    body.append("        return None")
    values = "".join(f"f{i}, " for i in range(len(fields)))
    customs = "".join(f"c{i}, " for i in range(len(custom)))
    body.append(f"    return Line((po, ln), ({values}), ({customs}))")
    namespace: dict[str, Any] = {"text": to_text, "number": to_number, "date": to_date, "line_no": to_line_number,
                                 "DATES": _DATES, "INF": math.inf, "Line": Line}
    exec("\n".join(body), namespace)  # noqa: S102 - generated from column positions, no outside text
    return namespace["fast"]


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
        self.custom_names = tuple(sorted(custom_columns))
        # A column the query does not return reads as empty (index 0 with a converter that gives None).
        self._fields = [(f, by_name.get(f, 0), _converter(f) if f in by_name else _missing) for f in FIELDS]
        self._custom = [(c, by_name[c.lower()], _custom_converter(c, custom_columns[c])) for c in self.custom_names]
        self._fast = _compile_fast_path(
            self._po, self._line, [(f, by_name.get(f)) for f in FIELDS],
            [(c, by_name[c.lower()], custom_columns[c]) for c in self.custom_names])

    def raw(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row as a column → value mapping, for the failed-rows record."""
        return dict(zip(self.columns, row))

    def key_of(self, row: Sequence[Any]) -> Key | None:
        """The row's key when both parts are readable, else None."""
        try:
            po = to_text("po_number", TEXT_LIMITS["po_number"], row[self._po])
            line = to_line_number(row[self._line])
        except RowError:
            return None
        return (po, line) if po is not None and line is not None else None

    def validate(self, row: Sequence[Any]) -> Line:
        """Return the typed line or raise RowError naming every bad field."""
        try:
            line = self._fast(row)
        except RowError:
            line = None
        if line is None:
            raise RowError(self._problems(row))
        return line

    def _problems(self, row: Sequence[Any]) -> str:
        """Every problem of a rejected row, field by field (the slow path, for rejected rows only)."""
        problems = []
        if self.key_of(row) is None:
            problems.append("po_number/line_number: missing or invalid key")
        for field, index, convert in self._fields:
            try:
                if convert(row[index]) is None and field in REQUIRED:
                    problems.append(f"{field}: required value is missing")
            except RowError as exc:
                problems.append(str(exc))
        for _name, index, convert in self._custom:
            try:
                convert(row[index])
            except RowError as exc:
                problems.append(str(exc))
        return "; ".join(problems)
