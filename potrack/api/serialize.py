"""The store's dataclass rows as JSON values: times as ISO 8601 UTC, error text scrubbed of secrets."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from potrack.health import SourceVerdict
from potrack.pipeline.outcome import RunMetrics
from potrack.redact import scrub
from potrack.store.alerts import AlertRow, DeliveryRow
from potrack.store.run_history import RunDetail, RunRecord, RunRow
from potrack.store.run_status import ACTIVE
from potrack.store.uploads import UploadRow
from potrack.timefmt import iso

SCRUBBED = ("error", "message")
_METRICS = tuple(f.name for f in dataclasses.fields(RunMetrics))


def plain(value: Any) -> Any:
    """A dataclass, list, dict or time as plain JSON values; text fields named error or message are scrubbed."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {k: scrub(v) if k in SCRUBBED and isinstance(v, str) else v for k, v in out.items()}
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def page_json(items: Sequence[Any], total: int, page: int, pages: int, per_page: int) -> dict[str, Any]:
    """One page of a list: how many match in all, the items, and where the page is."""
    return {"count": total, "results": [plain(i) for i in items], "page": page, "pages": pages, "per_page": per_page}


def progress(run: RunRecord, now: dt.datetime) -> dict[str, Any]:
    """How far a queued or running run has got: stage, rows, percent (None until the total is known), time."""
    return {
        "stage": run.stage if run.status == "running" else None,
        "rows_done": run.rows_done,
        "rows_total": run.rows_total,
        "rows_total_estimated": run.rows_total_estimated,
        "percent": run.percent(),
        "elapsed_s": round((now - run.started_at).total_seconds(), 1) if run.started_at else None,
    }


def run_json(run: RunRecord, now: dt.datetime) -> dict[str, Any]:
    """A run as the API lists it: the CLI's --json fields, who queued it and when, and progress while active."""
    out: dict[str, Any] = {
        "run_id": run.id,
        "source": run.source,
        "status": run.status,
        "baseline": run.baseline,
        "duration_s": run.duration_s,
        **{name: getattr(run, name) for name in _METRICS},
        "error": scrub(run.error) if run.error else None,
        "notes": scrub(run.notes).splitlines() if run.notes else [],
        "accept_removals": bool(run.accept_removals),
        "trigger": run.trigger,
        "retry_of": run.retry_of,
        "requested_by": run.requested_by,
        "queued_at": iso(run.queued_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
    }
    if run.status in ACTIVE:
        out["progress"] = progress(run, now)
    return out


def run_detail_json(run: RunRecord, detail: RunDetail, now: dt.datetime) -> dict[str, Any]:
    """A run with why it failed, its unmapped codes, attempts, rejected rows and first changes, and its retries."""
    problems = detail.check_problems
    return {
        **run_json(run, now),
        "error_stage": run.error_stage,
        "check_problems": scrub(problems).splitlines() if problems else [],
        "unmapped": [{"item_code": code, "lines": count} for code, count in detail.unmapped],
        "attempts": plain(detail.attempts),
        "rejected": plain(detail.rejected),
        "rejected_total": detail.rejected_total,
        "changes": plain(detail.changes),
        "changes_total": detail.changes_total,
        "retried_by": detail.retried_by,
    }


def health_json(level: str, verdicts: list[SourceVerdict]) -> dict[str, Any]:
    """The overall verdict and each source's latest run (identity and times only: no error text)."""

    def last_run(run: RunRow | None) -> dict[str, Any] | None:
        if run is None:
            return None
        return {
            "id": run.id,
            "status": run.status,
            "trigger": run.trigger,
            "queued_at": iso(run.queued_at),
            "finished_at": iso(run.finished_at),
        }

    def success_at(ok: RunRow | None) -> str | None:
        return None if ok is None else iso(ok.finished_at or ok.queued_at)

    sources = [
        {
            "name": v.status.source,
            "status": v.health.level,
            "last_run": last_run(v.status.last),
            "last_success_at": success_at(v.status.last_ok),
            "stale": v.stale,
        }
        for v in verdicts
    ]
    return {"status": level, "sources": sources}


def _scrubbed(text: str | None) -> str | None:
    return None if text is None else scrub(text)


def alert_json(alert: AlertRow, notifications: Sequence[DeliveryRow]) -> dict[str, Any]:
    """An alert as /api/alerts lists it, with each notification's channel, event, state, attempts and last error."""
    return {
        "id": alert.id,
        "source": alert.source,
        "rule": alert.rule,
        "state": alert.state,
        "opened_at": iso(alert.opened_at),
        "resolved_at": iso(alert.resolved_at),
        "message": scrub(alert.message),
        "resolution": _scrubbed(alert.resolution),
        "run_id": alert.run_id,
        "deliveries": [
            {
                "channel": d.channel,
                "event": d.event,
                "state": d.state,
                "attempts": d.attempts,
                "last_error": _scrubbed(d.last_error),
            }
            for d in notifications
        ],
    }


def upload_json(upload: UploadRow, now: dt.datetime) -> dict[str, Any]:
    """An upload as GET /api/uploads lists it: the file, who sent it, and how its newest run is going."""
    finished = upload.finished_at is not None
    done = upload.rows_done
    if upload.rows_total:
        percent = min(100, done * 100 // upload.rows_total)
    else:
        percent = 100 if finished else 0
    elapsed = None
    if upload.started_at is not None:
        elapsed = round(((upload.finished_at or now) - upload.started_at).total_seconds(), 3)
    return {
        "upload_id": upload.upload_id,
        "run_id": upload.run_id,
        "source": upload.source,
        "file_name": upload.file_name,
        "size_bytes": upload.size_bytes,
        "sha256": upload.sha256,
        "status": upload.status,
        "stage": upload.stage if not finished else None,
        "rows_processed": done,
        "rows_total": upload.rows_total,
        "percent_complete": percent,
        "started_at": iso(upload.started_at),
        "elapsed_seconds": elapsed,
        "uploaded_by": upload.uploaded_by,
        "uploaded_at": iso(upload.uploaded_at),
    }
