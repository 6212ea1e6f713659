"""Where potrack runs in a test: a working directory of its own with its own instance/ and potrack.toml, and no
POTRACK_* setting leaking in from outside; and, for every test, an instance directory of its own (never the
checkout's ./instance)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from potrack.runtime import Runtime, start
from tests.support import SERVICE_SETTINGS
from tests.support.web import live_runs


@pytest.fixture(autouse=True)
def own_instance(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's potrack keeps its instance directory (logs, session key, demo ERP, SQLite store) in a temporary
    directory: the default, ./instance, would be the checkout's when a test starts potrack without `workdir`."""
    monkeypatch.setenv("POTRACK_INSTANCE", str(tmp_path_factory.mktemp("potrack") / "instance"))


@pytest.fixture
def workdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_backend: str, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """A working directory with its own instance/ and potrack.toml path; no POTRACK_* leaks in.

    On the postgresql back-end POTRACK_DATABASE_URL points the store at a scratch schema. The liveness locks of
    running runs a test added (tests/support/web.py) are let go at its end.
    """
    for name in list(os.environ):
        if name.startswith("POTRACK_") and name not in SERVICE_SETTINGS:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POTRACK_INSTANCE", str(tmp_path / "instance"))
    if store_backend == "postgresql":
        monkeypatch.setenv("POTRACK_DATABASE_URL", request.getfixturevalue("pg_schema").url)
    yield tmp_path
    live_runs.close()


def write_config(workdir: Path, text: str) -> Path:
    """Write potrack.toml in the working directory."""
    path = workdir / "potrack.toml"
    path.write_text(text, encoding="utf-8")
    return path


def open_store() -> Runtime:
    """Settings and a migrated store for the potrack.toml the test wrote (like the CLI at start)."""
    return start()
