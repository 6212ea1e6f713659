"""Stage 2, validate: turns a raw source row into a typed PO line, or rejects it with a clear error.

The rules (docs/pipeline.md, "Exact semantics"): text is stripped and '' is NULL; a C0 control character rejects the row
(tab, CR and LF are allowed in free text); numbers are plain decimals, stored at NUMBER_DECIMALS places, -0 as 0;
dates are ISO or YYYYMMDD, a time part is dropped; a value over its field's limit is rejected, never cut. Error
texts show values as the ERP sent them, never as Python reprs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from potrack.fields import (
    CUSTOM_TEXT_LIMIT,
    DATE_FIELDS,
    FIELDS,
    KEY_FIELDS,
    LINE_NUMBER_MAX,
    MULTILINE_FIELDS,
    NUMBER_DECIMALS,
    NUMBER_FIELDS,
    REQUIRED,
    TEXT_LIMITS,
)
from potrack.pipeline.columns import ColumnMap
from potrack.rejection_words import MISSING

Key = tuple[str, int]
RAW_CELL_LIMIT = 10_000  # a failed row keeps each cell up to this many characters (a 5 MB cell is cut, and says so)
SHOWN_LIMIT = 80
DATE_FORMS = "YYYY-MM-DD, YYYYMMDD, or a date and time such as YYYY-MM-DD HH:MM:SS, whose time is dropped"
# A plain decimal in ASCII digits: no thousands separators, no '_' (which float() accepts), no other scripts' digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # tab, LF and CR allowed
_VISIBLE = {i: f"\\x{i:02x}" for i in range(32)}


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


def shown(value: Any) -> str:
    """A value as the ERP sent it, for an error text: text quoted with control characters made visible, other
    values as their plain text (-1.5000, not Decimal('-1.5000')), long values cut."""
    text = value if isinstance(value, str) else str(value)
    cut = len(text) > SHOWN_LIMIT
    text = text[:SHOWN_LIMIT].translate(_VISIBLE) + ("…" if cut else "")
    return f"'{text}'" if isinstance(value, str) else text


def control_character(text: str, free_text: bool = False) -> re.Match[str] | None:
    """The first C0 control character of a text that its field does not allow (free text allows tab, CR, LF)."""
    return (_CONTROL_IN_FREE_TEXT if free_text else _CONTROL).search(text)


def _reject_control_character(field: str, text: str, free_text: bool) -> None:
    """Raise RowError when the text holds a control character its field does not allow."""
    found = control_character(text, free_text)
    if found:
        char = found.group()
        name = "NUL" if char == "\x00" else f"U+{ord(char):04X}"
        raise RowError(f"{field}: contains the control character {name} at position {found.start() + 1}")


def to_text(field: str, limit: int, value: Any, free_text: bool = False) -> str | None:
    """A stripped string, None when empty; too long or a control character is an error, never a silent cut."""
    if value is None:
        return None
    if value.__class__ is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    if not value.isprintable():  # (the common case is printable: one C-level scan, no regex)
        _reject_control_character(field, value, free_text)
    text: str = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise RowError(f"{field}: longer than {limit} characters ({len(text)})")
    return text


SCALE = 10.0**NUMBER_DECIMALS
EXACTLY_SCALED = 2.0**53 / SCALE  # below it, x * SCALE rounds to the right whole number


def at_stored_precision(number: float) -> float:
    """A number rounded to NUMBER_DECIMALS places, -0 as 0 (round(x * 1e6) / 1e6: 2.5 times faster than
    round(x, 6), the same where x * 1e6 is exact, which it is for the values below EXACTLY_SCALED)."""
    if -EXACTLY_SCALED < number < EXACTLY_SCALED:
        return round(number * SCALE) / SCALE or 0.0  # (`or`: -0.0 is falsy, so it becomes 0.0)
    return round(number, NUMBER_DECIMALS)


def _plain_number(value: Any) -> float | None:
    """A value as a float, None when empty; ValueError unless it is a number or a plain decimal text."""
    if value is None:
        return None
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            raise ValueError(text)
        return float(text)
    if value.__class__ is bool:
        raise ValueError(value)
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(value) from None


def to_number(field: str, value: Any) -> float | None:
    """A finite number of 0 or more at NUMBER_DECIMALS places (-0 is 0), None when empty."""
    try:
        number = _plain_number(value)
    except ValueError:
        separated = isinstance(value, str) and re.search(r"[0-9][,_ '][0-9]", value)
        hint = " (no thousands separators; the decimal point is '.')" if separated else ""
        raise RowError(f"{field}: not a number: {shown(value)}{hint}") from None
    if number is None:
        return None
    if math.isnan(number) or math.isinf(number):
        raise RowError(f"{field}: not a finite number: {shown(value)}")
    number = at_stored_precision(number)
    if number < 0:
        raise RowError(f"{field}: negative: {shown(value)}")
    return number


# A value as the ERP sent it → its ISO date: ERPs repeat a few thousand dates across a million rows. Kept for a text,
# a date and a naive datetime; not for an aware datetime (two equal moments in different offsets fall on different
# dates, and equal values would share an entry).
_DATES: dict[Any, str] = {}
_DATES_MAX = 100_000
_REMEMBERED_DATES = frozenset({str, dt.date, dt.datetime})


def _remember_date(value: Any, iso: str) -> str:
    if len(_DATES) >= _DATES_MAX:
        _DATES.clear()
    _DATES[value] = iso
    return iso


def to_date(field: str, value: Any) -> str | None:
    """A calendar date as ISO text, from a date, a datetime or an ISO (or YYYYMMDD) string; None when empty."""
    if value is None:
        return None
    if value.__class__ is str:
        known = _DATES.get(value)
        if known is not None:
            return known
        parsed = _parse_date(field, value)
        return parsed if parsed is None else _remember_date(value, parsed)
    if isinstance(value, dt.datetime):
        iso = value.date().isoformat()
        return _remember_date(value, iso) if value.__class__ is dt.datetime and value.tzinfo is None else iso
    if isinstance(value, dt.date):
        return _remember_date(value, value.isoformat()) if value.__class__ is dt.date else value.isoformat()
    return _parse_date(field, str(value))


def _parse_date(field: str, value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) == 8 and text.isdigit() and text.isascii():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        if len(text) > 10:  # a whole ISO datetime; trailing junk after the date is not a date
            return dt.datetime.fromisoformat(text).date().isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise RowError(f"{field}: not a date (expected {DATE_FORMS}): {shown(value)}") from None


def to_line_number(value: Any) -> int | None:
    """A line number: a whole number from 0 to the store's limit."""
    try:
        number = value if value.__class__ is int else _plain_number(value)  # (an int exactly, however large)
    except ValueError:
        raise RowError(f"line_number: not a whole number: {shown(value)}") from None
    if number is None:
        return None
    whole = number.is_integer() if isinstance(number, float) else True  # (an int too large for a float is whole)
    if not (whole and number >= 0):  # (also for NaN)
        raise RowError(f"line_number: not a whole number of 0 or more: {shown(value)}")
    if number > LINE_NUMBER_MAX:
        raise RowError(f"line_number: larger than {LINE_NUMBER_MAX:,}, the store's limit: {shown(value)}")
    return int(number)


