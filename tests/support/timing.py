"""Time in tests: start callables at the same moment on threads, and wait for a condition with a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def all_at_once(*targets: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Call every target on its own thread, released together by a barrier; their results in order.

    An exception in a target is raised here once all have ended (a thread's exception would only be printed).
    """
    barrier = threading.Barrier(len(targets))
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []

    def run(i: int, target: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = target()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    return results


def wait_for(check: Callable[[], Any], seconds: float = 15.0, what: str = "the condition") -> Any:
    """Poll until check() gives something true and return that value; AssertionError on time-out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")
