"""A receiver that answers HTTP 500 at first gets the same signed delivery again (same body, same X-Potrack-Delivery)
after a backoff, and every attempt is stored; one that never answers ends failed after 3 attempts, each stored with
its error, and the run it came from is untouched."""

import pytest

from potrack.pipeline.runner import Pipeline
from potrack.subscribers import deliver_pending
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1
from tests.support.receivers import closed_port
from tests.support.subscribers import attempts, deliveries, event_receiver, webhook_toml
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_a_refused_delivery_is_sent_again_and_each_attempt_is_stored(workdir, erp):
    with event_receiver(refuse_first=1) as hook:
        write_config(workdir, sql_source_config(erp) + webhook_toml("warehouse", hook.url, topic="run.finished"))
        runtime = open_store()
        erp.write(NIGHT_1)
        report = Pipeline(runtime.settings, runtime.engine).run("erp")
        waits = []
        assert deliver_pending(runtime.engine, runtime.settings.subscribers, sleep=waits.append) == 1

    [refused], [accepted] = hook.refused, hook.accepted
    assert refused.body == accepted.body and refused.headers == accepted.headers
    assert accepted.json["run_id"] == report.run_id and len(waits) == 1 and waits[0] > 0
    [delivery] = deliveries(runtime.engine)
    assert accepted.headers["x-potrack-delivery"] == str(delivery["id"])
    assert (delivery["state"], delivery["attempts"], delivery["last_error"]) == ("sent", 2, None)
    assert attempts(runtime.engine) == [
        (delivery["id"], 1, False, "DeliveryError: the webhook answered HTTP 500"),
        (delivery["id"], 2, True, None),
    ]


def test_a_receiver_that_is_down_fails_after_three_stored_attempts(workdir, erp):
    down = f"http://127.0.0.1:{closed_port()}/events?token=down-tok3n"
    write_config(workdir, sql_source_config(erp) + webhook_toml("warehouse", down, topic="run.finished"))
    runtime = open_store()
    erp.write(NIGHT_1)
    report = Pipeline(runtime.settings, runtime.engine).run("erp")
    assert report.status == "success"

    assert deliver_pending(runtime.engine, runtime.settings.subscribers, sleep=lambda _: None) == 0

    [delivery] = deliveries(runtime.engine)
    stored = attempts(runtime.engine)
    assert (delivery["state"], delivery["attempts"]) == ("failed", 3)
    assert [(n, ok) for _, n, ok, _ in stored] == [(1, False), (2, False), (3, False)]
    assert all(error.startswith("DeliveryError: the webhook could not be reached") for *_, error in stored)
    assert not any("down-tok3n" in error for *_, error in stored)
