"""The cyclic garbage collector is paused while a run executes and restored afterwards."""

import gc
import threading

from potrack.pipeline.gc_pause import gc_paused


def test_collector_is_disabled_inside_and_enabled_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_resumes_only_when_the_last_of_two_overlapping_runs_ends():
    first_inside, release_first = threading.Event(), threading.Event()

    def first_run():
        with gc_paused():
            first_inside.set()
            release_first.wait(5)

    worker = threading.Thread(target=first_run)
    worker.start()
    first_inside.wait(5)
    with gc_paused():
        release_first.set()
        worker.join(5)
        assert not gc.isenabled()  # the first run ended, this one still holds the pause
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled_after():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
