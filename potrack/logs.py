"""Logging set-up: `[timestamp] [level] [component] message` to stderr and a rotating file; the access log apart."""

from __future__ import annotations

import io
import logging
import logging.handlers
from pathlib import Path
from typing import cast

from potrack import owner_only
from potrack.redact import ScrubFilter

FORMAT = "[%(asctime)s] [%(levelname)s] [%(name)s] %(message)s"
ACCESS_LOGGER = "potrack.access"  # one line per HTTP request, when POTRACK_ACCESS_LOG is on


class OwnerOnlyFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file whose files (the first and each one after a rollover) are readable by their owner only."""

    def _open(self) -> io.TextIOWrapper:
        return cast(
            io.TextIOWrapper,
            open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=owner_only.opener),
        )


def configure_logging(instance_dir: Path, level: str = "INFO") -> None:
    """Send potrack's logs (and the web server's own) to stderr and instance/logs/potrack.log, and the access log
    to stderr and instance/logs/access.log; secrets scrubbed."""
    root = logging.getLogger("potrack")
    if getattr(root, "_potrack_configured", None) == str(instance_dir):
        return
    log_dir = owner_only.make_dir(instance_dir / "logs")
    handlers = _handlers(log_dir / "potrack.log", logging.Formatter(FORMAT))
    _route(root, handlers, level)
    # waitress's warnings (a queue of requests waiting for a thread, a broken connection) read like potrack's own.
    _route(logging.getLogger("waitress"), handlers, level)
    # Each line is a whole common-log-format entry, as log analysers read it; the file is created by its first line.
    _route(logging.getLogger(ACCESS_LOGGER), _handlers(log_dir / "access.log", logging.Formatter(), delay=True), "INFO")
    root._potrack_configured = str(instance_dir)  # type: ignore[attr-defined]  # (a marker: configure once per dir)


def _handlers(path: Path, formatter: logging.Formatter, *, delay: bool = False) -> list[logging.Handler]:
    """A stderr handler and a rotating owner-only file, both formatting with `formatter` and scrubbing secrets."""
    handlers: list[logging.Handler] = [
        logging.StreamHandler(),
        OwnerOnlyFileHandler(path, maxBytes=10_000_000, backupCount=5, encoding="utf-8", delay=delay),
    ]
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(ScrubFilter())
    return handlers


def _route(logger: logging.Logger, handlers: list[logging.Handler], level: str) -> None:
    """Make these the only handlers of `logger` (closing the ones it had), at `level`, not passed further up."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def scrub_web_logs(server_logger: logging.Logger) -> None:
    """Scrub secrets from what the web app logs itself (an unhandled error in a page)."""
    if not any(isinstance(f, ScrubFilter) for f in server_logger.filters):
        server_logger.addFilter(ScrubFilter())
