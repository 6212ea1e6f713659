"""Stage 1, extract: reads the snapshot once, streaming, retrying transient errors with tenacity.

Each attempt starts from scratch (a lost connection mid-stream leaves nothing half-read), and
every failed attempt is recorded with its error and the wait before the next one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from potrack.config import RetryPolicy
from potrack.redact import safe_reason
from potrack.sources.errors import is_transient

T = TypeVar("T")
AttemptRecorder = Callable[[int, str, bool, float | None], None]


class ExtractFailed(Exception):
    """Extraction gave up: a permanent error, or transient errors until attempts ran out."""

    def __init__(self, reason: str, attempts: int, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.transient = transient


def extract_with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    record: AttemptRecorder,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """Run attempt() until it succeeds; returns its result and the number of failed attempts.

    1. A transient error is recorded with the coming wait, then retried (backoff with jitter, capped).
    2. A permanent error, or the last allowed attempt, is recorded without a wait and raises ExtractFailed.
    """

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else None
        record(
            state.attempt_number, safe_reason(exc) if exc else "", True, round(wait, 3) if wait is not None else None
        )

    attempts = 0

    def counted() -> T:
        nonlocal attempts
        attempts += 1
        return attempt()

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=wait_exponential_jitter(
            multiplier=policy.backoff_initial_s, max=policy.backoff_max_s, jitter=policy.backoff_initial_s
        ),
        retry=retry_if_exception(is_transient),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )
    try:
        result = retrying(counted)
    except Exception as exc:
        number = attempts
        transient = is_transient(exc)
        reason = safe_reason(exc)
        record(number, reason, transient, None)
        raise ExtractFailed(reason, number, transient) from exc
    return result, attempts - 1
