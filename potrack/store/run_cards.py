"""What the Ingestion Monitor's run cards and a run's page read besides the run itself: each listed run's one-line
facts (the file it reads when it is an upload's, why a partial run rejected rows, a row retry's outcome, whether a
retry of it succeeded, its unresolved rows) and an opened card's first rows (capped, with their totals)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.store.changes import Change, ChangeCounts, run_change_counts, run_change_events, run_change_list
from potrack.store.failed_rows import RejectionSummary, rejection_summaries, unresolved_counts
from potrack.store.models import Run, Upload
from potrack.store.retries import RowRetryOutcome, row_retry_outcomes, successful_retries
from potrack.store.run_history import RunDetail, RunRow, run_detail
from potrack.store.run_status import FINISHED, RETRYABLE


@dataclass(frozen=True)
class UploadedFile:
    """The uploaded file a run reads: its upload, name, who uploaded it and its data rows."""

    upload_id: int
    file_name: str
    uploaded_by: str
    rows_total: int


@dataclass(frozen=True)
class CardFacts:
    """What a run card says about a run without being opened."""

    rejections: RejectionSummary | None = None
    retry_outcome: RowRetryOutcome | None = None  # a finished row retry's
    retried_ok: int | None = None  # the retry of this run that succeeded
    unresolved: int = 0  # its rejected rows not resolved yet
    upload: UploadedFile | None = None  # the file it reads (an upload run, or a retry of one)


def uploaded_files(conn: sa.Connection, run_ids: Sequence[int]) -> dict[int, UploadedFile]:
    """The uploaded file each of these runs reads (runs of a source's own path are left out), in one query."""
    if not run_ids:
        return {}
    rows = conn.execute(
        sa.select(Run.id, Upload.id, Upload.file_name, Upload.uploaded_by, Upload.rows_total)
        .join(Upload, Upload.id == Run.upload_id)
        .where(Run.id.in_(run_ids))
    ).all()
    return {run_id: UploadedFile(upload_id, name, by, rows) for run_id, upload_id, name, by, rows in rows}


def card_facts(conn: sa.Connection, runs: Sequence[RunRow]) -> dict[int, CardFacts]:
    """The facts of every listed run that has some (a few grouped queries for the whole page)."""
    rejecting = [r.id for r in runs if r.errors and r.status in FINISHED]
    summaries = rejection_summaries(conn, rejecting)
    unresolved = unresolved_counts(conn, rejecting)
    outcomes = row_retry_outcomes(conn, [r.id for r in runs if r.trigger == "row_retry" and r.status in FINISHED])
    retried = successful_retries(conn, [r.id for r in runs if r.status in RETRYABLE])
    files = uploaded_files(conn, [r.id for r in runs])
    facts = {}
    for run in runs:
        found = CardFacts(
            summaries.get(run.id),
            outcomes.get(run.id),
            retried.get(run.id),
            unresolved.get(run.id, 0),
            files.get(run.id),
        )
        if found != CardFacts():
            facts[run.id] = found
    return facts


@dataclass(frozen=True)
class CardDetail:
    """An opened run: its detail (rejected rows and unmapped codes capped), the first rows of its change list and
    its counts, and its facts."""

    detail: RunDetail
    changes: list[Change]
    counts: ChangeCounts
    facts: CardFacts
    limit: int  # the rows shown of each list


def card_detail(conn: sa.Connection, run_id: int, rows: int, with_new_lines: bool = False) -> CardDetail | None:
    """A run opened: its first `rows` rejected rows and change events (then new lines when asked for: a run's page
    lists them, a card sums them up), or None without the run."""
    detail = run_detail(conn, run_id, rows)
    if detail is None:
        return None
    counts = run_change_counts(conn, run_id)
    changes = (
        run_change_list(conn, run_id, counts, 1, rows) if with_new_lines else run_change_events(conn, run_id, rows)
    )
    return CardDetail(detail, changes, counts, card_facts(conn, [detail.run]).get(run_id, CardFacts()), rows)


def change_list_page(conn: sa.Connection, run_id: int, page: int, per_page: int) -> list[Change]:
    """One page of a run's change list as its page shows it: change events first, then new lines."""
    return run_change_list(conn, run_id, run_change_counts(conn, run_id), page, per_page)
