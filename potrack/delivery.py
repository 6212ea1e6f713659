"""Sending what an outbox holds, for alert notifications and subscribers' events alike: one claimed item sent with
tenacity's retries (backoff between attempts), every attempt handed to the caller to store; POSTing a body to a
webhook; and the background thread that sends when kicked and every 30 s — never on a run's thread, so a receiver
that is down neither breaks nor slows a run."""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from tenacity import Retrying, stop_after_attempt, wait_exponential

from potrack.redact import safe_reason

ATTEMPTS = 3
IDLE_S = 30.0
# (attempt number, whether it worked, its error, how long it took in ms): stored at once by the caller.
RecordAttempt = Callable[[int, bool, str | None, float], None]


class DeliveryError(Exception):
    """A receiver did not accept an item (the message says why, without secrets)."""


def send_with_retries(
    send: Callable[[], None],
    record: RecordAttempt,
    what: str,
    log: logging.Logger,
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Call send() until it returns, at most `attempts` times with backoff, recording every attempt; True when one
    worked. `what` names the item in the log ("notification #4 to ops-mail")."""
    calls = 0

    def attempt() -> None:
        nonlocal calls
        calls += 1
        number = calls
        began = time.perf_counter()
        try:
            send()
        except Exception as exc:
            record(number, False, safe_reason(exc), (time.perf_counter() - began) * 1000)
            log.warning("%s: attempt %s failed: %s", what, number, safe_reason(exc))
            raise
        record(number, True, None, (time.perf_counter() - began) * 1000)

    try:
        Retrying(
            stop=stop_after_attempt(attempts), wait=wait_exponential(multiplier=0.5, max=5), sleep=sleep, reraise=True
        )(attempt)
    except Exception:
        log.error("%s failed after %s attempt%s", what, attempts, "" if attempts == 1 else "s")
        return False
    return True


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST a body; DeliveryError unless the answer is 2xx (the message never holds the URL: it may carry a token)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"User-Agent": "potrack", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            if not 200 <= answer.status < 300:
                raise DeliveryError(f"the webhook answered HTTP {answer.status}")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"the webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"the webhook could not be reached: {reason}") from None


class Deliverer:
    """A background thread that calls `work` (send what is pending) when kicked, and every 30 s anyway; `what` names
    what it sends in the log ("notifications")."""

    def __init__(self, work: Callable[[], object], name: str, what: str, log: logging.Logger) -> None:
        self.work, self.what, self.log = work, what, log
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> Deliverer:
        """Start the thread."""
        self._thread.start()
        return self

    def kick(self) -> None:
        """Deliver now (new items were queued)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current item."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(IDLE_S)
            self._wake.clear()
            try:
                self.work()
            except Exception as exc:  # the store may be briefly unavailable: try again at the next wake-up
                self.log.error("delivering %s failed: %s", self.what, safe_reason(exc))


def run_within(work: Callable[[], object], seconds: float, name: str) -> bool:
    """Run `work` on a thread, waiting at most `seconds` (a command before it exits); True when it finished."""
    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()
