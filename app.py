"""potrack's web app: `python app.py` serves it on POTRACK_HOST:POTRACK_PORT (default 127.0.0.1:8050).

Building the app (importing this module) starts nothing: `main()` starts potrack, builds the demo
history on a fresh demo install, starts the scheduler unless POTRACK_SCHEDULER=off, and serves.
"""

import sys

from dash import Dash

from jobs.scheduler import start_scheduler
from pages import _shell
from potrack import bootstrap, demo_history
from potrack.config import ConfigError, envbool, envint, envstr
from potrack.tz import local_zone

app = Dash(__name__, use_pages=True, title="potrack", suppress_callback_exceptions=True)
app.layout = _shell.layout
server = app.server


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
    bootstrap.install(runtime)
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
