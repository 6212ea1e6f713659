"""Building the demo history logs where it starts and one summary of its outcomes, not a line per simulated run
(whose outages are deliberate); run lines from other threads still log while it builds, and after it."""

import dataclasses
import datetime as dt
import logging
import threading

from potrack import demo_history
from tests.support.web import UTC

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def small(settings):
    cfg = settings.source("demo")
    cfg = dataclasses.replace(cfg, demo=dataclasses.replace(cfg.demo, lines=200))
    return dataclasses.replace(settings, sources=(cfg,), timezone="UTC")


def test_one_summary_instead_of_a_line_per_run_and_other_threads_still_log(web, caplog, monkeypatch):
    run_log = logging.getLogger("potrack.pipeline")
    original = demo_history.move_run_in_time

    def move_and_log_from_another_thread(engine, run_id, queued_at):
        original(engine, run_id, queued_at)
        if run_id == 1:  # while the history is being built, a run of another thread logs
            other = threading.Thread(target=run_log.info, args=("run #999 other success",))
            other.start()
            other.join()

    monkeypatch.setattr(demo_history, "move_run_in_time", move_and_log_from_another_thread)
    caplog.set_level(logging.INFO)
    reports = demo_history.build(small(web.settings), web.engine, now=NOW)
    run_log.info("run #1000 after the build")

    pipeline_lines = [r.getMessage() for r in caplog.records if r.name == "potrack.pipeline"]
    assert pipeline_lines == ["run #999 other success", "run #1000 after the build"]
    assert [r.getMessage() for r in caplog.records if r.name == "potrack.events"] == []  # nor their events
    summary = [r.getMessage() for r in caplog.records if r.name == "potrack.demo_history"]
    statuses = [r.status for r in reports]
    counts = {s: statuses.count(s) for s in set(statuses)}
    assert len(summary) == 2 and summary[0].startswith("building the demo history of demo: 30 nights")
    assert summary[1].startswith("built the demo history of demo in ")
    assert ", ".join(f"{counts[s]} {s}" for s in sorted(counts)) in summary[1]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
