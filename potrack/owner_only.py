"""Files and directories only their owner may read: the SQLite store, instance/ and what potrack writes in it.

Modes are set explicitly (0600 files, 0700 directories), whatever the process's umask. A file or directory that
already exists keeps its mode: an operator may have chosen it.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def _chmod_fd(fd: int, mode: int) -> None:
    if hasattr(os, "fchmod"):  # (not on Windows before Python 3.13, where modes mean little anyway)
        os.fchmod(fd, mode)


def make_dir(path: Path) -> Path:
    """Create a directory and any missing parents with mode 0700; returns the path."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in reversed(missing):
        os.chmod(created, DIR_MODE)
    return path


def opener(path: str, flags: int) -> int:
    """For `open(..., opener=owner_only.opener)`: a file the call creates gets mode 0600."""
    if not flags & os.O_CREAT:
        return os.open(path, flags)
    try:
        fd = os.open(path, flags | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        if flags & os.O_EXCL:
            raise
        return os.open(path, flags & ~os.O_CREAT)  # an existing file keeps its mode
    _chmod_fd(fd, FILE_MODE)
    return fd


def create_file(path: Path) -> bool:
    """Create an empty file with mode 0600 unless one exists (its directory too); whether it was created."""
    make_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        _chmod_fd(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True
