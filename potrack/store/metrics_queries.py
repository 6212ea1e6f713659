"""Read queries behind GET /metrics: finished runs counted per source and status with their latest finish time,
run durations counted per histogram bucket (both aggregated in SQL), each source's latest runs and firing alerts.

Portable SQL only (SQLite, PostgreSQL, SQL Server): GROUP BY with COUNT, SUM and MAX, no dialect functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.store.alerts import AlertRow, firing
from potrack.store.models import Run
from potrack.store.queries import SNAPSHOT, SourceStatus, source_statuses
from potrack.store.run_status import FINISHED

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
