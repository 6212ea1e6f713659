"""Stages 1–4 in one streaming pass: each row is validated, mapped and diffed as it arrives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from potrack.config import SourceConfig
from potrack.pipeline.columns import resolve_columns
from potrack.pipeline.custom_columns import count_stored, count_values
from potrack.pipeline.diff import SnapshotDiff, compute_digest, digest_key
from potrack.pipeline.outcome import Rejection
from potrack.pipeline.progress import Progress
from potrack.pipeline.rejection_spool import RejectionSpool
from potrack.pipeline.validate import FIELDS, Key, RowError, RowValidator, raw_record
from potrack.pipeline.xref import XrefResolver
from potrack.rejection_words import DUPLICATE
from potrack.sources import Snapshot, Source


@dataclass
class SnapshotRead:
    """What one successful extract attempt gathered."""

    rows: int
    diff: SnapshotDiff
    rejections: RejectionSpool  # on disk, not in memory: a night may reject every row
    xref: XrefResolver
    custom_values: int
    custom_names: tuple[str, ...]
    # What the run says once about its columns and xref (docs/pipeline.md, "Exact semantics").
    notes: tuple[str, ...] = ()


UNREADABLE = "read"  # the stage of a row the source could not read as a row (its record is not the row itself)


def key_text(key: Key | None) -> str | None:
    """A line key as shown to people: PO/line."""
    return None if key is None else f"{key[0]}/{key[1]}"


def duplicate_error(key: Key) -> str:
    """The error of every row of a key that occurs more than once in a snapshot."""
    return f"{DUPLICATE}{key_text(key)}: the snapshot holds more than one row for this line; all are rejected"


def validator_for(columns: list[str], cfg: SourceConfig) -> tuple[RowValidator, tuple[str, ...]]:
    """The row validator of a snapshot with these columns, and the notes of its column mapping."""
    column_map = resolve_columns(columns, cfg.columns, tuple(cfg.custom_columns))
    return RowValidator(column_map, cfg.custom_columns), column_map.notes


def read_snapshot(
    source: Source,
    cfg: SourceConfig,
    previous: dict[Key, int],
    baseline: bool,
    progress: Progress,
    xref_overrides: Mapping[str, str] | None = None,
) -> SnapshotRead:
    """One extract attempt: stream the snapshot through validate, xref (the source's, with the codes mapped in
    potrack over it) and the diff."""
    xref = XrefResolver(source.read_xref(), xref_overrides)
    diff = SnapshotDiff(previous=previous, baseline=baseline)
    rejections = RejectionSpool()
    try:
        return _read(source, cfg, diff, xref, rejections, progress)
    except BaseException:
        # A failed attempt's spools go at once, not when the retries let go of its traceback.
        rejections.close()
        diff.close()
        raise


def _read(
    source: Source,
    cfg: SourceConfig,
    diff: SnapshotDiff,
    xref: XrefResolver,
    rejections: RejectionSpool,
    progress: Progress,
) -> SnapshotRead:
    """read_snapshot's streaming pass, its rejections added to `rejections`."""
    rows = custom_values = 0
    with source.open(cfg.batch_size) as snap:
        validator, notes = validator_for(snap.columns, cfg)
        width = len(snap.columns) if snap.origins else None
        share = snap.read_fraction
        progress.rows(0, snap.rows_total, None if share is None else share())
        validate, previous_digest, resolve, add = validator.validate, diff.previous_digest, xref.resolve, diff.add
        names_key = digest_key(validator.custom_names)
        for batch in snap.batches:
            for row in batch:
                try:
                    line = validate(row)
                except RowError as exc:
                    key = validator.key_of(row)
                    rejections.add(
                        Rejection(
                            "validate",
                            key_text(key),
                            validator.raw(row),
                            str(exc),
                            None if width is None else row[width],
                        )
                    )
                    if key is not None:
                        diff.reject_key(key)
                    continue
                try:
                    old = previous_digest(line.key)
                except KeyError:
                    rejections.add(
                        Rejection(
                            "validate",
                            key_text(line.key),
                            validator.raw(row),
                            duplicate_error(line.key),
                            None if width is None else row[width],
                        )
                    )
                    continue
                resolve(line)
                line.digest = compute_digest(line, names_key)
                add(line, old, None if width is None else row[width])
                if line.custom:
                    custom_values += count_values(line)
            rows += len(batch)
            rows += _reject_unreadable(snap, validator, diff, rejections)
            progress.rows(rows, snap.rows_total, None if share is None else share())
        rows += _reject_unreadable(snap, validator, diff, rejections)
        progress.read_all(rows)
    return SnapshotRead(rows, diff, rejections, xref, custom_values, validator.custom_names, notes + xref.notes)


def _reject_unreadable(snap: Snapshot, validator: RowValidator, diff: SnapshotDiff, rejections: RejectionSpool) -> int:
    """Reject the rows the source could not read (their keys' stored lines stay as they were); returns how many."""
    found = len(snap.unreadable)
    for row in snap.unreadable:
        key = validator.key_of(row.cells)
        extra = [f"(cell {n})" for n in range(len(snap.columns) + 1, len(row.cells) + 1)]
        rejections.add(
            Rejection(UNREADABLE, key_text(key), raw_record([*snap.columns, *extra], row.cells), row.error, row.origin)
        )
        if key is not None:
            diff.reject_key(key)
    snap.unreadable.clear()
    return found


def withdraw_duplicates(read: SnapshotRead, stored: dict[Key, dict[str, Any]]) -> None:
    """Reject the first occurrence of every duplicated key and take it out of the run's counts."""
    withdrawn, unchanged = read.diff.drop_duplicates()
    for line, origin in withdrawn:
        record = {
            "po_number": line.key[0],
            "line_number": line.key[1],
            **dict(zip(FIELDS, line.values, strict=True)),
            **dict(zip(read.custom_names, line.custom, strict=True)),
        }
        read.rejections.add(Rejection("validate", key_text(line.key), record, duplicate_error(line.key), origin))
        read.xref.forget(line.get("item_code"))
        read.custom_values -= count_values(line)
    for key in unchanged:
        row = stored[key]
        record = {"po_number": key[0], "line_number": key[1], **{f: row[f] for f in FIELDS}, **(row["custom"] or {})}
        read.rejections.add(Rejection("validate", key_text(key), record, duplicate_error(key)))
        read.xref.forget(row["item_code"])
        read.custom_values -= count_stored(row["custom"], read.custom_names)


def duplicate_keys(diff: SnapshotDiff) -> set[Key]:
    """Keys whose stored row withdraw_duplicates may need (repeated, or valid once and rejected once)."""
    return diff.duplicates | diff.rejected_keys
