"""The use cases that change state, one function each, shared by the Dash pages and the JSON API: Run now, retry a
run, retry failed rows (picked ones, or every unresolved row of a run), map an item code, send a test notification.

Each takes the acting user (None when nobody is signed in), checks its role, validates its input, and has the store
do the work (the store writes the audit entry in the same transaction). What cannot be done raises `Refused`, with
the reason in words and its kind; the adapters turn it into a toast (pages) or an HTTP status (potrack.api).
Settings and the store's engine are read through potrack.runtime."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from potrack import runtime
from potrack.alerts import message
from potrack.alerts.delivery import deliver_pending
from potrack.auth.roles import Action, Actor, Forbidden, Unauthenticated, allowed, require
from potrack.bounds import text_within, why_not
from potrack.clock import utcnow
from potrack.config import ConfigError
from potrack.store import alerts as alert_store
from potrack.store import audit, retries, xref
from potrack.store.retries import QueuedRetry
from potrack.store.runs import queue_run_unless_active
from potrack.uploads.intake import Accepted, IncomingFile, NotTaken, take
from potrack.uploads.receive import UploadRejected, safe_file_name

Kind = Literal["unauthenticated", "forbidden", "invalid", "not_found", "conflict", "too_large"]
# NUL or longer than any column: what no mapping field can hold (the store says which length fits).
STORABLE = why_not(text_within(10_000))


class Refused(Exception):
    """An action that was not taken: why (`reason`), what kind of refusal it is (`kind`: unauthenticated,
    forbidden, invalid, not_found or conflict), the input `field` at fault when invalid, and the facts an answer
    may carry (`run_id` of the run in the way)."""

    def __init__(self, kind: Kind, reason: str, field: str | None = None, **facts: Any) -> None:
        super().__init__(reason)
        self.kind: Kind = kind
        self.reason = reason
        self.field = field
        self.facts = facts


def authorised(actor: Actor | None, action: Action) -> Actor:
    """The actor when its role allows the action; Refused (unauthenticated or forbidden) otherwise."""
    try:
        return require(actor, action)
    except Unauthenticated as exc:
        raise Refused("unauthenticated", str(exc)) from None
    except Forbidden as exc:
        raise Refused("forbidden", str(exc)) from None


def configured_source(name: str) -> str:
    """The name of a configured source; Refused (invalid, field `source`) naming the configured ones otherwise."""
    try:
        runtime.settings().source(name)
    except ConfigError:
        known = ", ".join(runtime.source_names())
        raise Refused("invalid", f"there is no source named {name!r} (configured: {known})", "source") from None
    return name


@contextmanager
def _store_refusals() -> Iterator[None]:
    """The store's refusals of a retry as Refused: no such run or row (not_found), not retryable now (conflict)."""
    try:
        yield
    except retries.NotFound as exc:
        raise Refused("not_found", str(exc)) from None
    except retries.RetryRefused as exc:
        raise Refused("conflict", str(exc)) from None


def run_now(actor: Actor | None, source: str, *, accept_removals: bool = False, baseline: bool = False) -> int:
    """Queue a manual run of a configured source unless it has one queued or running (conflict, with its
    `run_id`); accepting removals beyond the source's limit needs the admin role. The queued run's id."""
    asked = Action.ACCEPT_REMOVALS if accept_removals else Action.RUN_NOW
    if actor is None or not allowed(actor.role, Action.RUN_NOW):
        authorised(actor, asked)  # refused, naming what was asked for
    configured_source(source)
    who = authorised(actor, asked)  # an operator may not accept removals: told once the source is known
    if runtime.settings().source(source).upload_only:
        raise Refused(
            "conflict", f"{source} is fed by uploaded files only (it has no path to read): upload a file instead"
        )
    run_id, queued = queue_run_unless_active(
        runtime.engine(),
        source,
        "manual",
        requested_by=who.label,
        baseline=baseline,
        accept_removals=accept_removals,
    )
    if not queued:
        raise Refused(
            "conflict",
            f"{source} already has run #{run_id} queued or running; try again when it has finished",
            run_id=run_id,
        )
    return run_id


