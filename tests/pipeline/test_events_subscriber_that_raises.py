"""Events: the pipeline publishes run.finished and po_lines.changed; a subscriber that raises is logged and
affects neither the run nor the other subscribers."""

import pytest

from potrack import events as bus
from potrack.pipeline.runner import Pipeline
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import METRICS, audit_events, expect, run_row
from tests.support.workdir import open_store, write_config

TOPICS = (bus.RUN_FINISHED, bus.PO_LINES_CHANGED)


class SubscriberFailure(Exception):
    pass


@pytest.fixture
def subscribers():
    """A raising subscriber between two recording ones, on both topics; removed again after the test."""
    before, after = [], []

    def record_before(topic, payload):
        before.append((topic, payload))

    def broken_subscriber(topic, payload):
        raise SubscriberFailure(f"subscriber cannot handle {topic}")

    def record_after(topic, payload):
        after.append((topic, payload))

    chain = (record_before, broken_subscriber, record_after)
    for topic in TOPICS:
        for fn in chain:
            bus.subscribe(topic, fn)
    yield before, after
    for topic in TOPICS:
        for fn in chain:
            bus.unsubscribe(topic, fn)


def test_raising_subscriber_does_not_affect_the_run_or_the_other_subscribers(workdir, erp, subscribers):
    before, after = subscribers
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1), erp_line("PO1", 2), erp_line("PO1", 3)])
    runtime = open_store()
    pipeline = Pipeline(runtime.settings, runtime.engine)
    first = pipeline.run("erp")
    erp.write(
        [erp_line("PO1", 1, status="closed"), erp_line("PO1", 3, uom="KG"), erp_line("PO2", 1), erp_line("PO2", 2)]
    )

    second = pipeline.run("erp")

    assert second.status == "success"
    assert second.metrics.as_dict() == expect(
        lines_processed=4, lines_new=2, lines_changed=2, lines_removed=1, change_events=3
    )
    assert run_row(runtime.engine, second.run_id)["status"] == "success"
    assert [a["event_type"] for a in audit_events(runtime.engine)] == ["ingestion.completed"] * 2
    assert before == after  # the subscriber after the raising one got every event too
    assert [topic for topic, _ in after] == list(TOPICS) * 2
    finished, changed = after[2][1], after[3][1]
    assert finished == second.as_json()
    assert set(finished) == {
        "run_id",
        "source",
        "status",
        "baseline",
        "duration_s",
        *METRICS,
        "error",
        "notes",
    }
    assert set(changed) == {"source", "run_id", "new", "changed", "removed"}
    assert (changed["source"], changed["run_id"]) == ("erp", second.run_id)
    assert sorted(changed["new"]) == [("PO2", 1), ("PO2", 2)]
    assert sorted(changed["changed"]) == [("PO1", 1), ("PO1", 3)]
    assert changed["removed"] == [("PO1", 2)]
    assert sorted(after[1][1]["new"]) == [("PO1", 1), ("PO1", 2), ("PO1", 3)]  # the baseline's lines are new
    assert after[0][1] == first.as_json()

    log = (workdir / "instance" / "logs" / "potrack.log").read_text(encoding="utf-8")
    for topic in TOPICS:
        assert f"[ERROR] [potrack.events] subscriber broken_subscriber of {topic} raised" in log
        assert f"SubscriberFailure: subscriber cannot handle {topic}" in log  # with its traceback


def test_failed_run_publishes_run_finished_only(workdir, erp, subscribers):
    _, after = subscribers
    write_config(workdir, sql_source_config(erp).replace("SELECT * FROM po_lines", "SELECT * FROM no_such_table"))
    runtime = open_store()

    report = Pipeline(runtime.settings, runtime.engine).run("erp")

    assert report.status == "failed"
    assert [topic for topic, _ in after] == [bus.RUN_FINISHED]
    payload = after[0][1]
    assert payload == report.as_json()
    assert payload["status"] == "failed" and payload["error"].startswith("extract: ")
    assert payload["errors"] == 1
