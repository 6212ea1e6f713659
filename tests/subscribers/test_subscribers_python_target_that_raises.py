"""A python subscriber that raises is logged (the error scrubbed), its delivery stored failed after one attempt, and
nothing else changes: the run is still a success with its data committed, and another python subscriber is still
called with each event."""

import logging

from potrack.pipeline.runner import Pipeline
from potrack.subscribers import deliver_pending
from tests.support import subscribers as targets
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1
from tests.support.store import active_keys
from tests.support.subscribers import attempts, deliveries, python_toml
from tests.support.workdir import open_store, write_config


def test_a_raising_target_fails_its_delivery_and_nothing_else(workdir, erp, caplog):
    write_config(
        workdir,
        sql_source_config(erp)
        + python_toml("boom", "tests.support.subscribers:explode")
        + python_toml("keeper", "tests.support.subscribers:record"),
    )
    runtime = open_store()
    erp.write(NIGHT_1)
    report = Pipeline(runtime.settings, runtime.engine).run("erp")
    targets.CALLS.clear()
    delivery_log = logging.getLogger("potrack.subscribers")  # potrack's loggers do not propagate to pytest's root
    delivery_log.addHandler(caplog.handler)
    try:
        delivered = deliver_pending(runtime.engine, runtime.settings.subscribers)
    finally:
        delivery_log.removeHandler(caplog.handler)

    assert report.status == "success" and len(active_keys(runtime.engine)) == len(NIGHT_1)
    assert delivered == 2  # keeper's two events
    assert sorted(topic for topic, _ in targets.CALLS) == ["po_lines.changed", "run.finished"]
    assert all(payload["run_id"] == report.run_id for _, payload in targets.CALLS)
    states = {(d["subscriber"], d["topic"]): (d["state"], d["attempts"]) for d in deliveries(runtime.engine)}
    assert states == {
        ("boom", "run.finished"): ("failed", 1),
        ("boom", "po_lines.changed"): ("failed", 1),
        ("keeper", "run.finished"): ("sent", 1),
        ("keeper", "po_lines.changed"): ("sent", 1),
    }
    failed = [(ok, error) for _, _, ok, error in attempts(runtime.engine) if not ok]
    reason = f"RuntimeError: the warehouse system is down (run {report.run_id})"
    assert failed == [(False, reason)] * 2
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 4 and all("to boom" in line for line in errors)
    assert sum(reason in line for line in errors) == 2