def _missing(_value: Any) -> None:
    return None


def _converter(field: str) -> Callable[[Any], Any]:
    if field == "line_number":
        return to_line_number
    if field in NUMBER_FIELDS:
        return partial(to_number, field)
    if field in DATE_FIELDS:
        return partial(to_date, field)
    return partial(to_text, field, TEXT_LIMITS[field], free_text=field in MULTILINE_FIELDS)


def _custom_converter(name: str, kind: str) -> Callable[[Any], Any]:
    if kind == "number":
        return partial(to_number, name)
    if kind == "date":
        return partial(to_date, name)
    return partial(to_text, name, CUSTOM_TEXT_LIMIT, free_text=True)


def _text_code(var: str, index: int | None, field: str, limit: int, free_text: bool) -> list[str]:
    if index is None:
        return [f"    {var} = None"]
    return [
        f"    v = row[{index}]",
        "    if v.__class__ is str:",
        f"        {var} = v.strip()",
        f"        if not {var} or len({var}) > {limit} or not v.isprintable():",
        f"            {var} = text({field!r}, {limit}, v, {free_text})",
        "    elif v.__class__ is int:  # an integer key or code (its text is printable, never blank)",
        f"        {var} = str(v)",
        f"        if len({var}) > {limit}:",
        f"            {var} = text({field!r}, {limit}, v, {free_text})",
        "    else:",
        f"        {var} = text({field!r}, {limit}, v, {free_text})",
    ]


def _number_code(var: str, index: int | None, field: str) -> list[str]:
    if index is None:
        return [f"    {var} = None"]
    return [  # at_stored_precision inline (`or 0.0`: a -0.0 from the ERP becomes 0.0)
        f"    v = row[{index}]",
        "    t = v.__class__",
        "    if t is float and 0.0 <= v < SCALED:",
        f"        {var} = round(v * SCALE) / SCALE or 0.0",
        "    elif t is int and 0 <= v < EXACT:",
        f"        {var} = float(v)",
        "    elif t is Decimal and v.is_finite() and 0.0 <= (x := float(v)) < SCALED:  # (NUMERIC columns)",
        f"        {var} = round(x * SCALE) / SCALE or 0.0",
        "    else:",
        f"        {var} = number({field!r}, v)",
    ]


def _date_code(var: str, index: int | None, field: str) -> list[str]:
    if index is None:
        return [f"    {var} = None"]
    return [
        f"    v = row[{index}]",
        f"    {var} = DATES.get(v) if v.__class__ in REMEMBERED else None",
        f"    if {var} is None:",
        f"        {var} = date({field!r}, v)",
    ]


def _field_code(var: str, index: int | None, field: str, kind: str, free_text: bool) -> list[str]:
    if kind == "number":
        return _number_code(var, index, field)
    if kind == "date":
        return _date_code(var, index, field)
    return _text_code(var, index, field, TEXT_LIMITS.get(field, CUSTOM_TEXT_LIMIT), free_text)


