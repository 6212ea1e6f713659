"""The change explorer's reads: change events across runs with their line's supplier, item, part, buyer and plant,
filtered and paged in SQL; the filtered set's summary, its changes per night by field and its suppliers by
promised-date slips, aggregated in SQL; and the filtered set as a stream, for export.

Supplier, item, part, buyer, plant and open quantity are the line's current values (po_lines). A slip is a change
of promised_date to a later date; its days are computed in SQL (one branch per dialect) so the list can be
filtered on them. A price change's value impact is Δunit_price × the line's open quantity now (what is still to
be received, 0 for a line no longer active), in the line's own currency.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.store.lines import open_quantity
from potrack.store.models import ChangeEvent, PoLine, Run
from potrack.store.paging import Paged, clamp_page

DATE_FIELDS = ("order_date", "promised_date", "need_by_date")
NUMBER_FIELDS = ("quantity_ordered", "quantity_received", "unit_price")
SLIP_FIELD = "promised_date"
PRICE_FIELD = "unit_price"
TOP_SUPPLIERS = 10
EXPORT_BATCH = 2000

E, L, R = ChangeEvent, PoLine, Run


@dataclass(frozen=True)
class ChangeFilter:
    """Which change events to show: run time [since, until), source, the line's supplier, buyer and plant, fields,
    kinds (new, changed, removed), and promised dates that slipped by more than some days."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    source: str | None = None
    supplier: str | None = None
    buyer: str | None = None
    plant: str | None = None
    fields: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    slipped_over: int | None = None

    def where(self, slip: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
        """The filter as SQL conditions on change events joined to their run and line."""
        conditions: list[sa.ColumnElement[bool]] = []
        if self.since is not None:
            conditions.append(R.queued_at >= self.since)
        if self.until is not None:
            conditions.append(R.queued_at < self.until)
        for column, value in (
            (E.source, self.source),
            (L.supplier_code, self.supplier),
            (L.buyer, self.buyer),
            (L.plant, self.plant),
        ):
            if value is not None:
                conditions.append(column == value)
        if self.fields:
            conditions.append(E.field.in_(self.fields))
        if self.kinds:
            conditions.append(E.kind.in_(self.kinds))
        if self.slipped_over is not None:
            conditions.append(slip > self.slipped_over)
        return conditions


@dataclass(frozen=True)
class ChangeRow:
    """One change event with its run's time and its line's current supplier, item, part, buyer, plant and open
    quantity; `days`, `delta` and `percent` say how much a date or a number moved."""

    id: int
    run_id: int
    run_at: dt.datetime
    source: str
    po_number: str
    line_number: int
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    supplier_code: str | None
    item_code: str | None
    internal_part_id: str | None
    buyer: str | None
    plant: str | None
    open_quantity: float

    @property
    def days(self) -> int | None:
        """For a date field: new - old in days (positive: later, a slip), else None."""
        if self.field not in DATE_FIELDS or not self.old_value or not self.new_value:
            return None
        return (dt.date.fromisoformat(self.new_value) - dt.date.fromisoformat(self.old_value)).days

    @property
    def delta(self) -> float | None:
        """For a number field: new - old, else None."""
        if self.field not in NUMBER_FIELDS or self.old_value is None or self.new_value is None:
            return None
        return float(self.new_value) - float(self.old_value)

    @property
    def percent(self) -> float | None:
        """For a number field: the change in percent of the old value (None when that is 0)."""
        delta = self.delta
        if delta is None or not float(self.old_value or 0):
            return None
        return delta / float(self.old_value or 1) * 100

    @property
    def value_impact(self) -> float | None:
        """For a price change: Δprice × the open quantity now."""
        return self.delta * self.open_quantity if self.field == PRICE_FIELD and self.delta is not None else None


@dataclass(frozen=True)
class ChangeList(Paged):
    """A page of change events, newest first, and how many match in all."""

    rows: list[ChangeRow]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class ChangeSummary:
    """The filtered set in figures: events, distinct lines, promised-date slips (count, median days), price
    changes (count, total value impact), removals and cancellations (status changed to cancel…)."""

    events: int
    lines_changed: int
    slips: int
    median_slip_days: float | None
    price_changes: int
    value_impact: float
    removals: int
    cancellations: int


@dataclass(frozen=True)
class NightCount:
    """How many changes of one field (or new / removed lines) the runs of one local day made."""

    day: dt.date
    what: str
    changes: int


@dataclass(frozen=True)
class SupplierSlips:
    """A supplier's promised-date slips in the filtered set: how many, and their days in all."""

    supplier_code: str
    slips: int
    days: int


def days_between(
    old: sa.SQLColumnExpression[Any], new: sa.SQLColumnExpression[Any], dialect: str
) -> sa.ColumnElement[Any]:
    """new - old in whole days, for two ISO date texts, in the store's SQL dialect."""
    if dialect == "sqlite":
        return sa.cast(sa.func.julianday(new) - sa.func.julianday(old), sa.Integer)
    if dialect == "postgresql":
        return sa.cast(sa.cast(new, sa.Date) - sa.cast(old, sa.Date), sa.Integer)
    if dialect == "mssql":
        return sa.func.datediff(sa.text("day"), sa.cast(old, sa.Date), sa.cast(new, sa.Date))
    raise ValueError(f"date differences: the {dialect} store is not supported (SQLite, PostgreSQL, SQL Server are)")


def _changed(field: str) -> sa.ColumnElement[bool]:
    return sa.and_(E.field == field, E.kind == "changed", E.old_value.is_not(None), E.new_value.is_not(None))


def slip_days(dialect: str) -> sa.ColumnElement[Any]:
    """Days a promised date moved (NULL for any other event); CASE guards the casts of other fields' values."""
    return sa.case((_changed(SLIP_FIELD), days_between(E.old_value, E.new_value, dialect)))


def value_impact() -> sa.ColumnElement[Any]:
    """Δprice × open quantity for a price change (NULL for any other event)."""
    delta = sa.cast(E.new_value, sa.Float) - sa.cast(E.old_value, sa.Float)
    return sa.case((_changed(PRICE_FIELD), delta * open_quantity()))


RUN_JOIN = R.id == E.run_id
LINE_JOIN = sa.and_(L.source == E.source, L.po_number == E.po_number, L.line_number == E.line_number)
JOINED = E.__table__.join(R, RUN_JOIN).join(L, LINE_JOIN)
ROW_COLUMNS: tuple[sa.SQLColumnExpression[Any], ...] = (
    E.id,
    E.run_id,
    R.queued_at,
    E.source,
    E.po_number,
    E.line_number,
    E.kind,
    E.field,
    E.old_value,
    E.new_value,
    L.supplier_code,
    L.item_code,
    L.internal_part_id,
    L.buyer,
    L.plant,
)


def _events(flt: ChangeFilter, lines: bool = False) -> sa.FromClause:
    """change_events, joined to runs and to po_lines only when the filter (or `lines`) needs them: a million
    events aggregate several times faster without a look-up per event."""
    source: sa.FromClause = E.__table__
    if flt.since is not None or flt.until is not None:
        source = source.join(R, RUN_JOIN)
    if lines or flt.supplier is not None or flt.buyer is not None or flt.plant is not None:
        source = source.join(L, LINE_JOIN)
    return source


def _rows_select(flt: ChangeFilter, dialect: str) -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(*ROW_COLUMNS, open_quantity())
        .select_from(JOINED)
        .where(*flt.where(slip_days(dialect)))
        .order_by(E.id.desc())
    )


