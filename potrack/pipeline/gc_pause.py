"""Pauses Python's cyclic garbage collector while a run holds millions of live objects.

The run's state (a dict of a million key tuples) is traversed again and again by the collector,
which doubled the time of a million-line night. The pipeline creates no reference cycles (its
objects are freed by reference counting), so the collector is paused for the run and resumed
afterwards; with several runs in one process it resumes when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (re-entrant across threads)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
