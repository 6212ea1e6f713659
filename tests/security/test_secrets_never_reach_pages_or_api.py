"""Safe errors, end to end: sources whose connection string holds PWD=... (and a query whose ${VAR} the driver echoes
back) fail; no secret appears in any page the dashboard draws for them, any API answer, audit event or log line,
while the failures themselves are shown."""

import json

import plotly

import app
from pages import _shell, alerts, audit, failed_rows, overview, run_detail, runs
from potrack.runtime import start
from potrack.store.retries import queue_retry
from tests.support.cli import run_cli
from tests.support.erp import erp_line
from tests.support.personas import acting_as, add_personas, client_as
from tests.support.secrets import SECRETS, TOKEN, URL_PWD, config
from tests.support.workdir import write_config


def drawn(component):
    """A page or callback result as the JSON the browser receives."""
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


def test_no_page_api_answer_audit_event_or_log_line_shows_a_secret(workdir, erp, monkeypatch, caplog):
    erp.write([erp_line("PO1", 1)])
    write_config(workdir, config(erp.url))
    monkeypatch.setenv("ERP_PASSWORD", URL_PWD)
    monkeypatch.setenv("ERP_TOKEN", TOKEN)
    run_cli("--all")
    code, reports = run_cli("--all")  # a second failure in a row: an alert opens for every source
    assert code == 1 and {r["status"] for r in reports} == {"failed"}
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    ids = [r["run_id"] for r in reports]
    queue_retry(runtime.engine, ids[0], "otto")

    with acting_as(runtime.engine, "otto"):
        pages = [
            runs.refresh_runs("", [], None, None, []),
            overview.board(),
            _shell.refresh_health(None, "/"),
            audit.show_events(""),
            failed_rows.show_rows("?state=all"),
            alerts.layout(),
            alerts.show_history(""),
        ]
        pages += [runs.toggle_card(1, False, {"type": "run-summary", "index": i}) for i in ids]
        pages += [run_detail.layout(run_id=str(i)) for i in ids]
    page_text = drawn(pages)
    assert "no such column: ***" in page_text  # the echoed failure is shown, masked

    api = client_as("vera")
    answers = [
        api.get(path).get_data(as_text=True)
        for path in [
            "/api/health",
            "/api/runs",
            "/api/audit?per_page=500",
            "/api/failed-rows?resolved=false",
            "/api/alerts",
            *[f"/api/runs/{i}" for i in ids],
        ]
    ]
    assert any("no such column: ***" in a for a in answers)
    assert sum('"consecutive_failures"' in a for a in answers) >= 1  # the alerts are listed, masked too

    app.server.logger.error("a page failed while reading %s", f"PWD={URL_PWD}")  # what Flask logs on a page error
    logged = caplog.text
    for text in (page_text, *answers, logged):
        for secret in SECRETS:
            assert secret not in text
