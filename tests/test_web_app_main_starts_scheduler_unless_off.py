"""`python app.py` serves the pages and starts the scheduler, which executes queued runs; POTRACK_SCHEDULER=off
serves without it; a bad POTRACK_TIMEZONE stops it with exit code 2."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT, open_store, write_config
from potrack.store.runs import queue_run_unless_active
from store_reads import run_row

SMALL_DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { lines = 100 }\n'


def serve(workdir, **env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    full_env.update(POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_PORT=str(port), **env)
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=workdir, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/runs", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(proc.communicate()[0])


def stop(proc):
    proc.terminate()
    return proc.communicate(timeout=10)[0]


def test_the_app_starts_the_scheduler_which_runs_what_is_queued(workdir):
    write_config(workdir, SMALL_DEMO)
    runtime = open_store()
    run_id, _ = queue_run_unless_active(runtime.engine, "demo", "manual")
    proc, _ = serve(workdir)
    try:
        deadline = time.monotonic() + 20
        while run_row(runtime.engine, run_id)["status"] != "success" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert run_row(runtime.engine, run_id)["status"] == "success"
    finally:
        output = stop(proc)
    assert "scheduler started" in output


def test_scheduler_off_serves_pages_and_runs_nothing(workdir):
    write_config(workdir, SMALL_DEMO)
    runtime = open_store()
    run_id, _ = queue_run_unless_active(runtime.engine, "demo", "manual")
    proc, port = serve(workdir, POTRACK_SCHEDULER="off")
    try:
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/trends").read().decode()
        time.sleep(0.5)
        assert "bootstrap.min.css" in page and run_row(runtime.engine, run_id)["status"] == "queued"
    finally:
        output = stop(proc)
    assert "scheduler started" not in output


def test_an_unknown_time_zone_stops_the_app_with_exit_code_2(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_TIMEZONE="Mars/Olympus")
    done = subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "POTRACK_TIMEZONE: unknown time zone 'Mars/Olympus'" in done.stderr
