"""The monitor's and the trends' filters, and their round trip through the URL's query string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from potrack.store.models import RUN_STATUSES
from potrack.store.queries import RunFilter
from potrack.web.timefmt import local_day_start

_ONE_DAY = dt.timedelta(days=1)


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _first(value: object) -> str:
    """One query-string value: parse_qs gives lists, Dash's page kwargs give strings."""
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ViewFilters:
    """Date range (local calendar days, inclusive), statuses, source and page of a view."""

    start: dt.date | None = None
    end: dt.date | None = None
    statuses: tuple[str, ...] = ()
    source: str | None = None
    page: int = 1

    @classmethod
    def from_inputs(cls, start: object, end: object, statuses: object, source: object, page: object = 1) -> ViewFilters:
        """Filters from component values (dates as ISO strings, statuses as a list), ignoring what is invalid."""
        chosen = statuses if isinstance(statuses, (list, tuple)) else ([statuses] if statuses else [])
        picked = tuple(s for s in RUN_STATUSES if s in chosen)
        number = _first(page)
        return cls(_date(start), _date(end), picked, _first(source)[:100] or None,
                   max(1, int(number)) if number.isdigit() else 1)

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> ViewFilters:
        """Filters from query-string parameters: start, end (YYYY-MM-DD), status (comma-separated), source, page."""
        statuses = [s for s in _first(params.get("status")).split(",") if s]
        return cls.from_inputs(_first(params.get("start")), _first(params.get("end")), statuses,
                               params.get("source"), params.get("page"))

    @classmethod
    def from_search(cls, search: str | None) -> ViewFilters:
        """Filters from a URL's query string ('?status=failed&page=2')."""
        return cls.from_params(parse_qs((search or "").lstrip("?")))

    def search(self) -> str:
        """The query string that stands for these filters ('' when none is set)."""
        params = {"start": self.start and self.start.isoformat(), "end": self.end and self.end.isoformat(),
                  "status": ",".join(self.statuses), "source": self.source,
                  "page": str(self.page) if self.page > 1 else None}
        query = urlencode({k: v for k, v in params.items() if v}, safe=",")
        return f"?{query}" if query else ""

    def same_filters(self, other: ViewFilters) -> bool:
        """Whether two views select the same runs (whatever page they show)."""
        return replace(self, page=1) == replace(other, page=1)

    def run_filter(self, tz: dt.tzinfo) -> RunFilter:
        """The store filter: the local days from start through end as UTC bounds."""
        return RunFilter(
            since=local_day_start(self.start, tz) if self.start else None,
            until=local_day_start(self.end + _ONE_DAY, tz) if self.end else None,
            statuses=self.statuses, source=self.source,
        )