def count_changes(conn: sa.Connection, flt: ChangeFilter) -> int:
    """How many change events match."""
    where = flt.where(slip_days(conn.dialect.name))
    return conn.execute(sa.select(sa.func.count()).select_from(_events(flt)).where(*where)).scalar_one()


def list_changes(conn: sa.Connection, flt: ChangeFilter, page: int = 1, per_page: int = 50) -> ChangeList:
    """A page of the matching change events, newest first (LIMIT/OFFSET in SQL over the events alone, then their
    runs and lines for that page)."""
    total = count_changes(conn, flt)
    page = clamp_page(page, total, per_page)
    where = flt.where(slip_days(conn.dialect.name))
    ids = (
        sa.select(E.id)
        .select_from(_events(flt))
        .where(*where)
        .order_by(E.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).scalar_subquery()
    rows: Sequence[sa.Row[*tuple[Any, ...]]] = conn.execute(
        sa.select(*ROW_COLUMNS, open_quantity()).select_from(JOINED).where(E.id.in_(ids)).order_by(E.id.desc())
    ).all()
    return ChangeList([ChangeRow(*row) for row in rows], total, page, per_page)


def iter_changes(conn: sa.Connection, flt: ChangeFilter) -> Iterator[ChangeRow]:
    """Every matching change event, newest first, fetched a batch at a time (a server-side cursor where the
    driver has one): memory stays flat however many match."""
    result = conn.execution_options(yield_per=EXPORT_BATCH).execute(_rows_select(flt, conn.dialect.name))
    for row in result:
        yield ChangeRow(*row)


def summarize_changes(conn: sa.Connection, flt: ChangeFilter) -> ChangeSummary:
    """The summary tiles of the filtered set, each aggregated in SQL (the lines only for the price changes)."""
    dialect = conn.dialect.name
    slip = slip_days(dialect)
    where = flt.where(slip)

    def count_of(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    cancelled = sa.and_(E.field == "status", E.kind == "changed", sa.func.lower(E.new_value).like("cancel%"))
    events, slips, removals, cancellations = conn.execute(
        sa.select(sa.func.count(), count_of(slip > 0), count_of(E.kind == "removed"), count_of(cancelled))
        .select_from(_events(flt))
        .where(*where)
    ).one()
    prices, impact = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(value_impact()), 0.0))
        .select_from(_events(flt, lines=True))
        .where(*where, _changed(PRICE_FIELD))
    ).one()
    keys = sa.select(E.source, E.po_number, E.line_number).select_from(_events(flt)).where(*where).distinct().subquery()
    lines = conn.execute(sa.select(sa.func.count()).select_from(keys)).scalar_one()
    return ChangeSummary(
        events,
        lines,
        slips,
        _median_slip(conn, flt, slip, where, slips),
        prices,
        float(impact),
        removals,
        cancellations,
    )


