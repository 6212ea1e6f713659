"""Logging set-up: `[timestamp] [level] [component] message` to stderr and a rotating file."""

from __future__ import annotations

import io
import logging
import logging.handlers
from pathlib import Path
from typing import cast

from potrack import owner_only
from potrack.redact import ScrubFilter

FORMAT = "[%(asctime)s] [%(levelname)s] [%(name)s] %(message)s"


class OwnerOnlyFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file whose files (the first and each one after a rollover) are readable by their owner only."""

    def _open(self) -> io.TextIOWrapper:
        return cast(
            io.TextIOWrapper,
            open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=owner_only.opener),
        )


def configure_logging(instance_dir: Path, level: str = "INFO") -> None:
    """Send potrack's logs to stderr and instance/logs/potrack.log, secrets scrubbed."""
    root = logging.getLogger("potrack")
    if getattr(root, "_potrack_configured", None) == str(instance_dir):
        return
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    log_dir = owner_only.make_dir(instance_dir / "logs")
    formatter = logging.Formatter(FORMAT)
    handlers: list[logging.Handler] = [
        logging.StreamHandler(),
        OwnerOnlyFileHandler(log_dir / "potrack.log", maxBytes=10_000_000, backupCount=5, encoding="utf-8"),
    ]
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(ScrubFilter())
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    root._potrack_configured = str(instance_dir)  # type: ignore[attr-defined]  # (a marker: configure once per dir)


def scrub_web_logs(server_logger: logging.Logger) -> None:
    """Scrub secrets from what the web server logs itself (an unhandled error in a page, the request lines)."""
    for logger in (server_logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, ScrubFilter) for f in logger.filters):
            logger.addFilter(ScrubFilter())
