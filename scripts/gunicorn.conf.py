"""Gunicorn settings for potrack: `gunicorn -c scripts/gunicorn.conf.py app:server` from the project's root.

Every worker process is one app instance: it starts potrack after it has forked (its own store connections,
scheduler and leases; the store decides which instance runs the cron jobs and each queued run is claimed once),
and stops it when it exits, giving its leases up. Options on the command line win over these defaults
(`-w 4`, `-b 0.0.0.0:8050`, ...).
"""

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # app.py and potrack/, whatever the cwd

bind = f"{os.environ.get('POTRACK_HOST', '127.0.0.1')}:{os.environ.get('POTRACK_PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, so a slow page never holds up the health check; runs execute in each instance's own threads.
worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 30


def on_starting(server: Any) -> None:
    """In the master, before any worker: a bad configuration stops gunicorn here, naming the key (exit code 2)."""
    from potrack.config import ConfigError, envbool, load_settings
    from potrack.tz import local_zone

    try:
        local_zone(load_settings().timezone)
        envbool("POTRACK_SCHEDULER", True)
    except ConfigError as exc:
        print(f"potrack: configuration error: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)


def post_worker_init(worker: Any) -> None:
    """In each worker: start potrack (store, first admin, demo history, scheduler) as `python app.py` does."""
    import app

    worker.potrack_scheduler = app.start()


def worker_exit(server: Any, worker: Any) -> None:
    """A worker is stopping: stop its scheduler and release its leases, so another instance takes over at once."""
    scheduler = getattr(worker, "potrack_scheduler", None)
    if scheduler is not None:
        scheduler.stop()
