"""In the app the deliverer is started with alerting and kicked when a run finishes: the run returns at once and its
events reach the webhook shortly after, from the deliverer's thread; a failed run's run.finished goes out too (status
failed, no po_lines.changed)."""

import threading

from jobs.alerting import start_alerting
from potrack.pipeline.runner import Pipeline
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1
from tests.support.subscribers import deliveries, event_receiver, python_toml, webhook_toml
from tests.support.timing import wait_for
from tests.support.workdir import open_store, write_config

THREADS = []


def remember_thread(topic, payload):
    """A python subscriber noting which thread calls it."""
    THREADS.append(threading.current_thread().name)


def test_the_deliverer_sends_a_run_s_events_after_it_returns(workdir, erp):
    THREADS.clear()
    with event_receiver() as hook:
        write_config(
            workdir,
            sql_source_config(erp)
            + sql_source_config(erp, "broken").replace("SELECT * FROM po_lines", "SELECT * FROM no_such_table")
            + webhook_toml("warehouse", hook.url)
            + python_toml("thread", f"{__name__}:remember_thread", topic="run.finished"),
        )
        runtime = open_store()
        alerting = start_alerting(runtime)
        try:
            pipeline = Pipeline(runtime.settings, runtime.engine)
            erp.write(NIGHT_1)
            good = pipeline.run("erp")
            bad = pipeline.run("broken")
            wait_for(lambda: len(hook.accepted) == 3, what="the three events")
            wait_for(lambda: len(THREADS) == 2, what="the python subscriber's two calls")
        finally:
            alerting.stop()

    assert (good.status, bad.status) == ("success", "failed")
    received = sorted((p.headers["x-potrack-topic"], p.json["run_id"]) for p in hook.accepted)
    assert received == sorted(
        [("run.finished", good.run_id), ("po_lines.changed", good.run_id), ("run.finished", bad.run_id)]
    )
    [failed] = [p.json for p in hook.accepted if p.json["run_id"] == bad.run_id]
    assert failed["status"] == "failed" and failed["error"].startswith("extract:")
    assert THREADS == ["event-delivery", "event-delivery"]
    assert {d["state"] for d in deliveries(runtime.engine)} == {"sent"}
