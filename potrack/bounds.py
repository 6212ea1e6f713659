"""What the store can hold, as pydantic types every boundary validates with (the API, the pages' URLs, the search):
whole numbers within their column's integer range, text without NUL within its column's length, and days and
moments within the years both the store and Python's calendar handle after conversion to UTC."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

UTC = dt.UTC
T = TypeVar("T")

# A margin of a year's worth of days at each end of Python's calendar (years 1..9999): a day's local midnight, or a
# day plus one, converted to UTC in any zone (-12..+14 h) stays inside it.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9999, 12, 30)
EARLIEST = dt.datetime.combine(FIRST_DAY, dt.time(), tzinfo=UTC)
LATEST = dt.datetime.combine(LAST_DAY, dt.time.max, tzinfo=UTC)
DAY_RANGE = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"

# The largest value of each integer column type on every store back-end (PostgreSQL's INTEGER is 32-bit; SQLite's
# INTEGER holds 64 bits but a store may move to PostgreSQL, so the narrower bound holds everywhere).
_INTEGER_MAX = ((sa.SmallInteger, 2**15 - 1), (sa.BigInteger, 2**63 - 1), (sa.Integer, 2**31 - 1))
_WHOLE = re.compile(r"[+-]?[0-9]+")


def _column(attribute: Any) -> sa.Column[Any]:
    """The table column of a mapped attribute (Run.id) or the column itself."""
    prop = getattr(attribute, "property", None)
    column: sa.Column[Any] = prop.columns[0] if prop is not None else attribute
    return column


def column_max(attribute: Any) -> int:
    """The largest whole number an integer column holds on every back-end."""
    kind = _column(attribute).type
    for base, high in _INTEGER_MAX:
        if isinstance(kind, base):
            return high
    raise TypeError(f"{attribute} is not an integer column")


def column_length(attribute: Any) -> int:
    """The most characters a string column holds."""
    length = getattr(_column(attribute).type, "length", None)
    if length is None:
        raise TypeError(f"{attribute} has no length")
    return int(length)


def _whole_number(value: Any) -> Any:
    """Text of ASCII digits (an optional sign) as an int; Unicode digits ('²', '١') and '1_000' or '1.0' are not."""
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE.fullmatch(text):
            raise PydanticCustomError("whole_number", "must be a whole number, got {value}", {"value": repr(value)})
        return int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("whole_number", "must be a whole number, got {value}", {"value": repr(value)})
    return value


def whole_number(low: int, high: int) -> Any:
    """An int in [low, high] given as an int or as ASCII digits."""
    # The bounds go on the int itself (then wrapped by the parser), so the JSON schema says minimum and maximum.
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_whole_number)]


def id_of(attribute: Any) -> Any:
    """A positive id its column can hold (Run.id: 1 .. 2,147,483,647)."""
    return whole_number(1, column_max(attribute))


def _storable(value: str) -> str:
    """Text the store can take: no NUL (PostgreSQL refuses it) and no lone surrogate (not encodable as UTF-8)."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("not_utf8", "must be valid Unicode text (it holds a lone surrogate)") from None
    return value


def text_within(length: int) -> Any:
    """Text of at most `length` characters, without NUL."""
    return Annotated[str, StringConstraints(max_length=length), AfterValidator(_storable)]


def text_of(attribute: Any) -> Any:
    """Text a string column can hold: at most its length, without NUL."""
    return text_within(column_length(attribute))


def _in_days(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError("day_range", "must be " + DAY_RANGE + ", got {value}", {"value": day.isoformat()})
    return day


def _day(value: Any) -> Any:
    """A YYYY-MM-DD text (a datetime's first ten characters count: date pickers send either) as a date."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise PydanticCustomError("day", "must be a date YYYY-MM-DD, got {value}", {"value": repr(value)}) from None
    return value


Day = Annotated[dt.date, BeforeValidator(_day), AfterValidator(_in_days)]

MOMENT_FORMS = "an ISO 8601 date or datetime (e.g. 2026-11-01 or 2026-11-01T02:00:00Z; write '+' as %2B)"


def _moment(value: Any) -> Any:
    """An ISO 8601 date or datetime as an aware UTC datetime (naive means UTC; a date means its start), within
    EARLIEST .. LATEST once in UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "moment", "must be " + MOMENT_FORMS + ", got {value}", {"value": repr(value)}
            ) from None
    if not isinstance(value, dt.datetime):
        raise PydanticCustomError("moment", "must be " + MOMENT_FORMS + ", got {value}", {"value": repr(value)})
    try:
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise PydanticCustomError(
            "moment_range", "must be " + DAY_RANGE + " once in UTC, got {value}", {"value": value.isoformat()}
        )
    return moment


Moment = Annotated[dt.datetime, BeforeValidator(_moment)]


def _true_or_false(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip().lower() not in ("true", "false"):
            raise PydanticCustomError("true_or_false", "must be true or false, got {value}", {"value": repr(value)})
        return value.strip().lower() == "true"
    return value


Flag = Annotated[bool, BeforeValidator(_true_or_false)]


def why_not(kind: Any) -> Callable[[Any], str | None]:
    """A check for values a page reports but ignores: why the value does not fit `kind`, or None when it does."""
    adapter: TypeAdapter[Any] = TypeAdapter(kind)

    def check(value: Any) -> str | None:
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            return str(exc.errors(include_url=False)[0]["msg"])
        return None

    return check


def lenient(kind: Any) -> Callable[[Any], Any]:
    """A parser for values a page may ignore: the value as `kind` reads it, or None when it does not fit."""
    adapter: TypeAdapter[Any] = TypeAdapter(kind)

    def parse(value: Any) -> Any:
        try:
            return adapter.validate_python(value)
        except ValidationError:
            return None

    return parse
