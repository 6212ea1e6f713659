"""The run history as the pages, the API and /metrics read it: runs listed, filtered and paged, a run with its
detail, each source's latest runs, trends by day, the API's keyset listing, and the /metrics aggregates. Each read
returns dataclasses; no SQL in callbacks.

The /metrics aggregates use portable SQL only (SQLite, PostgreSQL, SQL Server): GROUP BY with COUNT, SUM and MAX.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa

from potrack.store.alerts import AlertRow, firing
from potrack.store.changes import Change, count_run_changes, run_change_page
from potrack.store.local_days import as_date, local_day
from potrack.store.models import FailedRow, RetryAttempt, Run, UnmappedCode
from potrack.store.paging import Paged, clamp_page
from potrack.store.run_status import ACTIVE, COMPLETED, FINISHED
from potrack.store.runs import SNAPSHOT

# A run that read a whole snapshot and committed it (a row retry re-reads a few rows: not a snapshot).


@dataclass(frozen=True)
class RunRow:
    """One run as listed: identity, progress, metrics and failure reason."""

    id: int
    source: str
    trigger: str
    status: str
    baseline: bool
    retry_of: int | None
    requested_by: str | None
    queued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_s: float | None
    stage: str | None
    rows_done: int
    rows_total: int | None
    rows_total_estimated: bool
    lines_processed: int
    lines_new: int
    lines_changed: int
    lines_removed: int
    change_events: int
    batches_reconstructed: int
    xref_gaps: int
    errors: int
    retry_attempts: int
    error: str | None
    error_stage: str | None

    def percent(self) -> int | None:
        """rows_done of rows_total, 0-100 (at most 99 while the total is an estimate); None without a total."""
        if not self.rows_total:
            return None
        return min(99 if self.rows_total_estimated else 100, round(100 * self.rows_done / self.rows_total))

    def rows_read(self, of: str = " / ") -> str:
        """How far it read: '7,000 / 10,000 rows', with `of` ' of ': '7,000 of 10,000 rows'; '≈10,000' while the total
        is an estimate, '7,000 rows' while there is none."""
        if not self.rows_total:
            return f"{self.rows_done:,} rows"
        return f"{self.rows_done:,}{of}{'≈' if self.rows_total_estimated else ''}{self.rows_total:,} rows"


RUN_COLUMNS = [getattr(Run, f.name) for f in fields(RunRow)]


@dataclass(frozen=True)
class RunFilter:
    """Which runs to list: queued in [since, until) (UTC), with one of the statuses, of one source."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    statuses: tuple[str, ...] = ()
    source: str | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        """The filter as SQL conditions on runs."""
        conditions = []
        if self.since is not None:
            conditions.append(Run.queued_at >= self.since)
        if self.until is not None:
            conditions.append(Run.queued_at < self.until)
        if self.statuses:
            conditions.append(Run.status.in_(self.statuses))
        if self.source:
            conditions.append(Run.source == self.source)
        return conditions


@dataclass(frozen=True)
class RunPage(Paged):
    """One page of the run history and how many runs match in all."""

    runs: list[RunRow]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class SourceStatus:
    """A source's latest finished run, latest completed (success or partial) run and queued or running run."""

    source: str
    last: RunRow | None
    last_ok: RunRow | None
    active: RunRow | None


@dataclass(frozen=True)
class Attempt:
    """One failed extract attempt."""

    attempt: int
    error: str
    transient: bool
    wait_s: float | None
    at: dt.datetime


@dataclass(frozen=True)
class RejectedRow:
    """A rejected source row with where it failed and why (id: its failed_rows id, to retry it by)."""

    id: int
    stage: str
    row_key: str | None
    source: str
    raw: dict[str, Any]
    error: str
    location: str | None  # where in the source: a CSV file's name and line


@dataclass(frozen=True)
class RunDetail:
    """Everything shown when a run is expanded; changes and rejected rows are capped, with their totals."""

    run: RunRow
    check_problems: str | None
    notes: str | None  # what the run said once about its source (a column ignored, fields not provided)
    unmapped: list[tuple[str, int]]
    attempts: list[Attempt]
    rejected: list[RejectedRow]
    rejected_total: int
    changes: list[Change]
    changes_total: int
    retried_by: list[int]


@dataclass(frozen=True)
class RunPoint:
    """A completed run in the trends: its volumes, duration, whether it was a baseline, and the trailing 7-run
    average of lines processed."""

    id: int
    queued_at: dt.datetime
    status: str
    baseline: bool
    lines_processed: int
    lines_avg7: float
    lines_new: int
    change_events: int
    duration_s: float | None


