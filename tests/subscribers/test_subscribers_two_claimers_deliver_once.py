"""Four deliverers at once (four app instances) claim each queued delivery once: the receiver gets every event
exactly once."""

from collections import Counter

import pytest

from potrack.pipeline.runner import Pipeline
from potrack.subscribers import deliver_pending
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1, NIGHT_2
from tests.support.subscribers import deliveries, webhook_toml
from tests.support.timing import all_at_once
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_concurrent_deliverers_send_each_delivery_once(workdir, erp, event_hook):
    write_config(workdir, sql_source_config(erp) + webhook_toml("warehouse", event_hook.url, extra="max_keys = 1"))
    runtime = open_store()
    pipeline = Pipeline(runtime.settings, runtime.engine)
    for night in (NIGHT_1, NIGHT_2):
        erp.write(night)
        pipeline.run("erp")
    queued = deliveries(runtime.engine)
    assert len(queued) == 2 + 5 + 4  # two run.finished, then one page a key: 5 new, then 1 new, 2 changed, 1 removed

    delivered = all_at_once(*[lambda: deliver_pending(runtime.engine, runtime.settings.subscribers) for _ in range(4)])

    assert sum(delivered) == len(queued)
    ids = Counter(p.headers["x-potrack-delivery"] for p in event_hook.accepted)
    assert ids == Counter(str(d["id"]) for d in queued)  # each delivery once
    assert {d["state"] for d in deliveries(runtime.engine)} == {"sent"}
