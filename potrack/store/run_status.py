"""A run's status, and the sets of statuses the pipeline, the pages, the API and the alert rules ask about."""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """Where a run is: waiting, executing, or how it ended."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"  # committed, with rejected rows
    FAILED = "failed"
    ABANDONED = "abandoned"  # its process died or its heartbeat stopped: nothing of it was committed


def _values(*statuses: RunStatus) -> tuple[str, ...]:
    # Plain strings: what the store's column holds and the database drivers bind.
    return tuple(s.value for s in statuses)


ALL = _values(*RunStatus)
ACTIVE = _values(RunStatus.QUEUED, RunStatus.RUNNING)
COMPLETED = _values(RunStatus.SUCCESS, RunStatus.PARTIAL)  # its data was committed
FAILED = _values(RunStatus.FAILED, RunStatus.ABANDONED)  # nothing of it was committed
FINISHED = COMPLETED + FAILED
RETRYABLE = _values(RunStatus.FAILED, RunStatus.PARTIAL, RunStatus.ABANDONED)
