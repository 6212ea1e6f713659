"""potrack's web app: `python app.py` serves it on POTRACK_HOST:POTRACK_PORT (default 127.0.0.1:8050);
`gunicorn -c scripts/gunicorn.conf.py app:server` serves it with several worker processes.

Building the app (importing this module) starts nothing: `start()` starts potrack in this process (the store,
the first admin, the demo history of a fresh demo install, the scheduler unless POTRACK_SCHEDULER=off), and
`main()` does that and serves until SIGINT or SIGTERM.
"""

import signal
import sys
from types import FrameType

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
from potrack.runtime import current as current_runtime
from potrack.runtime import install as install_runtime
from potrack.runtime import start as start_runtime
from potrack.store.leases import new_instance_id
from potrack.web.headers import register_security_headers
from potrack.web.search import register_search

app = Dash(__name__, use_pages=True, title="potrack", suppress_callback_exceptions=True)
app.layout = _shell.layout
server = app.server
init_auth(server)
register_security_headers(server)
register_api(server)
register_search(server)
scrub_web_logs(server.logger)


def install(runtime: Runtime) -> None:
    """Make a runtime the one the pages, the API and the session key come from."""
    install_runtime(runtime)
    configure_session(server, runtime)


def first_admin(runtime: Runtime) -> None:
    """On a store with no users, create `admin` and print its generated password once."""
    generated = ensure_first_admin(runtime.engine, runtime.settings.admin_password)
    if generated is not None:
        print(
            f"potrack: created user 'admin' with password {generated} (shown only now; "
            "change it with `python -m potrack users set-password admin`)",
            flush=True,
        )


def start() -> RunningScheduler | None:
    """Start potrack in this process; returns its scheduler (None when POTRACK_SCHEDULER=off).

    Raises ConfigError for a bad configuration.
    """
    runtime = start_runtime()
    install(runtime)
    first_admin(runtime)
    demo_history.build_once(runtime.settings, runtime.engine, new_instance_id())
    return start_scheduler(runtime) if runtime.settings.scheduler else None


def _stop_serving(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM (a service manager stopping potrack) ends the server cleanly: the scheduler stops and gives its
    leases up, and the exit code is 0."""
    raise SystemExit(0)


def main() -> int:
    """Serve the app with the scheduler; exit code 2 on a configuration error."""
    try:
        scheduler = start()
    except ConfigError as exc:
        print(f"potrack: configuration error: {exc}", file=sys.stderr)
        return 2
    settings = current_runtime().settings
    signal.signal(signal.SIGTERM, _stop_serving)
    try:
        app.run(host=settings.host, port=settings.port, debug=False)
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
