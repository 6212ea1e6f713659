"""The key that signs session cookies: POTRACK_SECRET_KEY, or one generated once and kept in instance/ (0600)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from potrack import redact

FILE_NAME = "secret_key"


def session_secret(configured: str | None, instance_dir: Path) -> str:
    """The configured key, else the instance's key file, created with mode 0600 when missing."""
    if configured:
        return configured
    path = instance_dir / FILE_NAME
    instance_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
    else:
        key = secrets.token_hex(32)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
    if len(key) < 16:
        raise ValueError(f"{path}: the session key is shorter than 16 characters; delete the file to make a new one")
    redact.register_secret(key)
    return key
