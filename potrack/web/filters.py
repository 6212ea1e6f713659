"""The views' filters (monitor, trends, failed rows, audit log, alerts, changes, xref gaps) and their round trip
through the URL's query string. Values are read with the same bounded types as the API (potrack.bounds): what does
not fit (a day outside 1900-01-01..9999-12-30, a number beyond its column, text with NUL or longer than its column)
is ignored, so no URL reaches the store with a value it cannot take."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlencode

from potrack.bounds import Day, id_of, lenient, text_of, whole_number, why_not
from potrack.store.audit import SEVERITIES, AuditFilter
from potrack.store.changes import ChangeFilter
from potrack.store.failed_rows import FailedRowFilter
from potrack.store.models import ALERT_RULES, EVENT_KINDS, RUN_STATUSES, AuditEvent, ChangeEvent, PoLine, Run, Upload
from potrack.store.run_history import RunFilter
from potrack.store.xref import GAP_STATES, GapFilter
from potrack.timefmt import local_day_start

_ONE_DAY = dt.timedelta(days=1)
_day = lenient(Day)
_page = lenient(whole_number(1, 2**31 - 1))
_run_id = lenient(id_of(Run.id))
_upload_id = lenient(id_of(Upload.id))
_slip = lenient(whole_number(0, 100_000))
SOURCE, CODE, FIELD, EVENT_TYPE = (
    lenient(text_of(c)) for c in (Run.source, PoLine.supplier_code, ChangeEvent.field, AuditEvent.event_type)
)


Check = Callable[[str], str | None]
_DAY_WHY, _PAGE_WHY = why_not(Day), why_not(whole_number(1, 2**31 - 1))
_SOURCE_WHY, _CODE_WHY = why_not(text_of(Run.source)), why_not(text_of(PoLine.supplier_code))
_RUN_WHY, _SLIP_WHY = why_not(id_of(Run.id)), why_not(whole_number(0, 100_000))
_UPLOAD_WHY = why_not(id_of(Upload.id))
_SHOWN = 200  # of a reason, which may quote what the URL held


def _one_of(allowed: Iterable[str]) -> Check:
    """Why a comma-separated list holds a value not allowed (the view drops it), or None."""
    known = tuple(allowed)

    def check(text: str) -> str | None:
        bad = [v for v in text.split(",") if v and v not in known]
        return f"{bad[0]!r} is not one of {', '.join(known)}" if bad else None

    return check


def _each(kind: Any) -> Check:
    """Why an item of a comma-separated list does not fit `kind` (the view drops it), or None."""
    why = why_not(kind)

    def check(text: str) -> str | None:
        return next((reason for reason in map(why, [v for v in text.split(",") if v]) if reason), None)

    return check


def _date(value: object) -> dt.date | None:
    """A day from 1900-01-01 to 9999-12-30 (so its local midnight and the next day's convert to UTC), or None."""
    text = _first(value)
    return _day(text) if text else None


def _first(value: object) -> str:
    """One query-string value: parse_qs gives lists, Dash's page kwargs give strings."""
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _values(params: Mapping[str, object], *names: str) -> list[str]:
    """The query-string values of these parameters, in order ('' when absent)."""
    return [_first(params.get(name)) for name in names]


def _number(value: object, parse: Callable[[object], int | None] = _page) -> int | None:
    """A positive whole number of ASCII digits within its bound (a page by default), or None."""
    text = _first(value).strip()
    return parse(text) if text else None


def _text(value: object, parse: Callable[[object], str | None] = SOURCE) -> str | None:
    """A free-text value its column can hold (a source name by default), or None when empty or it cannot."""
    return parse(_first(value).strip()) or None


def _chosen(
    value: object, allowed: Iterable[str] | None = None, parse: Callable[[object], str | None] = FIELD
) -> tuple[str, ...]:
    """Several values from a component (a list) or the query string (comma-separated); in `allowed`'s order if
    given (unknown ones dropped), else as given (those their column cannot hold dropped)."""
    items = value if isinstance(value, (list, tuple)) else _first(value).split(",")
    picked = [str(v) for v in items if v]
    if allowed is None:
        return tuple(dict.fromkeys(p for p in map(parse, picked) if p))
    return tuple(a for a in allowed if a in picked)


def day_bounds(
    start: dt.date | None, end: dt.date | None, tz: dt.tzinfo
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Local calendar days from start through end (inclusive) as UTC [since, until) bounds."""
    return (local_day_start(start, tz) if start else None, local_day_start(end + _ONE_DAY, tz) if end else None)


class UrlView(abc.ABC):
    """What a paged list view shows, to and from the query string; subclasses are frozen dataclasses with a page."""

    page: int
    CHECKS: ClassVar[Mapping[str, Check]] = {}  # each query parameter the view reads: why a value does not fit

    @classmethod
    def ignored(cls, params: Mapping[str, object]) -> tuple[str, ...]:
        """What the URL asks for that the view ignores, and why ('start: must be from 1900-01-01 ...'), for the
        page to say so."""
        found = []
        for name, check in cls.CHECKS.items():
            text = _first(params.get(name)).strip()
            reason = check(text) if text else None
            if reason:
                found.append(f"{name}: {reason}"[:_SHOWN])
        return tuple(found)

    @classmethod
    @abc.abstractmethod
    def from_params(cls, params: Mapping[str, object]) -> Self:
        """The view from query-string parameters (or Dash's page kwargs), ignoring what is invalid."""

    @abc.abstractmethod
    def params(self) -> dict[str, str | None]:
        """The query-string parameters that stand for this view (None or '' for what is not set)."""

    @classmethod
    def from_search(cls, search: str | None) -> Self:
        """The view from a URL's query string ('?status=failed&page=2')."""
        return cls.from_params(parse_qs((search or "").lstrip("?")))

    def search(self) -> str:
        """The query string that stands for this view ('' when nothing is set)."""
        query = urlencode({k: v for k, v in self.params().items() if v}, safe=",")
        return f"?{query}" if query else ""

    def same_filters(self, other: UrlView) -> bool:
        """Whether two views select the same items (whatever page they show)."""
        return replace(self, page=1) == replace(other, page=1)  # type: ignore[type-var]  # (every UrlView is a dataclass)

    def _page_param(self) -> str | None:
        return str(self.page) if self.page > 1 else None

    def after_change(self, search: str | None) -> tuple[str, int]:
        """The query string and page once the inputs read as this view: back to page 1 when a filter differs from
        the URL's."""
        view = self if self.same_filters(type(self).from_search(search)) else replace(self, page=1)  # type: ignore[type-var]  # (every UrlView subclass is a dataclass)
        return view.search(), view.page


@dataclass(frozen=True)
class RunView(UrlView):
    """Date range (local calendar days, inclusive), statuses, source and page of a view."""

    start: dt.date | None = None
    end: dt.date | None = None
    statuses: tuple[str, ...] = ()
    source: str | None = None
    page: int = 1
    CHECKS: ClassVar[Mapping[str, Check]] = {
        "start": _DAY_WHY,
        "end": _DAY_WHY,
        "status": _one_of(RUN_STATUSES),
        "source": _SOURCE_WHY,
        "page": _PAGE_WHY,
    }

    @classmethod
    def from_inputs(cls, start: object, end: object, statuses: object, source: object, page: object = 1) -> RunView:
        """Filters from component values (dates as ISO strings, statuses as a list), ignoring what is invalid."""
        return cls(_date(start), _date(end), _chosen(statuses, RUN_STATUSES), _text(source), _number(page) or 1)

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> RunView:
        """Filters from query-string parameters: start, end (YYYY-MM-DD), status (comma-separated), source, page."""
        return cls.from_inputs(*_values(params, "start", "end", "status", "source", "page"))

    def params(self) -> dict[str, str | None]:
        """start, end, status, source, page."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "status": ",".join(self.statuses),
            "source": self.source,
            "page": self._page_param(),
        }

    def run_filter(self, tz: dt.tzinfo) -> RunFilter:
        """The store filter: the local days from start through end as UTC bounds."""
        since, until = day_bounds(self.start, self.end, tz)
        return RunFilter(since=since, until=until, statuses=self.statuses, source=self.source)


ROW_STATES = ("unresolved", "resolved", "all")
ROW_ORDERS = ("newest", "oldest")


@dataclass(frozen=True)
class FailedRowView(UrlView):
    """The failed-rows page: source, run, date range of the runs, unresolved/resolved/all, newest or oldest first."""

    source: str | None = None
    run_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    state: str = "unresolved"
    order: str = "newest"
    page: int = 1
    upload_id: int | None = None
    CHECKS: ClassVar[Mapping[str, Check]] = {
        "source": _SOURCE_WHY,
        "run": _RUN_WHY,
        "start": _DAY_WHY,
        "end": _DAY_WHY,
        "state": _one_of(ROW_STATES),
        "sort": _one_of(ROW_ORDERS),
        "page": _PAGE_WHY,
        "upload": _UPLOAD_WHY,
    }

    @classmethod
    def from_inputs(
        cls,
        source: object,
        run_id: object,
        start: object,
        end: object,
        state: object,
        order: object,
        page: object = 1,
        upload_id: object = None,
    ) -> FailedRowView:
        """The view from component values, ignoring what is invalid."""
        state_text, order_text = _first(state), _first(order)
        return cls(
            _text(source),
            _number(run_id, _run_id),
            _date(start),
            _date(end),
            state_text if state_text in ROW_STATES else "unresolved",
            order_text if order_text in ROW_ORDERS else "newest",
            _number(page) or 1,
            _number(upload_id, _upload_id),
        )

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> FailedRowView:
        """From source, run, start, end, state (unresolved|resolved|all), sort (newest|oldest), page, upload."""
        return cls.from_inputs(*_values(params, "source", "run", "start", "end", "state", "sort", "page", "upload"))

    def params(self) -> dict[str, str | None]:
        """source, run, start, end, state and sort when not the default, page, upload."""
        return {
            "source": self.source,
            "run": str(self.run_id) if self.run_id else None,
            "upload": str(self.upload_id) if self.upload_id else None,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "state": None if self.state == "unresolved" else self.state,
            "sort": None if self.order == "newest" else self.order,
            "page": self._page_param(),
        }

    def row_filter(self, tz: dt.tzinfo) -> FailedRowFilter:
        """The store filter (the dates are those of the rows' runs)."""
        since, until = day_bounds(self.start, self.end, tz)
        resolved = {"unresolved": False, "resolved": True}.get(self.state)
        return FailedRowFilter(self.source, self.run_id, since, until, resolved, upload_id=self.upload_id)


@dataclass(frozen=True)
class AuditView(UrlView):
    """The audit page: event types, severities, source, date range."""

    event_types: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    source: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    page: int = 1
    CHECKS: ClassVar[Mapping[str, Check]] = {
        "type": _each(text_of(AuditEvent.event_type)),
        "severity": _one_of(SEVERITIES),
        "source": _SOURCE_WHY,
        "start": _DAY_WHY,
        "end": _DAY_WHY,
        "page": _PAGE_WHY,
    }

    @classmethod
    def from_inputs(
        cls, event_types: Any, severities: Any, source: object, start: object, end: object, page: object = 1
    ) -> AuditView:
        """The view from component values, ignoring what is invalid."""
        return cls(
            _chosen(event_types, parse=EVENT_TYPE),
            _chosen(severities, SEVERITIES),
            _text(source),
            _date(start),
            _date(end),
            _number(page) or 1,
        )

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> AuditView:
        """From type and severity (comma-separated), source, start, end, page."""
        return cls.from_inputs(*_values(params, "type", "severity", "source", "start", "end", "page"))

    def params(self) -> dict[str, str | None]:
        """type, severity, source, start, end, page."""
        return {
            "type": ",".join(self.event_types),
            "severity": ",".join(self.severities),
            "source": self.source,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "page": self._page_param(),
        }

    def audit_filter(self, tz: dt.tzinfo) -> AuditFilter:
        """The store filter: the local days from start through end as UTC bounds."""
        since, until = day_bounds(self.start, self.end, tz)
        return AuditFilter(self.event_types, self.severities, self.source, since, until)


@dataclass(frozen=True)
class AlertView(UrlView):
    """The alerts page's history: source, rule, date range of the openings (one page: the newest alerts)."""

    source: str | None = None
    rule: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    page: int = 1
    CHECKS: ClassVar[Mapping[str, Check]] = {
        "source": _SOURCE_WHY,
        "rule": _one_of(ALERT_RULES),
        "start": _DAY_WHY,
        "end": _DAY_WHY,
    }

    @classmethod
    def from_inputs(cls, source: object, rule: object, start: object, end: object) -> AlertView:
        """The view from component values, ignoring what is invalid (an unknown rule)."""
        rules = _chosen(rule, ALERT_RULES)
        return cls(_text(source), rules[0] if len(rules) == 1 else None, _date(start), _date(end))

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> AlertView:
        """From source, rule, start, end."""
        return cls.from_inputs(*_values(params, "source", "rule", "start", "end"))

    def params(self) -> dict[str, str | None]:
        """source, rule, start, end."""
        return {
            "source": self.source,
            "rule": self.rule,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }

    def bounds(self, tz: dt.tzinfo) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The local days from start through end as UTC [since, until) bounds of the opening times."""
        return day_bounds(self.start, self.end, tz)


@dataclass(frozen=True)
class ChangeView(UrlView):
    """The change explorer: date range of the runs, source, supplier, buyer, plant, fields, kinds, slipped by more
    than some days, page."""

    start: dt.date | None = None
    end: dt.date | None = None
    source: str | None = None
    supplier: str | None = None
    buyer: str | None = None
    plant: str | None = None
    fields: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    slipped_over: int | None = None
    page: int = 1
    CHECKS: ClassVar[Mapping[str, Check]] = {
        "start": _DAY_WHY,
        "end": _DAY_WHY,
        "source": _SOURCE_WHY,
        "supplier": _CODE_WHY,
        "buyer": _CODE_WHY,
        "plant": _CODE_WHY,
        "field": _each(text_of(ChangeEvent.field)),
        "kind": _one_of(EVENT_KINDS),
        "slip": _SLIP_WHY,
        "page": _PAGE_WHY,
    }

    @classmethod
    def from_inputs(
        cls,
        start: object,
        end: object,
        source: object,
        supplier: object,
        buyer: object,
        plant: object,
        fields: object,
        kinds: object,
        slipped_over: object,
        page: object = 1,
    ) -> ChangeView:
        """The view from component values, ignoring what is invalid (slipped_over: a whole number of days)."""
        return cls(
            _date(start),
            _date(end),
            _text(source),
            _text(supplier, CODE),
            _text(buyer, CODE),
            _text(plant, CODE),
            _chosen(fields),
            _chosen(kinds, EVENT_KINDS),
            _number(slipped_over, _slip),
            _number(page) or 1,
        )

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> ChangeView:
        """From start, end, source, supplier, buyer, plant, field and kind (comma-separated), slip, page."""
        return cls.from_inputs(
            *_values(params, "start", "end", "source", "supplier", "buyer", "plant", "field", "kind", "slip", "page")
        )

    def params(self) -> dict[str, str | None]:
        """start, end, source, supplier, buyer, plant, field, kind, slip, page."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "source": self.source,
            "supplier": self.supplier,
            "buyer": self.buyer,
            "plant": self.plant,
            "field": ",".join(self.fields),
            "kind": ",".join(self.kinds),
            "slip": None if self.slipped_over is None else str(self.slipped_over),
            "page": self._page_param(),
        }

    def change_filter(self, tz: dt.tzinfo) -> ChangeFilter:
        """The store filter: the local days from start through end as UTC bounds of the runs' times."""
        since, until = day_bounds(self.start, self.end, tz)
        return ChangeFilter(
            since, until, self.source, self.supplier, self.buyer, self.plant, self.fields, self.kinds, self.slipped_over
        )


@dataclass(frozen=True)
class GapView(UrlView):
    """The xref-gap workbench: source, open / resolved / all, page."""

    source: str | None = None
    state: str = "open"
    page: int = 1
    CHECKS: ClassVar[Mapping[str, Check]] = {"source": _SOURCE_WHY, "state": _one_of(GAP_STATES), "page": _PAGE_WHY}

    @classmethod
    def from_inputs(cls, source: object, state: object, page: object = 1) -> GapView:
        """The view from component values, ignoring what is invalid."""
        state_text = _first(state)
        return cls(_text(source), state_text if state_text in GAP_STATES else "open", _number(page) or 1)

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> GapView:
        """From source, state (open|resolved|all), page."""
        return cls.from_inputs(*_values(params, "source", "state", "page"))

    def params(self) -> dict[str, str | None]:
        """source, state when not open, page."""
        return {
            "source": self.source,
            "state": None if self.state == "open" else self.state,
            "page": self._page_param(),
        }

    def gap_filter(self) -> GapFilter:
        """The store filter."""
        return GapFilter(self.source, self.state)
