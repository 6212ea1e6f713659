"""`python app.py` serves through waitress, a production WSGI server (no "development server" warning), and a
normal start logs nothing above INFO: the scheduler taking the lead is news, not a warning."""

import re
import urllib.request

from tests.support.workdir import write_config

SMALL_DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { lines = 100 }\n'
LOG_LINE = re.compile(r"^\[[^\]]+\] \[(?P<level>[A-Z]+)\] \[(?P<component>[\w.]+)\] ")


def test_the_app_answers_through_waitress_and_its_start_logs_only_info(app_processes, workdir):
    write_config(workdir, SMALL_DEMO)
    web = app_processes.app("app", POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_ADMIN_PASSWORD="not-shown-1")
    web.wait_ready()
    with urllib.request.urlopen(f"{web.url}/api/health", timeout=10) as answer:
        server = answer.headers["Server"]
    web.scheduler_started_at()
    assert web.stop() == 0

    output = web.output()
    assert server == "waitress"
    assert "development server" not in output and "Werkzeug" not in output
    levels = [m["level"] for line in output.splitlines() if (m := LOG_LINE.match(line))]
    assert levels and set(levels) == {"INFO"}, output
    assert "scheduler started" in output
