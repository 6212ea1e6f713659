"""/subscribers shows an admin each configured subscriber (name, kind, topic: never its URL or secret) with its
latest deliveries — topic, run link, page x/y, state, attempts, last error, time — and every attempt of each; the
navbar links it for admins only, and the page refuses the other roles."""

import pytest

import app
from pages import _shell
from pages.subscribers import layout
from potrack.pipeline.runner import Pipeline
from potrack.runtime import start
from potrack.subscribers import deliver_pending
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1
from tests.support.html_tables import table_links, table_rows, tables
from tests.support.personas import PERSONAS, acting_as, add_personas
from tests.support.subscribers import SECRET, event_receiver, python_toml, webhook_toml
from tests.support.web import find_all, text
from tests.support.workdir import write_config


@pytest.fixture
def delivered(workdir, erp):
    """A store with one run whose events went to a webhook that refused once, and to a raising python target."""
    with event_receiver(refuse_first=1) as hook:
        write_config(
            workdir,
            sql_source_config(erp)
            + webhook_toml("warehouse", hook.url, topic="run.finished")
            + python_toml("boom", "tests.support.subscribers:explode", topic="run.finished"),
        )
        runtime = start()
        app.install(runtime)
        add_personas(runtime.engine)
        erp.write(NIGHT_1)
        report = Pipeline(runtime.settings, runtime.engine).run("erp")
        deliver_pending(runtime.engine, runtime.settings.subscribers, sleep=lambda _: None)
    return runtime, report.run_id, hook.url


def test_an_admin_sees_each_subscriber_s_deliveries_and_attempts(delivered):
    runtime, run_id, url = delivered
    with acting_as(runtime.engine, "ada"):
        page = layout()
    shown = text(page)
    assert "warehouse" in shown and "webhook · hears run.finished" in shown and "python · hears run.finished" in shown
    assert url not in shown and "hook-token-123" not in shown and SECRET not in shown
    [warehouse, boom] = tables(page, "subscriber-deliveries")
    [row] = table_rows(warehouse)
    assert row[:7] == [row[0], "run.finished", f"#{run_id}", "1/1", "sent", "2", ""]
    assert "#1" in row[8] and "failed: DeliveryError: the webhook answered HTTP 500" in row[8] and "#2" in row[8]
    assert (f"#{run_id}", f"/runs/{run_id}") in table_links(warehouse)
    [row] = table_rows(boom)
    assert row[4:7] == ["failed", "1", f"RuntimeError: the warehouse system is down (run {run_id})"]


@pytest.mark.parametrize("name", list(PERSONAS))
def test_only_admins_get_the_page_and_its_navbar_link(delivered, name):
    runtime, run_id, _ = delivered
    with acting_as(runtime.engine, name):
        page, shell = layout(), _shell.layout()
    nav = find_all(shell, lambda c: getattr(c, "id", None) == "nav-subscribers")
    if PERSONAS[name] == "admin":
        assert len(nav) == 1 and nav[0].href == "/subscribers"
        assert len(tables(page, "subscriber-deliveries")) == 2
    else:
        assert nav == [] and tables(page, "subscriber-deliveries") == []
        assert (
            text(page) == f"Subscribers {name} ({PERSONAS[name]}) may not see the subscribers: it needs the admin role."
        )
        assert "warehouse" not in text(page)
