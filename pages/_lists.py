"""Pieces of the paged list pages (monitor, failed rows, audit log): date range, pager, count line, JSON cell."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

import dash_bootstrap_components as dbc
from dash import dcc, html

from potrack import runtime
from potrack.clock import utcnow
from potrack.store.newest_run import newest_queued_at
from potrack.web.fragment import Markup, element, text
from potrack.web.picker_month import picker_month

PER_PAGE = 50


def date_range(component_id: str, start: dt.date | None, end: dt.date | None) -> dcc.DatePickerRange:
    """A clearable from–to picker of local calendar days that opens on the month of the end date, else of the
    newest run, else of today."""
    return dcc.DatePickerRange(
        id=component_id,
        # Dash sends a date as YYYY-MM-DD; its type hints name only str and datetime.
        start_date=start,  # type: ignore[arg-type]
        end_date=end,  # type: ignore[arg-type]
        initial_visible_month=picker_month(end, runtime.read(newest_queued_at), runtime.zone(), utcnow()),
        clearable=True,
        display_format="YYYY-MM-DD",
        start_date_placeholder_text="from",
        end_date_placeholder_text="to",
    )


def pager(component_id: str, page: int) -> dbc.Pagination:
    """The pages of a list (the callback that fills the list sets max_value)."""
    return dbc.Pagination(
        id=component_id,
        max_value=1,
        active_page=page,
        fully_expanded=False,
        first_last=True,
        previous_next=True,
        className="mt-2",
    )


def list_page(name: str, title: str, page: int, above: list[Any], below: tuple[Any, ...] = ()) -> html.Div:
    """A paged list page: its URL (`name`-url, written without reloading), title, what goes above the list
    (filters, buttons, toasts), the count line (`name`-count), the list (`name`-list) and its pager."""
    return html.Div(
        [
            dcc.Location(id=f"{name}-url", refresh=False),
            html.H2(title),
            *above,
            html.P(id=f"{name}-count", className="text-muted mb-2"),
            html.Div(id=f"{name}-list"),
            pager(f"{name}-pager", page),
            *below,
        ]
    )


class Paged(Protocol):
    """A page of a list as the store returns it (runs, failed rows, audit events)."""

    @property
    def total(self) -> int:
        """How many items match in all."""

    @property
    def page(self) -> int:
        """The page shown, from 1."""

    @property
    def pages(self) -> int:
        """How many pages the list fills."""


def count_line(listed: Paged, noun: str, order: str, empty: str) -> str:
    """'120 runs · newest first · page 1 of 3' ('1 run · …'), or `empty` when nothing matched; `noun` is plural."""
    if listed.total == 0:
        return empty
    counted = noun.removesuffix("s") if listed.total == 1 else noun
    return f"{listed.total:,} {counted} · {order} · page {listed.page:,} of {listed.pages:,}"


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def json_text(data: Any) -> html.Code:
    """Data as compact JSON in a code span."""
    return html.Code(_json(data), className="json")


def json_cell(data: Any) -> Markup:
    """json_text() as a cell of a pre-rendered table."""
    return Markup(element("code", text(_json(data)), "json"))
