"""`potrack run` (cron, SQL Server Agent) delivers its runs' events to the subscribers before it exits, as it does
the alert notifications: a baseline's run.finished and po_lines.changed reach the webhook once each."""

from potrack.store.models import EventDelivery
from tests.support.cli import run_cli
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1
from tests.support.store import store_rows
from tests.support.subscribers import webhook_toml
from tests.support.workdir import open_store, write_config


def test_the_command_line_delivers_what_its_run_queued(workdir, erp, event_hook):
    write_config(workdir, sql_source_config(erp) + webhook_toml("warehouse", event_hook.url))
    erp.write(NIGHT_1)
    code, [report] = run_cli("--source", "erp")
    assert code == 0
    topics = sorted(post.headers["x-potrack-topic"] for post in event_hook.accepted)
    assert topics == ["po_lines.changed", "run.finished"]
    assert {post.json["run_id"] for post in event_hook.accepted} == {report["run_id"]}
    states = store_rows(open_store().engine, f"SELECT state FROM {EventDelivery.__tablename__}")
    assert [s["state"] for s in states] == ["sent", "sent"]
