"""Gunicorn settings for potrack: `gunicorn -c scripts/gunicorn.conf.py app:server` from the project's root.

Every worker process is one app instance: it starts potrack after it has forked (its own store connections,
scheduler and leases; the store decides which instance runs the cron jobs and each queued run is claimed once),
and stops it when it exits, giving its leases up. Options on the command line win over these defaults
(`-w 4`, `-b 0.0.0.0:8050`, ...). POTRACK_ACCESS_LOG=1 logs each request in every worker, as `python app.py` does
(gunicorn's own --access-logfile stays off unless given).
"""

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # app.py and potrack/, whatever the cwd

from potrack.config import ConfigError, load_settings  # noqa: E402

try:  # read once in the master: the address to bind, and a bad configuration is reported in on_starting
    _settings, _error = load_settings(), None
    bind = f"{_settings.host}:{_settings.port}"
except ConfigError as exc:
    _error = exc
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, so a slow page never holds up the health check; runs execute in each instance's own threads.
worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 30


def on_starting(server: Any) -> None:
    """In the master, before any worker: a bad configuration stops gunicorn here, naming the key (exit code 2)."""
    if _error is not None:
        print(f"potrack: configuration error: {_error}", file=sys.stderr, flush=True)
        sys.exit(2)


def post_worker_init(worker: Any) -> None:
    """In each worker: start potrack (store, first admin, demo history, scheduler) as `python app.py` does; the
    worker that created the admin shows the start banner with its password, once."""
    import app
    from potrack.runtime import settings
    from potrack.start_banner import start_banner

    started = app.start()
    worker.potrack_scheduler = started.scheduler
    if started.admin_password is not None:
        urls = ", ".join(f"http://{address}/" for address in worker.cfg.bind)
        print(start_banner(urls, settings(), started.admin_password), flush=True)


def worker_exit(server: Any, worker: Any) -> None:
    """A worker is stopping: stop its scheduler and release its leases, so another instance takes over at once."""
    scheduler = getattr(worker, "potrack_scheduler", None)
    if scheduler is not None:
        scheduler.stop()
