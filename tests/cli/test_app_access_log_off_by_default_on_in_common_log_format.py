"""The access log is off by default: requests to `python app.py` log nothing. POTRACK_ACCESS_LOG=1 logs one line
per request in the common log format (`host ident user [time] "request line" status bytes`), on stderr and in
instance/logs/access.log; gunicorn's workers log the same way."""

import datetime as dt
import re
import urllib.error
import urllib.request

from tests.support.workdir import write_config

SMALL_DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { lines = 100 }\n'
CLF = re.compile(
    r'^(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) '
    r"(?P<size>\d+|-)$"
)
# Three answers of three kinds: JSON, an HTML page (with a query string), a redirect to the sign-in.
PATHS = ("/api/openapi.json", "/login?next=%2Fruns", "/runs")
READY_PROBE = "GET /api/health HTTP/1.1"  # what wait_ready asks until the app answers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a redirect as the answer: one request, one line."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201 - urllib's signature
        return None


def fetch(url: str) -> tuple[int, int]:
    """GET url (no redirect followed); the status and the length of the body received."""
    try:
        with urllib.request.build_opener(NoRedirect()).open(url, timeout=10) as answer:
            return answer.status, len(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, len(err.read())


def access_lines(text: str) -> list[re.Match]:
    return [m for line in text.splitlines() if (m := CLF.match(line))]


def test_without_the_setting_requests_log_nothing(app_processes, workdir):
    write_config(workdir, SMALL_DEMO)
    web = app_processes.app("app", POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_SCHEDULER="off")
    web.wait_ready()
    for path in PATHS:
        fetch(web.url + path)
    assert web.stop() == 0
    assert access_lines(web.output()) == []
    assert not any(path in web.output() for path in PATHS)
    assert not (workdir / "instance" / "logs" / "access.log").exists()


def check_one_line_per_request(web, workdir) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    answers = [fetch(web.url + path) for path in PATHS]
    after = dt.datetime.now(dt.UTC)
    assert web.stop() == 0

    logged = [m for m in access_lines(web.output()) if m["request"] != READY_PROBE]
    assert [m["request"] for m in logged] == [f"GET {path} HTTP/1.1" for path in PATHS], web.output()
    for m, (status, size) in zip(logged, answers, strict=True):
        assert (m["host"], m["ident"], m["user"]) == ("127.0.0.1", "-", "-")
        assert before <= dt.datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z") <= after
        assert (int(m["status"]), m["size"]) == (status, str(size) if size else "-")
    assert [status for status, _ in answers] == [200, 200, 302]
    in_file = (workdir / "instance" / "logs" / "access.log").read_text(encoding="utf-8")
    assert [m[0] for m in logged] == [m[0] for m in access_lines(in_file) if m["request"] != READY_PROBE]


def test_with_the_setting_each_request_logs_one_common_log_format_line(app_processes, workdir):
    write_config(workdir, SMALL_DEMO)
    web = app_processes.app(
        "app", POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_SCHEDULER="off", POTRACK_ACCESS_LOG="1"
    )
    web.wait_ready()
    check_one_line_per_request(web, workdir)


def test_gunicorn_workers_log_requests_with_the_setting_too(app_processes, workdir):
    write_config(workdir, SMALL_DEMO)
    web = app_processes.gunicorn(
        "gunicorn",
        "-w",
        "1",
        POTRACK_INSTANCE=str(workdir / "instance"),
        POTRACK_SCHEDULER="off",
        POTRACK_ACCESS_LOG="on",
        POTRACK_ADMIN_PASSWORD="not-printed-1",
    )
    web.wait_ready()
    check_one_line_per_request(web, workdir)