def _median_slip(
    conn: sa.Connection, flt: ChangeFilter, slip: sa.ColumnElement[Any], where: list[sa.ColumnElement[bool]], slips: int
) -> float | None:
    """The median of the slips' days: the middle one or two in order (portable: no percentile function)."""
    if not slips:
        return None
    middle = (
        conn.execute(
            sa.select(slip)
            .select_from(_events(flt))
            .where(*where, slip > 0)
            .order_by(slip, E.id)
            .limit(2 - slips % 2)
            .offset((slips - 1) // 2)
        )
        .scalars()
        .all()
    )
    return float(statistics.fmean(middle))


def changes_per_night(conn: sa.Connection, flt: ChangeFilter, tz: dt.tzinfo) -> list[NightCount]:
    """The matching changes counted per local day of their run and per field (new / removed lines apart):
    counted per run in SQL, then the runs' days added up."""
    what = sa.case((E.kind == "changed", E.field), else_=E.kind)
    per_run = conn.execute(
        sa.select(E.run_id, what, sa.func.count())
        .select_from(_events(flt))
        .where(*flt.where(slip_days(conn.dialect.name)))
        .group_by(E.run_id, what)
    ).all()
    if not per_run:
        return []
    times = dict(conn.execute(sa.select(R.id, R.queued_at).where(R.id.in_({run for run, _, _ in per_run}))).all())
    counted: dict[tuple[dt.date, str], int] = {}
    for run_id, field, n in per_run:
        key = (times[run_id].astimezone(tz).date(), str(field))
        counted[key] = counted.get(key, 0) + n
    return [NightCount(day, field, n) for (day, field), n in sorted(counted.items())]


def suppliers_by_slips(conn: sa.Connection, flt: ChangeFilter, limit: int = TOP_SUPPLIERS) -> list[SupplierSlips]:
    """The suppliers with the most promised-date slips in the filtered set, most first."""
    slip = slip_days(conn.dialect.name)
    count = sa.func.count()
    rows = conn.execute(
        sa.select(L.supplier_code, count, sa.func.sum(slip))
        .select_from(_events(flt, lines=True))
        .where(*flt.where(slip), slip > 0)
        .group_by(L.supplier_code)
        .order_by(count.desc(), L.supplier_code)
        .limit(limit)
    ).all()
    return [SupplierSlips(supplier, n, int(days)) for supplier, n, days in rows]


@dataclass(frozen=True)
class FilterChoices:
    """The values the explorer's supplier, buyer and plant filters offer: those of the stored lines."""

    suppliers: list[str]
    buyers: list[str]
    plants: list[str]


_choices: dict[tuple[str, int | None], FilterChoices] = {}


def filter_choices(conn: sa.Connection) -> FilterChoices:
    """Every distinct supplier, buyer and plant of the stored lines, sorted.

    Three DISTINCTs over a million lines take most of a second, and only a run changes the lines: the answer is
    kept until the store's latest finished run is another one (so every app instance agrees).
    """
    latest = conn.execute(sa.select(sa.func.max(R.id)).where(R.finished_at.is_not(None))).scalar()
    key = (conn.engine.url.render_as_string(hide_password=True), latest)
    found = _choices.get(key)
    if found is None:

        def distinct(column: sa.SQLColumnExpression[Any]) -> list[str]:
            return list(
                conn.execute(sa.select(column).where(column.is_not(None)).distinct().order_by(column)).scalars()
            )

        found = FilterChoices(distinct(L.supplier_code), distinct(L.buyer), distinct(L.plant))
        _choices.clear()  # one store per process: only the newest answer is worth keeping
        _choices[key] = found
    return found


# A run's own change events, in the order it wrote them (the run card, the run page, the API's run changes).


@dataclass(frozen=True)
class Change:
    """One change event: a new line, a field's old → new value, or a removal."""

    po_number: str
    line_number: int
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None


def _run_changes(run_id: int) -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(
            ChangeEvent.po_number,
            ChangeEvent.line_number,
            ChangeEvent.kind,
            ChangeEvent.field,
            ChangeEvent.old_value,
            ChangeEvent.new_value,
        )
        .where(ChangeEvent.run_id == run_id)
        .order_by(ChangeEvent.id)
    )


