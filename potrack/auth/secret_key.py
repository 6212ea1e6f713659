"""The key that signs session cookies: POTRACK_SECRET_KEY, or one generated once and kept in instance/ (0600)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from potrack import owner_only, redact

FILE_NAME = "secret_key"


def _write_key_once(path: Path) -> None:
    """Put a new key in the file unless it exists; the file appears complete or not at all (workers starting
    together must not read a file another is still writing)."""
    draft = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    with open(draft, "x", encoding="ascii", opener=owner_only.opener) as fh:
        fh.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def session_secret(configured: str | None, instance_dir: Path) -> str:
    """The configured key, else the instance's key file, created with mode 0600 when missing."""
    if configured:
        return configured
    path = owner_only.make_dir(instance_dir) / FILE_NAME
    if not path.exists():
        _write_key_once(path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 16:
        raise ValueError(f"{path}: the session key is shorter than 16 characters; delete the file to make a new one")
    redact.register_secret(key)
    return key
