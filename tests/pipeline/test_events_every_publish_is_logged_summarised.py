"""Every event the pipeline publishes is logged in one line with its payload summarised ('Event published:
topic=po_lines.changed run=2 new=1 changed=2 removed=1'): the run, its status, how many keys each list holds, never
the keys themselves."""

import logging

import pytest

from potrack import events as bus
from potrack.pipeline.runner import Pipeline
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1, NIGHT_2
from tests.support.workdir import open_store, write_config


@pytest.fixture
def listening():
    """A subscriber on po_lines.changed (the runner publishes it only when someone listens)."""

    def listener(topic, payload):
        pass

    bus.subscribe(bus.PO_LINES_CHANGED, listener)
    yield
    bus.unsubscribe(bus.PO_LINES_CHANGED, listener)


def test_each_publish_is_one_line_with_counts_not_keys(workdir, erp, listening, caplog):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    runtime = open_store()
    pipeline = Pipeline(runtime.settings, runtime.engine)
    first = pipeline.run("erp")
    erp.write(NIGHT_2)  # PO1/1 and PO1/2 change, PO2/2 is gone, PO3/1 is new
    event_log = logging.getLogger("potrack.events")  # potrack's loggers do not propagate to pytest's root handler
    event_log.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="potrack.events")
    try:
        second = pipeline.run("erp")
    finally:
        event_log.removeHandler(caplog.handler)
    published = [r.getMessage() for r in caplog.records if r.name == "potrack.events"]
    assert published == [
        f"Event published: topic=run.finished run={second.run_id} status=success notes=0",
        f"Event published: topic=po_lines.changed run={second.run_id} new=1 changed=2 removed=1",
    ]
    assert first.run_id != second.run_id and not any("PO" in line for line in published)
