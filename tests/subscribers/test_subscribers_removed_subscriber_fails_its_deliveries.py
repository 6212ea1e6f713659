"""A subscriber removed from potrack.toml while its events waited: each of its deliveries ends failed with one
stored attempt naming it and the configured ones; the others are still delivered."""

from potrack.pipeline.runner import Pipeline
from potrack.subscribers import deliver_pending
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1
from tests.support.subscribers import attempts, deliveries, webhook_toml
from tests.support.workdir import open_store, write_config


def test_deliveries_of_a_removed_subscriber_fail_naming_it(workdir, erp, event_hook):
    write_config(
        workdir,
        sql_source_config(erp)
        + webhook_toml("gone", event_hook.url, topic="run.finished")
        + webhook_toml("kept", event_hook.url, topic="run.finished"),
    )
    runtime = open_store()
    erp.write(NIGHT_1)
    Pipeline(runtime.settings, runtime.engine).run("erp")
    [_, kept] = runtime.settings.subscribers

    assert deliver_pending(runtime.engine, (kept,)) == 1

    states = {d["subscriber"]: (d["state"], d["attempts"], d["last_error"]) for d in deliveries(runtime.engine)}
    assert states == {
        "gone": ("failed", 1, "no subscriber named 'gone' (configured: kept)"),
        "kept": ("sent", 1, None),
    }
    assert len(event_hook.accepted) == 1 and len(attempts(runtime.engine)) == 2
