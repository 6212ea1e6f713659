"""Uploads in the store: recording one with its run, finding an identical earlier one, and listing them with the
state of their newest run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.store.models import Run, Upload

# An identical upload is refused while an earlier one is applied, or being applied: one that failed may be sent again.
APPLIED = ("success", "partial")
UNDER_WAY = ("queued", "running")


@dataclass(frozen=True)
class Earlier:
    """An earlier upload of the same file: its id and name, and the run that applied it (or is applying it)."""

    upload_id: int
    file_name: str
    run_id: int
    status: str
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class UploadRow:
    """An upload with the state of its newest run (the upload run, or the newest retry of it)."""

    upload_id: int
    source: str
    file_name: str
    size_bytes: int
    sha256: str
    rows_total: int
    uploaded_by: str
    uploaded_at: dt.datetime
    run_id: int | None
    status: str | None
    stage: str | None
    rows_done: int
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class UploadPage:
    """A page of uploads, newest first, whether more follow, and how many are queued or running."""

    uploads: list[UploadRow]
    more: bool
    active: int


def identical(conn: sa.Connection, source: str, sha256: str) -> Earlier | None:
    """The earlier upload of this source with this SHA-256 that was applied (or is being applied), if any."""
    row = conn.execute(
        sa.select(Upload.id, Upload.file_name, Run.id.label("run_id"), Run.status, Run.finished_at)
        .join(Run, Run.upload_id == Upload.id)
        .where(Upload.source == source, Upload.sha256 == sha256, Run.status.in_(APPLIED + UNDER_WAY))
        .order_by(Run.status.in_(APPLIED).desc(), Run.id)
        .limit(1)
    ).first()
    return None if row is None else Earlier(row.id, row.file_name, row.run_id, row.status, row.finished_at)


def record(
    conn: sa.Connection,
    *,
    source: str,
    file_name: str,
    size_bytes: int,
    sha256: str,
    rows_total: int,
    uploaded_by: str,
    uploaded_at: dt.datetime,
) -> int:
    """Insert an upload; its id."""
    return int(
        conn.execute(
            sa.insert(Upload)
            .values(
                source=source,
                file_name=file_name,
                size_bytes=size_bytes,
                sha256=sha256,
                rows_total=rows_total,
                uploaded_by=uploaded_by,
                uploaded_at=uploaded_at,
            )
            .returning(Upload.id)
        ).scalar_one()
    )


def attach(conn: sa.Connection, run_id: int, upload_id: int) -> None:
    """Make a queued run read an upload."""
    conn.execute(sa.update(Run).where(Run.id == run_id).values(upload_id=upload_id))


def upload_of_run(conn: sa.Connection, run_id: int) -> tuple[int, str, str, int] | None:
    """The upload a run reads, as (upload id, source, file name, rows total); None for a run of the source's path."""
    row = conn.execute(
        sa.select(Upload.id, Upload.source, Upload.file_name, Upload.rows_total)
        .join(Run, Run.upload_id == Upload.id)
        .where(Run.id == run_id)
    ).first()
    return None if row is None else (row.id, row.source, row.file_name, row.rows_total)


def _newest_runs() -> sa.Subquery:
    return (
        sa.select(Run.upload_id, sa.func.max(Run.id).label("run_id"))
        .where(Run.upload_id.is_not(None))
        .group_by(Run.upload_id)
        .subquery("newest")
    )


def list_uploads(
    conn: sa.Connection, limit: int, before: tuple[dt.datetime, int] | None = None, source: str | None = None
) -> UploadPage:
    """Uploads newest first, `limit` of them after the keyset `before` (uploaded_at, id), with their newest run."""
    newest = _newest_runs()
    query = (
        sa.select(
            Upload.id.label("upload_id"),
            Upload.source,
            Upload.file_name,
            Upload.size_bytes,
            Upload.sha256,
            Upload.rows_total,
            Upload.uploaded_by,
            Upload.uploaded_at,
            Run.id.label("run_id"),
            Run.status,
            Run.stage,
            Run.rows_done,
            Run.started_at,
            Run.finished_at,
        )
        .outerjoin(newest, newest.c.upload_id == Upload.id)
        .outerjoin(Run, Run.id == newest.c.run_id)
        .order_by(Upload.uploaded_at.desc(), Upload.id.desc())
        .limit(limit + 1)
    )
    if source is not None:
        query = query.where(Upload.source == source)
    if before is not None:
        at, upload_id = before
        query = query.where(sa.or_(Upload.uploaded_at < at, sa.and_(Upload.uploaded_at == at, Upload.id < upload_id)))
    rows = conn.execute(query).all()
    uploads = [UploadRow(**{**r._asdict(), "rows_done": r.rows_done or 0}) for r in rows[:limit]]
    active_query = (
        sa.select(sa.func.count())
        .select_from(newest)
        .join(Run, Run.id == newest.c.run_id)
        .where(Run.status.in_(UNDER_WAY))
    )
    return UploadPage(uploads, len(rows) > limit, int(conn.execute(active_query).scalar_one()))
