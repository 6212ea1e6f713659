"""Taking an uploaded snapshot file: received to disk, then recorded and queued as a run of its source (trigger
`upload`) in one transaction, unless an identical file was applied or the source is busy.

The file is received under a temporary name; the transaction that queues its run moves it to
`<instance>/uploads/<source>/<upload id>/<file name>` before it commits, so a run never starts without its file.
A file that is not taken is removed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.config import SourceConfig
from potrack.sources.upload import stored_path, uploads_dir
from potrack.store import audit
from potrack.store import uploads as store
from potrack.store.runs import queue_run_unless_active
from potrack.timefmt import local_text
from potrack.uploads.receive import Received, discard, receive, safe_file_name


@dataclass(frozen=True)
class Accepted:
    """An upload that was taken: its id, its queued run and what was received."""

    upload_id: int
    run_id: int
    file_name: str
    received: Received


class IncomingFile(Protocol):
    """A file as a request brings it: its name first, then its bytes as they arrive (UploadRejected when the
    request does not carry one)."""

    def file_name(self) -> str:
        """The name the client sent."""

    def chunks(self) -> Iterable[bytes]:
        """The file's bytes."""


class NotTaken(Exception):
    """A received file that was not queued: an identical one was applied (`earlier`), or the source has a run in
    the way (`run_id`)."""

    def __init__(self, reason: str, run_id: int, earlier: store.Earlier | None = None) -> None:
        super().__init__(reason)
        self.reason, self.run_id, self.earlier = reason, run_id, earlier


def identical_words(earlier: store.Earlier, zone: dt.tzinfo) -> str:
    """Why a file is refused as a duplicate, naming the earlier upload and its run."""
    what = f"identical to upload #{earlier.upload_id}, {earlier.file_name},"
    if earlier.status in store.APPLIED and earlier.finished_at is not None:
        return f"{what} applied on {local_text(earlier.finished_at, zone)} in run #{earlier.run_id}"
    return f"{what} being applied in run #{earlier.run_id} ({earlier.status})"


def take(
    engine: sa.Engine,
    instance_dir: Path,
    cfg: SourceConfig,
    actor: str,
    file_name: str,
    chunks: Iterable[bytes],
    zone: dt.tzinfo,
    accept_removals: bool = False,
) -> Accepted:
    """Receive a file for a source and queue it as a run (`accept_removals`: let it past the removal guard);
    UploadRejected when the file is refused, NotTaken when an identical file was applied or a run of the source is
    queued or running."""
    name = safe_file_name(file_name)
    incoming = uploads_dir(instance_dir, cfg.name) / f".incoming-{secrets.token_hex(8)}"
    received = receive(chunks, cfg, incoming)
    taken: list[Accepted] = []

    def record(conn: sa.Connection, run_id: int) -> None:
        earlier = store.identical(conn, cfg.name, received.sha256)
        if earlier is not None:  # rolls the queued run back
            raise NotTaken(identical_words(earlier, zone), earlier.run_id, earlier)
        upload_id = store.record(
            conn,
            source=cfg.name,
            file_name=name,
            size_bytes=received.size_bytes,
            sha256=received.sha256,
            rows_total=received.rows_total,
            uploaded_by=actor,
            uploaded_at=utcnow(),
        )
        store.attach(conn, run_id, upload_id)
        audit.record(
            conn,
            "upload.received",
            f"{actor} uploaded {name} ({received.size_bytes:,} bytes, {received.rows_total:,} rows) to "
            f"{cfg.name} as upload #{upload_id}, queued as run #{run_id}"
            + (", accepting removals beyond the source's limit" if accept_removals else ""),
            severity="warning" if accept_removals else "info",
            source=cfg.name,
            run_id=run_id,
            actor=actor,
            details={
                "accept_removals": accept_removals,
                "upload_id": upload_id,
                "file_name": name,
                "size_bytes": received.size_bytes,
                "sha256": received.sha256,
                "rows_total": received.rows_total,
            },
        )
        final = stored_path(instance_dir, cfg.name, upload_id, name)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received.path, final)  # before the commit: a claimed run finds its file
        taken.append(Accepted(upload_id, run_id, name, dataclasses.replace(received, path=final)))

    try:
        run_id, queued = queue_run_unless_active(
            engine, cfg.name, "upload", requested_by=actor, accept_removals=accept_removals, on_queued=record
        )
        if not queued:
            with engine.connect() as conn:
                earlier = store.identical(conn, cfg.name, received.sha256)
            if earlier is not None:
                raise NotTaken(identical_words(earlier, zone), earlier.run_id, earlier)
            raise NotTaken(
                f"{cfg.name} already has run #{run_id} queued or running; upload the file again when it has finished",
                run_id,
            )
    except BaseException:
        discard(received.path)
        raise
    return taken[0]
