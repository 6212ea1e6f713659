"""`gunicorn -c scripts/gunicorn.conf.py -w 2 app:server` on a PostgreSQL store: each worker is an app instance
with its own lease, exactly one of them leads, a queued run executes once, and stopping gunicorn gives every
lease up; a bad configuration stops gunicorn before any worker starts, naming the key."""

import re
import subprocess
import sys

from potrack.auth.tokens import create_token
from potrack.store import leases
from potrack.store.engine import ensure_schema, make_engine
from tests.support import ROOT
from tests.support.store import run_row
from tests.support.timing import wait_for

CONFIG = '[[sources]]\nname = "plant"\nkind = "demo"\ndemo = { lines = 200 }\n'


def test_two_workers_are_two_instances_and_one_leads(app_processes, workdir, pg_schema):
    engine = make_engine(pg_schema.url)
    ensure_schema(engine)
    token = create_token(engine, "ops", "operator", actor="test")
    (workdir / "potrack.toml").write_text(CONFIG, encoding="utf-8")
    web = app_processes.gunicorn(
        "gunicorn",
        "-w",
        "2",
        POTRACK_DATABASE_URL=pg_schema.url,
        POTRACK_LEASE_TTL_S="3",
        POTRACK_INSTANCE=str(workdir / "instance"),
        POTRACK_ADMIN_PASSWORD="not-printed-1",
    )
    web.wait_ready()
    instances = {
        h.holder
        for h in wait_for(
            lambda: len(leases.live_instances(engine)) == 2 and leases.live_instances(engine), 20, "two live instances"
        )
    }
    workers = {int(p) for p in re.findall(r"Booting worker with pid: (\d+)", web.output())}
    assert len(instances) == 2 and {int(i.split(":")[1]) for i in instances} == workers
    assert leases.holding(engine, leases.SCHEDULER).holder in instances

    status, body = web.request("POST", "/api/runs", {"source": "plant"}, token)
    assert status == 202
    run = wait_for(
        lambda: (r := run_row(engine, body["run_id"]))["status"] not in ("queued", "running") and r,
        30,
        "the run to finish",
    )
    assert run["status"] == "success" and run["claimed_by"] in instances
    assert len(re.findall(rf"run #{body['run_id']} plant success in", web.output())) == 1

    assert web.stop() == 0
    assert leases.live_instances(engine) == [] and leases.holding(engine, leases.SCHEDULER) is None
    assert sorted(re.findall(r"scheduler of instance (\S+) stopped", web.output())) == sorted(instances)


def test_a_bad_configuration_stops_gunicorn_before_any_worker(workdir):
    env = {"PATH": "/usr/bin:/bin", "POTRACK_INSTANCE": str(workdir / "instance"), "POTRACK_LEASE_TTL_S": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "scripts" / "gunicorn.conf.py"),
            "-b",
            "127.0.0.1:0",
            "app:server",
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        "potrack: configuration error: POTRACK_LEASE_TTL_S: expected whole seconds from 3 to 600, got 1" in done.stderr
    )
    assert "Booting worker" not in done.stderr
