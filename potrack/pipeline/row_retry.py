"""A row_retry run: rejected rows re-validated and taken through xref, diff, batches and custom columns with
the current configuration, against the stored lines of their keys only (a row retry never removes a line).

Only rows of the source's latest completed snapshot are written: a row rejected by an older run is
superseded (a later snapshot already said what that line is), so it is resolved without writing it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.config import SourceConfig
from potrack.pipeline.diff import SnapshotDiff
from potrack.pipeline.rejection_spool import RejectionSpool
from potrack.pipeline.stream import UNREADABLE, SnapshotRead, key_text, validator_for
from potrack.pipeline.validate import Key
from potrack.pipeline.xref import XrefResolver
from potrack.sources import Snapshot, Source
from potrack.store import lines as store_lines
from potrack.store.failed_rows import FailedRowItem
from potrack.store.models import PoLine, Run
from potrack.store.runs import COMPLETED_SNAPSHOT


class RetriedRows(Source):
    """The raw data of failed rows as a snapshot; the xref is the real source's, as configured now."""

    def __init__(self, cfg: SourceConfig, rows: list[FailedRowItem], real: Source) -> None:
        super().__init__(cfg)
        self.columns: list[str] = list(dict.fromkeys(k for r in rows for k in r.raw))
        self.values = [[r.raw.get(c) for c in self.columns] for r in rows]
        self.real = real

    @contextlib.contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        yield Snapshot(self.columns, iter([self.values]), len(self.values))

    def read_xref(self) -> dict[str, str]:
        return self.real.read_xref()


@dataclass(frozen=True)
class RowOutcomes:
    """Which selected rows now pass, which fail again (with their new error) and which were superseded."""

    passed: list[int]
    failing: dict[int, str]
    superseded: list[int]


def latest_snapshot_run(conn: sa.Connection, source: str) -> int | None:
    """The id of the source's latest completed run that read a whole snapshot (not a row retry)."""
    return conn.execute(sa.select(sa.func.max(Run.id)).where(Run.source == source, COMPLETED_SNAPSHOT)).scalar()


def split_superseded(rows: list[FailedRowItem], latest: int | None) -> tuple[list[FailedRowItem], list[int]]:
    """(rows to retry, ids of rows a later completed snapshot superseded)."""
    current = [r for r in rows if latest is None or r.run_id >= latest]
    return current, [r.id for r in rows if latest is not None and r.run_id < latest]


NOT_RETRIED = " — not retried: the source could not read this row; correct the file, and its next run reads it again"


def split_unreadable(rows: list[FailedRowItem]) -> tuple[list[FailedRowItem], dict[int, str]]:
    """(rows to re-validate, failed row id → its error for rows the source could not read).

    Such a row's record is not the row (undecodable bytes shown as escapes, surplus cells): writing it would store
    what the ERP never sent. It fails again until the source is corrected and read by its next run.
    """
    unreadable = {r.id: r.error.removesuffix(NOT_RETRIED) + NOT_RETRIED for r in rows if r.stage == UNREADABLE}
    return [r for r in rows if r.stage != UNREADABLE], unreadable


def stored_digests(conn: sa.Connection, source: str, keys: set[Key]) -> tuple[dict[Key, int], bool]:
    """(key → digest of those keys' active stored lines, whether any of them is stored inactive)."""
    digests: dict[Key, int] = {}
    inactive = False
    pos = sorted({po for po, _ in keys})
    for start in range(0, len(pos), store_lines.CHUNK):
        rows = conn.execute(
            sa.select(PoLine.po_number, PoLine.line_number, PoLine.digest, PoLine.active).where(
                PoLine.source == source, PoLine.po_number.in_(pos[start : start + store_lines.CHUNK])
            )
        )
        for po, line, digest, active in rows:
            if (po, line) in keys:
                if active:
                    digests[(po, line)] = digest
                else:
                    inactive = True
    return digests, inactive


def row_keys(source: RetriedRows, cfg: SourceConfig) -> list[Key | None]:
    """Each retried row's key as the validator reads it (None when unreadable)."""
    validator, _notes = validator_for(source.columns, cfg)
    return [validator.key_of(v) for v in source.values]


def nothing_read() -> SnapshotRead:
    """The read of a row retry whose every row was superseded: no rows, nothing to write."""
    return SnapshotRead(0, SnapshotDiff(previous={}, baseline=False), RejectionSpool(), XrefResolver({}), 0, ())


def outcomes(rows: list[FailedRowItem], keys: list[Key | None], read: SnapshotRead) -> dict[int, str]:
    """failed row id → its new error, for every retried row that failed again (the rest passed)."""
    errors_by_key: dict[str | None, list[str]] = {}
    for rejection in read.rejections:
        errors_by_key.setdefault(rejection.row_key, []).append(rejection.error)
    failing: dict[int, str] = {}
    unkeyed = iter(errors_by_key.get(None, []))
    for row, key in zip(rows, keys, strict=True):
        if key is None:  # rejections without a key come in row order
            failing[row.id] = next(unkeyed, "the row has no readable key")
        elif key_text(key) in errors_by_key:
            failing[row.id] = errors_by_key[key_text(key)][-1]
    return failing