def run_change_page(conn: sa.Connection, run_id: int, page: int = 1, per_page: int = 200) -> list[Change]:
    """One page of a run's change events, in the order they were written."""
    rows = conn.execute(_run_changes(run_id).limit(per_page).offset((max(1, page) - 1) * per_page)).all()
    return [Change(*r) for r in rows]


def iter_run_changes(conn: sa.Connection, run_id: int) -> Iterator[Change]:
    """All of a run's change events, streamed."""
    for row in conn.execution_options(yield_per=5000).execute(_run_changes(run_id)):
        yield Change(*row)


def count_run_changes(conn: sa.Connection, run_id: int) -> int:
    """How many change events a run wrote."""
    return conn.execute(
        sa.select(sa.func.count()).select_from(ChangeEvent).where(ChangeEvent.run_id == run_id)
    ).scalar_one()


NEW = "new"


@dataclass(frozen=True)
class ChangeCounts:
    """A run's change list in the dashboard's words: its change events (field changes and removals, the run's
    change_events metric) and its new lines (lines_new)."""

    events: int
    new_lines: int


def run_change_counts(conn: sa.Connection, run_id: int) -> ChangeCounts:
    """How many change events and new lines a run wrote (counted in SQL)."""
    kinds = dict(conn.execute(sa.select(E.kind, sa.func.count()).where(E.run_id == run_id).group_by(E.kind)).all())
    new_lines = kinds.pop(NEW, 0)
    return ChangeCounts(sum(kinds.values()), new_lines)


def _run_slice(conn: sa.Connection, run_id: int, new_lines: bool, offset: int, limit: int) -> list[Change]:
    kind = E.kind == NEW if new_lines else E.kind != NEW
    return [Change(*r) for r in conn.execute(_run_changes(run_id).where(kind).limit(limit).offset(offset)).all()]


def run_change_events(conn: sa.Connection, run_id: int, limit: int) -> list[Change]:
    """A run's first change events (field changes and removals, no new lines), in the order written."""
    return _run_slice(conn, run_id, False, 0, limit)


def run_change_list(conn: sa.Connection, run_id: int, counts: ChangeCounts, page: int, per_page: int) -> list[Change]:
    """One page of a run's change list as the dashboard shows it: what changed first (its change events in the
    order written), then its new lines (paged in SQL, each part on the run's index)."""
    start = (max(1, page) - 1) * per_page
    events = _run_slice(conn, run_id, False, start, per_page) if start < counts.events else []
    rest = per_page - len(events)
    if rest <= 0 or not counts.new_lines:
        return events
    return events + _run_slice(conn, run_id, True, max(0, start - counts.events), rest)
