"""Read queries of the JSON API: runs with every metric, listed by keyset (queue time, id) in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import sqlalchemy as sa

from potrack.store.models import Run
from potrack.store.paging import Paged, clamp_page
from potrack.store.queries import Change, RunDetail, RunFilter, RunRow, change_page, count_changes, run_detail


@dataclass(frozen=True)
class RunRecord(RunRow):
    """A run with every field the CLI's --json reports (RunRow plus custom_values and notes), and whether it was
    to accept removals beyond its source's limit."""

    custom_values: int
    notes: str | None
    accept_removals: bool


_COLUMNS = [getattr(Run, f.name) for f in fields(RunRecord)]


@dataclass(frozen=True)
class RunSlice:
    """Runs after a cursor, newest first; whether more follow, and how many match the filter in all."""

    runs: list[RunRecord]
    more: bool
    total: int


def runs_after(
    conn: sa.Connection, flt: RunFilter, limit: int, cursor: tuple[dt.datetime, int] | None = None
) -> RunSlice:
    """The `limit` newest runs of a filter that come after a (queued_at, id) cursor, newest first."""
    where = flt.where()
    total = conn.execute(sa.select(sa.func.count()).select_from(Run).where(*where)).scalar_one()
    if cursor is not None:
        at, run_id = cursor
        # (queued_at, id) < (at, run_id), spelled out: SQL Server has no row-value comparison.
        where.append(sa.or_(Run.queued_at < at, sa.and_(Run.queued_at == at, Run.id < run_id)))
    rows = conn.execute(
        sa.select(*_COLUMNS).where(*where).order_by(Run.queued_at.desc(), Run.id.desc()).limit(limit + 1)
    ).all()
    return RunSlice([RunRecord(*r) for r in rows[:limit]], len(rows) > limit, total)


def get_run_record(conn: sa.Connection, run_id: int) -> RunRecord | None:
    """One run with every metric, or None."""
    row = conn.execute(sa.select(*_COLUMNS).where(Run.id == run_id)).first()
    return None if row is None else RunRecord(*row)


def run_record_detail(conn: sa.Connection, run_id: int, limit: int) -> tuple[RunRecord, RunDetail] | None:
    """A run with every metric and its detail (changes and rejected rows capped at `limit`), or None."""
    record = get_run_record(conn, run_id)
    detail = run_detail(conn, run_id, limit=limit) if record is not None else None
    return None if record is None or detail is None else (record, detail)


def run_exists(conn: sa.Connection, run_id: int) -> bool:
    """Whether the store has this run."""
    return conn.execute(sa.select(Run.id).where(Run.id == run_id)).first() is not None


@dataclass(frozen=True)
class ChangePage(Paged):
    """One page of a run's change events and how many it wrote in all."""

    changes: list[Change]
    total: int
    page: int
    per_page: int


def run_changes(conn: sa.Connection, run_id: int, page: int, per_page: int) -> ChangePage | None:
    """A page of a run's changes in the order written (a page past the end is the last), or None without the run."""
    if not run_exists(conn, run_id):
        return None
    total = count_changes(conn, run_id)
    page = clamp_page(page, total, per_page)
    return ChangePage(change_page(conn, run_id, page, per_page), total, page, per_page)
