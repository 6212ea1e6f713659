"""`python app.py` serves the pages and starts the scheduler, which executes queued runs, and SIGTERM stops it
cleanly (exit code 0, its leases given up); POTRACK_SCHEDULER=off serves without it; a bad POTRACK_TIMEZONE stops
it with exit code 2."""

import os
import subprocess
import sys
import time
import urllib.request

from potrack.store import leases
from potrack.store.runs import queue_run_unless_active
from tests.support import ROOT
from tests.support.store import run_row
from tests.support.workdir import open_store, write_config

SMALL_DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { lines = 100 }\n'


def test_the_app_starts_the_scheduler_which_runs_what_is_queued_and_stops_on_sigterm(app_processes, workdir):
    write_config(workdir, SMALL_DEMO)
    runtime = open_store()
    run_id, _ = queue_run_unless_active(runtime.engine, "demo", "manual")
    web = app_processes.app("app", POTRACK_INSTANCE=str(workdir / "instance"))
    web.wait_ready("/runs")
    deadline = time.monotonic() + 20
    while run_row(runtime.engine, run_id)["status"] != "success" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run_row(runtime.engine, run_id)["status"] == "success"
    assert [h.holder for h in leases.live_instances(runtime.engine)] == [
        leases.holding(runtime.engine, leases.SCHEDULER).holder
    ]
    assert web.stop() == 0
    assert "scheduler started" in web.output() and leases.live_instances(runtime.engine) == []


def test_scheduler_off_serves_pages_and_runs_nothing(app_processes, workdir):
    write_config(workdir, SMALL_DEMO)
    runtime = open_store()
    run_id, _ = queue_run_unless_active(runtime.engine, "demo", "manual")
    web = app_processes.app("app", POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_SCHEDULER="off")
    web.wait_ready("/runs")
    page = urllib.request.urlopen(f"{web.url}/trends").read().decode()
    time.sleep(0.5)
    assert "bootstrap.min.css" in page and run_row(runtime.engine, run_id)["status"] == "queued"
    assert web.stop() == 0
    assert "scheduler started" not in web.output() and leases.live_instances(runtime.engine) == []


def test_an_unknown_time_zone_stops_the_app_with_exit_code_2(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_TIMEZONE="Mars/Olympus")
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py")], cwd=workdir, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "POTRACK_TIMEZONE: unknown time zone 'Mars/Olympus'" in done.stderr
