"""Two failed runs in a row of a source that cannot connect send exactly one e-mail and one webhook (through a
real SMTP server and a real HTTP receiver); a third failure sends nothing more; a success sends exactly one
recovery on each; the alert opens and resolves once, audited."""

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config, unreachable_erp_url
from tests.support.receivers import channels_toml
from tests.support.store import store_rows
from tests.support.workdir import write_config


def config(workdir, erp, receiver, smtp, reachable):
    text = sql_source_config(erp) + channels_toml(receiver.url, smtp.port)
    if not reachable:  # the ERP's server refuses every connection
        text = text.replace(erp.url, unreachable_erp_url())
    text = text.replace("attempts = 3", "attempts = 1")
    write_config(workdir, text)


def test_two_failures_notify_once_a_third_nothing_and_a_success_one_recovery(workdir, erp, receiver, smtp):
    erp.write([erp_line("PO1", 1)])
    config(workdir, erp, receiver, smtp, reachable=False)
    assert run_cli()[0] == 1
    assert (receiver.posts, smtp.messages) == ([], [])  # one failure is not a streak

    assert run_cli()[0] == 1
    assert len(receiver.posts) == 1 and len(smtp.messages) == 1
    hook, mail = receiver.posts[0], smtp.messages[0]
    assert (hook["event"], hook["source"], hook["rule"]) == ("opened", "erp", "consecutive_failures")
    assert hook["run_url"] == f"http://potrack.test:8050/runs/{hook['run_id']}"
    assert hook["runbook_url"] == "http://potrack.test:8050/runbook#consecutive-failures"
    assert "OperationalError" in hook["failure"]["reason"] and hook["failure"]["kind"].startswith("looks transient")
    assert mail["Subject"] == "[potrack] FIRING: erp — consecutive failed runs" and mail["To"] == "ops@example.com"
    text = mail.get_content()
    for fact in (
        "Source: erp",
        "Since: ",
        "Last successful run: none yet",
        "Failure: OperationalError",
        f"Run: http://potrack.test:8050/runs/{hook['run_id']}",
        "Runbook: ",
    ):
        assert fact in text

    assert run_cli()[0] == 1
    assert len(receiver.posts) == 1 and len(smtp.messages) == 1  # still firing: nothing more

    config(workdir, erp, receiver, smtp, reachable=True)
    assert run_cli()[0] == 0
    assert [p["event"] for p in receiver.posts] == ["opened", "resolved"]
    assert [m["Subject"].split(":")[0] for m in smtp.messages] == ["[potrack] FIRING", "[potrack] RESOLVED"]
    engine_rows = store_rows(_engine(workdir), "SELECT state, rule FROM alerts")
    assert engine_rows == [{"state": "resolved", "rule": "consecutive_failures"}]
    events = [
        r["event_type"]
        for r in store_rows(
            _engine(workdir), "SELECT event_type FROM audit_events WHERE event_type LIKE 'alert.%' ORDER BY id"
        )
    ]
    assert events == ["alert.opened", "alert.resolved"]
    attempts = store_rows(_engine(workdir), "SELECT ok FROM alert_deliveries")
    assert len(attempts) == 4 and all(a["ok"] for a in attempts)


def _engine(workdir):
    from potrack.store.engine import make_engine

    return make_engine(f"sqlite:///{workdir / 'instance' / 'potrack.db'}")
