"""A web-only instance (POTRACK_SCHEDULER=off) builds no cron job, yet a schedule APScheduler cannot build stops
it at start (exit 2, the key named) instead of serving an /api/health that answers 500; fixed, it serves and
/api/health answers 200."""

from __future__ import annotations

import socket

from tests.support.workdir import write_config

CONFIG = '[[sources]]\nname = "demo"\nkind = "demo"\nschedule = "{schedule}"\ndemo = {{ lines = 50 }}\n'


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_bad_schedule_stops_a_web_only_instance_and_a_good_one_serves_health(workdir, app_processes):
    write_config(workdir, CONFIG.format(schedule="61 2 * * *"))
    bad = app_processes.app("bad", POTRACK_SCHEDULER="off")
    assert bad.proc.wait(timeout=120) == 2, bad.output()
    assert "sources[0].schedule" in bad.output() and "Traceback" not in bad.output()
    assert not listening(bad.port)

    write_config(workdir, CONFIG.format(schedule="1 2 * * *"))
    good = app_processes.app("good", POTRACK_SCHEDULER="off")
    good.wait_ready()
    status, body = good.request("GET", "/api/health")
    assert status == 200 and [s["name"] for s in body["sources"]] == ["demo"]
