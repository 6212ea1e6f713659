"""potrack's web app: `python app.py` serves it with waitress on POTRACK_HOST:POTRACK_PORT (default
127.0.0.1:8050); `gunicorn -c scripts/gunicorn.conf.py app:server` serves it with several worker processes.

Building the app (importing this module) starts nothing: `start()` starts potrack in this process (the store,
the first admin, the demo history of a fresh demo install, the scheduler unless POTRACK_SCHEDULER=off), and
`main()` does that, prints the start banner and serves until SIGINT or SIGTERM.
"""

import signal
import sys
from dataclasses import dataclass
from types import FrameType

import waitress
from dash import Dash

from jobs.scheduler import RunningScheduler, start_scheduler
from pages import _shell
from potrack import demo_history
from potrack.api import register_api
from potrack.auth.session import configure_session, init_auth
from potrack.auth.users import ensure_first_admin
from potrack.config import ConfigError
from potrack.logs import scrub_web_logs
from potrack.runtime import Runtime
from potrack.runtime import install as install_runtime
from potrack.runtime import start as start_runtime
from potrack.start_banner import listen_url, start_banner
from potrack.store.leases import new_instance_id
from potrack.web.access_log import log_requests
from potrack.web.headers import register_security_headers
from potrack.web.plotly_bundle import register_plotly_bundle
from potrack.web.search import register_search

app = Dash(__name__, use_pages=True, title="potrack", suppress_callback_exceptions=True)
app.layout = _shell.layout
server = app.server
init_auth(server)
register_security_headers(server)
register_api(server)
register_search(server)
plotly_js = register_plotly_bundle(app)  # before the first request, as every route
scrub_web_logs(server.logger)


# Threads answering requests: a page load sends several callbacks at once, and a slow page must not hold up the rest.
SERVER_THREADS = 8
# waitress spools a request body to disk before the app reads it, and refuses one over 1 GiB by default: an
# upload up to its source's limit (plus the multipart form around the file) must get through to potrack's own check.
WAITRESS_BODY = 1 << 30
FORM_SLACK = 16 << 20


@dataclass(frozen=True)
class Started:
    """potrack started in this process: its scheduler (None when off) and the admin password this start generated
    (None when it created no user or the password was configured)."""

    scheduler: RunningScheduler | None
    admin_password: str | None


def install(runtime: Runtime) -> None:
    """Make a runtime the one the pages, the API and the session key come from; log requests if it says so."""
    install_runtime(runtime)
    configure_session(server, runtime)
    log_requests(server, runtime.settings.access_log)
    plotly_js.log()  # (once the logs are set up: which plotly.js the graphs load)


def first_admin(runtime: Runtime) -> str | None:
    """On a store with no users, create `admin`; returns its password when it was generated (to be shown once)."""
    return ensure_first_admin(runtime.engine, runtime.settings.admin_password)


def start(runtime: Runtime | None = None) -> Started:
    """Start potrack in this process (with this runtime, else one started from the configuration).

    Raises ConfigError for a bad configuration.
    """
    runtime = runtime or start_runtime()
    install(runtime)
    admin_password = first_admin(runtime)
    demo_history.build_once(runtime.settings, runtime.engine, new_instance_id())
    scheduler = start_scheduler(runtime) if runtime.settings.scheduler else None
    return Started(scheduler=scheduler, admin_password=admin_password)


def _stop_serving(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM (a service manager stopping potrack) ends the server cleanly: the scheduler stops and gives its
    leases up, and the exit code is 0."""
    raise SystemExit(0)


def main() -> int:
    """Serve the app with the scheduler; exit code 2 on a configuration error, 1 when the address is taken."""
    try:
        runtime = start_runtime()
        settings = runtime.settings
        try:  # bound before anything starts: a taken port stops potrack before it creates the admin or runs a job
            largest = max((s.upload_max_bytes for s in settings.sources if s.upload), default=0)
            listener = waitress.create_server(
                server,
                host=settings.host,
                port=settings.port,
                threads=SERVER_THREADS,
                max_request_body_size=max(WAITRESS_BODY, largest + FORM_SLACK),
            )
        except OSError as exc:
            print(f"potrack: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        started = start(runtime)
    except ConfigError as exc:
        print(f"potrack: configuration error: {exc}", file=sys.stderr)
        return 2
    print(start_banner(listen_url(settings.host, settings.port), settings, started.admin_password), flush=True)
    signal.signal(signal.SIGTERM, _stop_serving)
    try:
        listener.run()  # (returns on SIGINT or SIGTERM, once its threads have stopped)
    finally:
        listener.close()
        if started.scheduler is not None:
            started.scheduler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
