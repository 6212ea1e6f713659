"""potrack's web app: `python app.py` serves it on POTRACK_HOST:POTRACK_PORT (default 127.0.0.1:8050).

Building the app (importing this module) starts nothing: `main()` starts potrack, builds the demo
history on a fresh demo install, starts the scheduler unless POTRACK_SCHEDULER=off, and serves.
"""

import sys

from dash import Dash

from jobs.scheduler import start_scheduler
from pages import _shell
from potrack import bootstrap, demo_history
from potrack.api import register_api
from potrack.auth.session import configure_session, init_auth
from potrack.auth.users import ensure_first_admin
from potrack.config import ConfigError, envbool, envint, envstr
from potrack.logs import scrub_web_logs
from potrack.tz import local_zone

app = Dash(__name__, use_pages=True, title="potrack", suppress_callback_exceptions=True)
app.layout = _shell.layout
server = app.server
init_auth(server)
register_api(server)
scrub_web_logs(server.logger)


def install(runtime: bootstrap.Runtime) -> None:
    """Make a runtime the one the pages, the API and the session key come from."""
    bootstrap.install(runtime)
    configure_session(server, runtime)


def first_admin(runtime: bootstrap.Runtime) -> None:
    """On a store with no users, create `admin` and print its generated password once."""
    generated = ensure_first_admin(runtime.engine, runtime.settings.admin_password)
    if generated is not None:
        print(f"potrack: created user 'admin' with password {generated} (shown only now; "
              "change it with `python -m potrack users set-password admin`)", flush=True)


def main() -> int:
    """Serve the app with the scheduler; exit code 2 on a configuration error."""
    try:
        runtime = bootstrap.start()
        local_zone(runtime.settings.timezone)
        scheduler_on = envbool("POTRACK_SCHEDULER", True)
        host, port = envstr("POTRACK_HOST", "127.0.0.1"), envint("POTRACK_PORT", 8050)
    except ConfigError as exc:
        print(f"potrack: configuration error: {exc}", file=sys.stderr)
        return 2
    install(runtime)
    first_admin(runtime)
    if demo_history.wanted(runtime.settings, runtime.engine):
        demo_history.build(runtime.settings, runtime.engine)
    scheduler = start_scheduler(runtime) if scheduler_on else None
    try:
        app.run(host=host, port=port, debug=False)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