def _compile_fast_path(
    po: int, line: int, fields: list[tuple[str, int | None]], custom: list[tuple[str, int, str]]
) -> Callable[[Sequence[Any]], Line | None]:
    """Generate the row → Line function for one column layout, with the common cases inline.

    Every value still goes through the same rules as to_text/to_number/to_date: clean values
    take the inline branch, anything else (padding, other types, empty, bad) calls the function.
    A row with a bad value raises RowError; a row missing a required value returns None.
    """
    kinds = {f: "number" for f in NUMBER_FIELDS} | {f: "date" for f in DATE_FIELDS}
    body = ["def fast(row):"]
    body += _text_code("po", po, "po_number", TEXT_LIMITS["po_number"], False)
    body += [
        f"    v = row[{line}]",
        f"    ln = v if v.__class__ is int and 0 <= v <= {LINE_NUMBER_MAX} else line_no(v)",
    ]
    for i, (field, index) in enumerate(fields):
        body += _field_code(f"f{i}", index, field, kinds.get(field, "text"), field in MULTILINE_FIELDS)
    for i, (name, index, kind) in enumerate(custom):
        body += _field_code(f"c{i}", index, name, kind, True)
    required = ["po", "ln"] + [f"f{i}" for i, (field, _) in enumerate(fields) if field in REQUIRED]
    body.append(f"    if {' is None or '.join(required)} is None:")
    body.append("        return None")
    values = "".join(f"f{i}, " for i in range(len(fields)))
    customs = "".join(f"c{i}, " for i in range(len(custom)))
    body.append(f"    return Line((po, ln), ({values}), ({customs}))")
    namespace: dict[str, Any] = {
        "text": to_text,
        "number": to_number,
        "date": to_date,
        "line_no": to_line_number,
        "DATES": _DATES,
        "REMEMBERED": _REMEMBERED_DATES,
        "Decimal": Decimal,
        "SCALE": SCALE,
        "SCALED": EXACTLY_SCALED,
        "EXACT": 2**53,
        "Line": Line,
    }
    exec("\n".join(body), namespace)  # noqa: S102 - generated from column positions, no outside text
    fast: Callable[[Sequence[Any]], Line | None] = namespace["fast"]
    return fast


def raw_record(columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    """A row as column → value, for its failed-row record: a repeated column name gets ' (2)', ' (3)' …, and a
    cell over RAW_CELL_LIMIT characters is cut with a note of its length (the source still holds it)."""
    record: dict[str, Any] = {}
    for name, value in zip(columns, row, strict=False):
        if name in record:
            n = 2
            while f"{name} ({n})" in record:
                n += 1
            name = f"{name} ({n})"
        if isinstance(value, str) and len(value) > RAW_CELL_LIMIT:
            value = f"{value[:RAW_CELL_LIMIT]}… [cut: {len(value):,} characters]"
        record[name] = value
    return record


class RowValidator:
    """Validates rows of one snapshot, whose column positions are resolved once (potrack.pipeline.columns)."""

    def __init__(self, column_map: ColumnMap, custom_columns: Mapping[str, str]) -> None:
        self.columns = column_map.columns
        at = column_map.positions
        self.custom_names = tuple(sorted(custom_columns))
        # A field the query does not provide reads as empty (index 0 with a converter that gives None).
        self._fields = [(f, at.get(f, 0), _converter(f) if f in at else _missing) for f in (*KEY_FIELDS, *FIELDS)]
        self._po = at["po_number"]
        self._line = at["line_number"]
        self._custom = [(c, at[c], _custom_converter(c, custom_columns[c])) for c in self.custom_names]
        self._fast = _compile_fast_path(
            self._po,
            self._line,
            [(f, at.get(f)) for f in FIELDS],
            [(c, at[c], custom_columns[c]) for c in self.custom_names],
        )

    def raw(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row as a column → value mapping, for the failed-rows record."""
        return raw_record(self.columns, row)

    def key_of(self, row: Sequence[Any]) -> Key | None:
        """The row's key when both parts are readable, else None.

        A PO number whose only control characters are at its ends ('PO1\x1f', which stripping once made 'PO1') is
        read without them: the row is rejected, and the stored line of that key stays as it was.
        """
        try:
            line = to_line_number(row[self._line])
            value = row[self._po]
            try:
                po = to_text("po_number", TEXT_LIMITS["po_number"], value)
            except RowError:
                if not isinstance(value, str):
                    raise
                po = to_text("po_number", TEXT_LIMITS["po_number"], value.strip())
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
        for field, index, convert in self._fields:
            try:
                if convert(row[index]) is None and field in REQUIRED:
                    problems.append(f"{field}{MISSING}")
            except RowError as exc:
                problems.append(str(exc))
        for _name, index, convert in self._custom:
            try:
                convert(row[index])
            except RowError as exc:
                problems.append(str(exc))
        return "; ".join(problems)
