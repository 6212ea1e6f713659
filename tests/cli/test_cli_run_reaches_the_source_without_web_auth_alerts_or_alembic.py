"""`python -m potrack run` on an existing store reaches the source without loading what the run does not need
(issue 17's start-up): no Dash, Flask or plotly, no pages, web, API or auth layer, no alert senders, no Alembic."""

import json
import os
import subprocess
import sys

from tests.support import ROOT
from tests.support.cli import run_cli_process
from tests.support.erp import erp_line, sql_source_config
from tests.support.workdir import write_config

NOT_NEEDED = (
    "dash",
    "flask",
    "werkzeug",
    "plotly",
    "pandas",
    "pages",
    "potrack.web",
    "potrack.api",
    "potrack.auth",
    "potrack.alerts",
    "smtplib",
    "alembic",
)
# `python -m potrack run --source erp`, noting the modules loaded when the process first connects to the ERP file.
AT_THE_ERP = """
import json, runpy, sys
erp, out = sys.argv[1], sys.argv[2]
loaded = []
def at_the_erp(event, args):
    if event == "sqlite3.connect" and erp in str(args[0]) and not loaded:
        loaded.extend(sys.modules)
sys.addaudithook(at_the_erp)
sys.argv = ["potrack", "run", "--source", "erp"]
try:
    runpy.run_module("potrack", run_name="__main__", alter_sys=True)
finally:
    with open(out, "w") as f:
        json.dump(loaded, f)
"""


def modules_loaded_at_the_erp(workdir, erp) -> list[str]:
    out = workdir / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", AT_THE_ERP, str(erp.path), str(out)],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def test_run_on_an_existing_store_reaches_the_source_without_what_it_does_not_need(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1)])
    baseline = run_cli_process(workdir, "run", "--source", "erp")  # the store exists, at the newest revision
    assert baseline.returncode == 0, baseline.stderr
    erp.write([erp_line("PO1", 1), erp_line("PO1", 2)])

    loaded = modules_loaded_at_the_erp(workdir, erp)

    assert "potrack.pipeline.runner" in loaded  # (noted at the run's first read of the ERP, not before)
    assert [m for m in loaded if any(m == name or m.startswith(f"{name}.") for name in NOT_NEEDED)] == []
