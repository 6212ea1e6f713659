"""Rejected rows across runs: the filtered list the page and API show, and a row retry's outcome per row."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.rejection_words import DUPLICATE, MISSING
from potrack.store.models import FailedRow, RowRetryItem, Run
from potrack.store.paging import Paged, clamp_page


@dataclass(frozen=True)
class FailedRowFilter:
    """Which rejected rows to list: of a source, of a run, rejected in [since, until) (UTC), resolved or not, with
    a row key (PO/line)."""

    source: str | None = None
    run_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    resolved: bool | None = None
    row_key: str | None = None
    upload_id: int | None = None  # rejected by a run of this upload

    def where(self) -> list[sa.ColumnElement[bool]]:
        """The filter as SQL conditions on failed_rows joined with their runs."""
        conditions: list[sa.ColumnElement[bool]] = []
        if self.source:
            conditions.append(FailedRow.source == self.source)
        if self.run_id is not None:
            conditions.append(FailedRow.run_id == self.run_id)
        if self.since is not None:
            conditions.append(Run.queued_at >= self.since)
        if self.until is not None:
            conditions.append(Run.queued_at < self.until)
        if self.resolved is not None:
            conditions.append(FailedRow.resolved_at.is_not(None) if self.resolved else FailedRow.resolved_at.is_(None))
        if self.row_key is not None:
            conditions.append(FailedRow.row_key == self.row_key)
        if self.upload_id is not None:
            conditions.append(Run.upload_id == self.upload_id)
        return conditions


@dataclass(frozen=True)
class FailedRowItem:
    """One rejected row with its run, error, retries and resolution."""

    id: int
    run_id: int
    source: str
    stage: str
    row_key: str | None
    raw: dict[str, Any]
    error: str
    retry_count: int
    resolved_at: dt.datetime | None
    resolved_by_run_id: int | None
    resolution: str | None
    rejected_at: dt.datetime
    location: str | None  # where in the source: a CSV file's name and line


@dataclass(frozen=True)
class FailedRowPage(Paged):
    """One page of rejected rows and how many match in all."""

    rows: list[FailedRowItem]
    total: int
    page: int
    per_page: int


_COLUMNS = (
    FailedRow.id,
    FailedRow.run_id,
    FailedRow.source,
    FailedRow.stage,
    FailedRow.row_key,
    FailedRow.raw_data,
    FailedRow.error,
    FailedRow.retry_count,
    FailedRow.resolved_at,
    FailedRow.resolved_by_run_id,
    FailedRow.resolution,
    Run.queued_at,
    FailedRow.location,
)


def _item(row: sa.Row[*tuple[Any, ...]]) -> FailedRowItem:
    values = list(row)
    values[5] = json.loads(values[5])
    return FailedRowItem(*values)


def list_failed_rows(
    conn: sa.Connection, flt: FailedRowFilter, page: int = 1, per_page: int = 50, newest_first: bool = True
) -> FailedRowPage:
    """A page of the rejected rows matching a filter, sorted by the time their run was queued."""
    base = sa.select(*_COLUMNS).join(Run, Run.id == FailedRow.run_id).where(*flt.where())
    total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    page = clamp_page(page, total, per_page)
    order = (Run.queued_at.desc(), FailedRow.id.desc()) if newest_first else (Run.queued_at, FailedRow.id)
    rows = conn.execute(base.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return FailedRowPage([_item(r) for r in rows], total, page, per_page)


def get_failed_row(conn: sa.Connection, row_id: int) -> FailedRowItem | None:
    """One rejected row, or None."""
    row = conn.execute(sa.select(*_COLUMNS).join(Run, Run.id == FailedRow.run_id).where(FailedRow.id == row_id)).first()
    return None if row is None else _item(row)


def selected_rows(conn: sa.Connection, run_id: int) -> list[FailedRowItem]:
    """The unresolved failed rows a row_retry run was queued for, oldest first."""
    rows = conn.execute(
        sa.select(*_COLUMNS)
        .join(Run, Run.id == FailedRow.run_id)
        .join(RowRetryItem, RowRetryItem.failed_row_id == FailedRow.id)
        .where(RowRetryItem.run_id == run_id, FailedRow.resolved_at.is_(None))
        .order_by(FailedRow.id)
    ).all()
    return [_item(r) for r in rows]


def resolve(conn: sa.Connection, row_ids: list[int], run_id: int, resolution: str) -> None:
    """Mark rows resolved by a run, saying how."""
    if row_ids:
        conn.execute(
            sa.update(FailedRow)
            .where(FailedRow.id.in_(row_ids), FailedRow.resolved_at.is_(None))
            .values(resolved_at=utcnow(), resolved_by_run_id=run_id, resolution=resolution[:200])
        )


def retry_count(conn: sa.Connection, row_id: int) -> int:
    """How many times a failed row was retried so far."""
    return int(conn.execute(sa.select(FailedRow.retry_count).where(FailedRow.id == row_id)).scalar_one())


def count_retry(conn: sa.Connection, row_ids: list[int]) -> None:
    """Count one more retry of each of these rows (a row retry took them, whatever came of it)."""
    if row_ids:
        conn.execute(
            sa.update(FailedRow).where(FailedRow.id.in_(row_ids)).values(retry_count=FailedRow.retry_count + 1)
        )


def still_failing(conn: sa.Connection, errors: dict[int, str]) -> None:
    """Keep the new error of rows that failed again."""
    if errors:
        conn.execute(
            sa.update(FailedRow).where(FailedRow.id == sa.bindparam("row_id")).values(error=sa.bindparam("new_error")),
            [{"row_id": i, "new_error": e[:1000]} for i, e in errors.items()],
        )


SUMMARY_ROWS = 1000  # a card's one-line summary reads at most this many of a run's rejected rows
STAGE_REASONS = {"read": "unreadable"}  # a row the source could not read as a row (pipeline.stream.UNREADABLE)


@dataclass(frozen=True)
class RejectionSummary:
    """Why a run rejected rows, in one line: how many, and per reason ('bad quantity_ordered', 'missing
    supplier_code', or the stage for rows that never reached validation) how many rows; `read` of them were read."""

    rows: int
    read: int
    reasons: tuple[tuple[str, int], ...]

    def text(self) -> str:
        """'3 rows rejected: 2 bad quantity_ordered, 1 missing supplier_code' (a row with several problems counts
        under each)."""
        counted = ", ".join(f"{n:,} {reason}" for reason, n in self.reasons)
        noun = "row" if self.rows == 1 else "rows"
        tail = f" (in the first {self.read:,})" if self.read < self.rows else ""
        return f"{self.rows:,} {noun} rejected: {counted}{tail}"


def problem_reasons(stage: str, error: str) -> list[str]:
    """The reasons one rejected row gives: 'missing FIELD' or 'bad FIELD' per problem the validator named,
    'duplicate key', else its stage (e.g. 'unreadable')."""
    if stage != "validate":
        return [STAGE_REASONS.get(stage, stage)]
    if error.startswith(DUPLICATE):
        return ["duplicate key"]
    reasons = []
    for problem in error.split("; "):
        field, sep, _ = problem.partition(": ")
        if sep and field.isidentifier():
            reasons.append(f"missing {field}" if problem.endswith(MISSING) else f"bad {field}")
    return list(dict.fromkeys(reasons)) or [stage]


def rejection_summaries(conn: sa.Connection, run_ids: Sequence[int]) -> dict[int, RejectionSummary]:
    """Each of these runs' rejected rows summed up by reason (runs without rejected rows are left out)."""
    if not run_ids:
        return {}
    totals = dict(
        conn.execute(
            sa.select(FailedRow.run_id, sa.func.count())
            .where(FailedRow.run_id.in_(list(run_ids)))
            .group_by(FailedRow.run_id)
        ).all()
    )
    summaries = {}
    for run_id, total in totals.items():
        counts: Counter[str] = Counter()
        read = 0
        for stage, error in conn.execute(
            sa.select(FailedRow.stage, FailedRow.error)
            .where(FailedRow.run_id == run_id)
            .order_by(FailedRow.id)
            .limit(SUMMARY_ROWS)
        ):
            counts.update(problem_reasons(stage, error))
            read += 1
        summaries[run_id] = RejectionSummary(total, read, tuple(counts.most_common()))
    return summaries


def unresolved_counts(conn: sa.Connection, run_ids: Sequence[int]) -> dict[int, int]:
    """How many of each of these runs' rejected rows are not resolved yet (runs with none are left out)."""
    if not run_ids:
        return {}
    return dict(
        conn.execute(
            sa.select(FailedRow.run_id, sa.func.count())
            .where(FailedRow.run_id.in_(list(run_ids)), FailedRow.resolved_at.is_(None))
            .group_by(FailedRow.run_id)
        ).all()
    )