@dataclass(frozen=True)
class RunSeries:
    """The newest completed runs of a filter, oldest first, and how many completed runs matched in all."""

    points: list[RunPoint]
    total: int


@dataclass(frozen=True)
class OutcomeCount:
    """How many runs queued on one local day ended with one status."""

    day: dt.date
    status: str
    runs: int


def _run(row: sa.Row[*tuple[Any, ...]] | None) -> RunRow | None:
    return None if row is None else RunRow(*row)


def list_runs(conn: sa.Connection, flt: RunFilter, page: int = 1, per_page: int = 50) -> RunPage:
    """A page of the runs matching a filter, newest first."""
    where = flt.where()
    total = conn.execute(sa.select(sa.func.count()).select_from(Run).where(*where)).scalar_one()
    page = clamp_page(page, total, per_page)
    rows = conn.execute(
        sa.select(*RUN_COLUMNS)
        .where(*where)
        .order_by(Run.queued_at.desc(), Run.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return RunPage([RunRow(*r) for r in rows], total, page, per_page)


def get_run(conn: sa.Connection, run_id: int) -> RunRow | None:
    """One run, or None."""
    return _run(conn.execute(sa.select(*RUN_COLUMNS).where(Run.id == run_id)).first())


def run_sources(conn: sa.Connection) -> list[str]:
    """The names of the sources that have runs."""
    return list(conn.execute(sa.select(Run.source).distinct().order_by(Run.source)).scalars())


# Sources per statement of `_latest_of_each`: SQLite refuses more than 500 terms in one compound SELECT and SQL
# Server more than 2,100 parameters (each term has the source and its statuses).
SOURCES_PER_STATEMENT = 100


def _latest_of_each(
    conn: sa.Connection, sources: Sequence[str], statuses: tuple[str, ...], snapshots_only: bool
) -> dict[str, RunRow]:
    """Each source's newest run with one of the statuses (sources without one are left out).

    One statement per 100 sources, a UNION ALL of one index seek per source (ix_runs_source_queued_status): the
    Overview and the health verdict ask for every source on every page, and a round trip per source and status
    was 150 statements at 50 sources. A window over the sources' runs would read their whole history instead."""
    found: dict[str, RunRow] = {}
    for start in range(0, len(sources), SOURCES_PER_STATEMENT):
        chunk = tuple(sources[start : start + SOURCES_PER_STATEMENT])
        for row in conn.execute(_latest_statement(chunk, statuses, snapshots_only)):
            run = RunRow(*row)
            found[run.source] = run
    return found


@functools.lru_cache(maxsize=64)
def _latest_statement(sources: tuple[str, ...], statuses: tuple[str, ...], snapshots_only: bool) -> sa.Executable:
    """_latest_of_each's statement for up to 100 sources, built once per set of sources: building 150 subqueries
    took SQLAlchemy 30 ms a page at 50 sources, and a statement is immutable, so one serves every request."""
    terms = []
    for source in sources:
        where = [Run.source == source, Run.status.in_(statuses)]
        if snapshots_only:
            where.append(SNAPSHOT)
        newest = sa.select(*RUN_COLUMNS).where(*where).order_by(Run.queued_at.desc(), Run.id.desc()).limit(1)
        terms.append(newest.subquery().select())
    return terms[0] if len(terms) == 1 else sa.union_all(*terms)


def source_statuses(conn: sa.Connection, sources: Iterable[str]) -> list[SourceStatus]:
    """Each source's latest finished, latest completed and active run.

    A row retry writes a few rows, not a snapshot: it neither ends a failure nor makes the data fresh,
    so the finished and completed runs are the latest that read a whole snapshot.
    """
    names = list(sources)
    finished = _latest_of_each(conn, names, FINISHED, True)
    completed = _latest_of_each(conn, names, COMPLETED, True)
    active = _latest_of_each(conn, names, ACTIVE, False)
    return [SourceStatus(s, finished.get(s), completed.get(s), active.get(s)) for s in names]


def run_detail(conn: sa.Connection, run_id: int, limit: int = 200) -> RunDetail | None:
    """A run with its unmapped codes, attempts, and the first `limit` rejected rows and change events."""
    run = get_run(conn, run_id)
    if run is None:
        return None
    unmapped = conn.execute(
        sa.select(UnmappedCode.item_code, UnmappedCode.line_count)
        .where(UnmappedCode.run_id == run_id)
        .order_by(UnmappedCode.line_count.desc(), UnmappedCode.item_code)
    ).all()
    attempts = conn.execute(
        sa.select(
            RetryAttempt.attempt, RetryAttempt.error, RetryAttempt.transient, RetryAttempt.wait_s, RetryAttempt.at
        )
        .where(RetryAttempt.run_id == run_id)
        .order_by(RetryAttempt.attempt)
    ).all()
    rejected = conn.execute(
        sa.select(
            FailedRow.id,
            FailedRow.stage,
            FailedRow.row_key,
            FailedRow.source,
            FailedRow.raw_data,
            FailedRow.error,
            FailedRow.location,
        )
        .where(FailedRow.run_id == run_id)
        .order_by(FailedRow.id)
        .limit(limit)
    ).all()
    check_problems, notes = conn.execute(sa.select(Run.check_problems, Run.notes).where(Run.id == run_id)).one()
    rejected_total = conn.execute(
        sa.select(sa.func.count()).select_from(FailedRow).where(FailedRow.run_id == run_id)
    ).scalar_one()
    return RunDetail(
        run=run,
        check_problems=check_problems,
        notes=notes,
        unmapped=[(code, count) for code, count in unmapped],
        attempts=[Attempt(*a) for a in attempts],
        rejected=[
            RejectedRow(i, stage, key, src, json.loads(raw), error, where)
            for i, stage, key, src, raw, error, where in rejected
        ],
        rejected_total=rejected_total,
        changes=run_change_page(conn, run_id, 1, limit),
        changes_total=count_run_changes(conn, run_id),
        retried_by=list(conn.execute(sa.select(Run.id).where(Run.retry_of == run_id).order_by(Run.id)).scalars()),
    )


def run_series(conn: sa.Connection, flt: RunFilter, limit: int = 1000) -> RunSeries:
    """The newest `limit` completed runs of a filter with the trailing 7-run average of lines processed (in SQL)."""
    where = [*RunFilter(flt.since, flt.until, COMPLETED, flt.source).where(), SNAPSHOT]
    total = conn.execute(sa.select(sa.func.count()).select_from(Run).where(*where)).scalar_one()
    newest = (
        sa.select(
            Run.id,
            Run.queued_at,
            Run.status,
            Run.baseline,
            Run.lines_processed,
            Run.lines_new,
            Run.change_events,
            Run.duration_s,
        )
        .where(*where)
        .order_by(Run.queued_at.desc(), Run.id.desc())
        .limit(limit + 6)
        .subquery()
    )
    avg7 = sa.func.avg(newest.c.lines_processed).over(order_by=(newest.c.queued_at, newest.c.id), rows=(-6, 0))
    rows = conn.execute(
        sa.select(
            newest.c.id,
            newest.c.queued_at,
            newest.c.status,
            newest.c.baseline,
            newest.c.lines_processed,
            avg7,
            newest.c.lines_new,
            newest.c.change_events,
            newest.c.duration_s,
        ).order_by(newest.c.queued_at, newest.c.id)
    ).all()
    points = [RunPoint(i, q, s, bool(b), lp, float(avg), ln, ce, d) for i, q, s, b, lp, avg, ln, ce, d in rows]
    return RunSeries(points[-limit:], total)


def outcomes_statement(where: list[sa.ColumnElement[bool]], day: sa.ColumnElement[Any]) -> sa.Select[*tuple[Any, ...]]:
    """Finished runs counted per local day (`day`, an expression of the run) and status."""
    # Grouped over a subquery: SQL Server takes each `?` as its own parameter, so the same expression in SELECT
    # and GROUP BY would not match.
    days = sa.select(day.label("day"), Run.status).where(*where).subquery()
    return (
        sa.select(days.c.day, days.c.status, sa.func.count()).group_by(days.c.day, days.c.status).order_by(days.c.day)
    )


def outcomes_by_day(conn: sa.Connection, flt: RunFilter, tz: dt.tzinfo) -> list[OutcomeCount]:
    """How many finished snapshot runs (row retries left out) of each status were queued on each day of a time
    zone (GROUP BY in SQL)."""
    where = [*RunFilter(flt.since, flt.until, flt.statuses or FINISHED, flt.source).where(), SNAPSHOT]
    first, last = conn.execute(sa.select(sa.func.min(Run.queued_at), sa.func.max(Run.queued_at)).where(*where)).one()
    if first is None:
        return []
    day = local_day(Run.queued_at, tz, first, last, conn.dialect.name)
    rows = conn.execute(outcomes_statement(where, day)).all()
    return [OutcomeCount(as_date(d), status, n) for d, status, n in rows]


def snapshot_runs(conn: sa.Connection, source: str, statuses: tuple[str, ...], limit: int) -> list[RunRow]:
    """A source's latest snapshot runs (row retries left out) in these statuses, newest first."""
    query = (
        sa.select(*RUN_COLUMNS)
        .where(Run.source == source, SNAPSHOT, Run.status.in_(statuses))
        .order_by(Run.queued_at.desc(), Run.id.desc())
        .limit(limit)
    )
    return [RunRow(*r) for r in conn.execute(query)]


def first_snapshot_at(conn: sa.Connection, source: str) -> dt.datetime | None:
    """When a source's first snapshot run was queued (None before its first)."""
    return conn.execute(sa.select(sa.func.min(Run.queued_at)).where(Run.source == source, SNAPSHOT)).scalar()


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
    total = count_run_changes(conn, run_id)
    page = clamp_page(page, total, per_page)
    return ChangePage(run_change_page(conn, run_id, page, per_page), total, page, per_page)


# Upper bounds in seconds of the duration histogram: a nightly run takes from seconds (a small incremental
# night) to an hour (a ten-million-line baseline).
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


@dataclass(frozen=True)
class StatusCount:
    """How many finished runs of a source ended with a status, and when the latest of them finished (None: none)."""

    source: str
    status: str
    runs: int
    last_finished_at: dt.datetime | None


@dataclass(frozen=True)
class DurationHistogram:
    """A source's finished runs that have a duration: how many took at most each of DURATION_BUCKETS, in all, and
    their total seconds."""

    source: str
    at_most: tuple[int, ...]
    count: int
    sum_s: float


@dataclass(frozen=True)
class StoreMetrics:
    """Everything GET /metrics reports about the configured sources, read on one connection."""

    counts: list[StatusCount]
    durations: list[DurationHistogram]
    latest: list[SourceStatus]
    firing: list[AlertRow]


def _finished_snapshots(sources: Sequence[str]) -> list[sa.ColumnElement[bool]]:
    """Finished runs of these sources that read a whole snapshot: a row retry writes a few rows, so it is left
    out, as source_statuses (the health verdict) and run_series (the trends) leave it out."""
    return [Run.source.in_(sources), Run.status.in_(FINISHED), SNAPSHOT]


def status_counts(conn: sa.Connection, sources: Sequence[str]) -> list[StatusCount]:
    """Finished runs per source and final status with the latest finish time, every pair listed (0 runs too)."""
    rows = conn.execute(
        sa.select(Run.source, Run.status, sa.func.count(), sa.func.max(Run.finished_at))
        .where(*_finished_snapshots(sources))
        .group_by(Run.source, Run.status)
    ).all()
    found = {(source, status): (runs, last) for source, status, runs, last in rows}
    return [
        StatusCount(source, status, *found.get((source, status), (0, None)))
        for source in sources
        for status in FINISHED
    ]


def duration_histograms(conn: sa.Connection, sources: Sequence[str]) -> list[DurationHistogram]:
    """Each source's finished runs counted per duration bucket in SQL (abandoned runs have no duration)."""
    # COUNT skips the NULL that a CASE without ELSE gives: it counts the runs at most `bound` seconds long.
    at_most = [sa.func.count(sa.case((Run.duration_s <= bound, Run.id))) for bound in DURATION_BUCKETS]
    rows = conn.execute(
        sa.select(Run.source, sa.func.count(), sa.func.sum(Run.duration_s), *at_most)
        .where(*_finished_snapshots(sources), Run.duration_s.is_not(None))
        .group_by(Run.source)
    ).all()
    found = {
        source: DurationHistogram(source, tuple(counts), count, float(total or 0.0))
        for source, count, total, *counts in rows
    }
    none = (0,) * len(DURATION_BUCKETS)
    return [found.get(source, DurationHistogram(source, none, 0, 0.0)) for source in sources]


def read_metrics(conn: sa.Connection, sources: Sequence[str]) -> StoreMetrics:
    """The run counts, durations, latest runs (as the health verdict reads them) and firing alerts of these sources."""
    return StoreMetrics(
        counts=status_counts(conn, sources),
        durations=duration_histograms(conn, sources),
        latest=source_statuses(conn, sources),
        firing=[alert for alert in firing(conn) if alert.source in sources],
    )