def upload_snapshot(
    actor: Actor | None, source: str, incoming: IncomingFile, *, accept_removals: bool = False
) -> Accepted:
    """Take an uploaded snapshot file for a source that allows uploads and queue it as a run (trigger upload).

    `accept_removals` lets its run past the removal guard and needs the admin role.
    Refused: a viewer or nobody (forbidden, unauthenticated: the file is not read), a source that takes no
    uploads (invalid, field `source`), a file over the source's limit (too_large), one that is not CSV in the
    source's encoding or lacks a required column (invalid, field `file`), an identical file already applied and a
    source with a run in the way (conflict). Every upload and every refusal is in the audit log.
    """
    name: str | None = None  # a refused actor's file is not read
    try:
        who = authorised(actor, Action.ACCEPT_REMOVALS if accept_removals else Action.UPLOAD)
        configured_source(source)
        settings = runtime.settings()
        cfg = settings.source(source)
        if not cfg.upload:
            raise Refused(
                "invalid", f"{source} takes no uploaded files (set upload = true in its [[sources]] table)", "source"
            )
        sent_name = incoming.file_name()
        name = safe_file_name(sent_name)
        chunks = incoming.chunks()
        return take(
            runtime.engine(), settings.instance_dir, cfg, who.label, sent_name, chunks, settings.zone, accept_removals
        )
    except Refused as exc:
        upload_refused(actor, source, name, exc.reason)
        raise
    except UploadRejected as exc:
        upload_refused(actor, source, name, exc.reason)
        if exc.status == 413:
            raise Refused("too_large", exc.reason) from None
        raise Refused("invalid", exc.reason, "file") from None
    except NotTaken as exc:
        upload_refused(actor, source, name, exc.reason)
        facts: dict[str, Any] = {"run_id": exc.run_id}
        if exc.earlier is not None:
            facts["upload_id"] = exc.earlier.upload_id
        raise Refused("conflict", exc.reason, **facts) from None


def upload_refused(actor: Actor | None, source: str, file_name: str | None, reason: str) -> None:
    """Audit a refused upload: who, which file, for which source, and why (an adapter's own refusals too)."""
    who = actor.label if actor is not None else "anonymous"
    known = source in runtime.source_names()
    with runtime.engine().begin() as conn:
        audit.record(
            conn,
            "upload.refused",
            f"{'an upload' if file_name is None else f'upload of {file_name}'} to "
            f"{source if known else 'an unknown source'} by {who} refused: {reason}",
            severity="warning",
            source=source if known else None,
            actor=who,
            details={"file_name": file_name, "reason": reason},
        )


def retry_run(actor: Actor | None, run_id: int) -> QueuedRetry:
    """Queue a retry of a failed, partial or abandoned run (audited as ingestion.retry)."""
    who = authorised(actor, Action.RETRY_RUN)
    with _store_refusals():
        return retries.queue_retry(runtime.engine(), run_id, who.label)


def retry_rows(actor: Actor | None, row_ids: Iterable[int]) -> list[QueuedRetry]:
    """Queue a row_retry run per source for these unresolved failed rows (audited as failed_rows.retry); refused
    as a whole if any of them cannot be retried now."""
    who = authorised(actor, Action.RETRY_ROWS)
    with _store_refusals():
        return retries.queue_row_retry(runtime.engine(), row_ids, who.label)


def retry_unresolved_rows(actor: Actor | None, run_id: int) -> list[QueuedRetry]:
    """Queue a row retry of every unresolved failed row of a run."""
    who = authorised(actor, Action.RETRY_ROWS)
    with _store_refusals():
        rows = runtime.read(retries.unresolved_rows_of_run, run_id)
        if not rows:
            raise Refused("conflict", f"run #{run_id} has no unresolved failed rows")
        return retries.queue_row_retry(runtime.engine(), rows, who.label)


def map_item_code(actor: Actor | None, source: str, item_code: str, part_id: str | None) -> xref.Mapped:
    """Store (or change) the mapping of a configured source's item code to an internal part (audited as
    xref.mapped); it applies from the source's next run. Refused (invalid, naming the field) for a value the store
    does not take."""
    who = authorised(actor, Action.MAP_ITEM_CODES)
    configured_source(source)
    for field, value in (("item_code", item_code), ("internal_part_id", part_id)):
        reason = STORABLE(value) if isinstance(value, str) else None  # NUL: PostgreSQL refuses it
        if reason:
            raise Refused("invalid", reason, field)
    try:
        return xref.map_item_code(runtime.engine(), source, item_code, part_id, who.label)
    except xref.MappingRefused as exc:
        raise Refused("invalid", str(exc).removeprefix(f"{exc.field}: "), exc.field) from None


def send_test_notification(actor: Actor | None, channel: str) -> int:
    """Queue a test notification to a configured channel in the actor's name (audited) and deliver what is
    pending at once, in a background thread; the notification's id. Refused (not_found) for an unknown channel."""
    who = authorised(actor, Action.ALERT_SETTINGS)
    settings = runtime.settings()
    try:
        settings.alerts.channel(channel)
    except KeyError as exc:
        raise Refused("not_found", str(exc.args[0])) from None
    now = utcnow()
    payload = message.facts(
        event="test",
        source="-",
        rule="test",
        message="test",
        since=now,
        dashboard_url=settings.alerts.dashboard_url,
        run_id=None,
        last_ok=None,
        now=now,
        failure=None,
    )
    engine = runtime.engine()
    notification = alert_store.queue_test(engine, channel, payload, who.label, now)
    threading.Thread(target=deliver_pending, args=(engine, settings.alerts), name="alert-test", daemon=True).start()
    return notification
