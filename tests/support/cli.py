"""potrack's CLI in a test: `potrack run --json` in this process, or `python -m potrack ...` as a real process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from potrack import cli
from tests.support import ROOT, SERVICE_SETTINGS


def run_cli(*args: str) -> tuple[int, list[dict[str, Any]]]:
    """Run `potrack run --json ...` in this process; returns the exit code and the JSON reports."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["run", "--json", *args])
    return code, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def run_cli_process(
    workdir: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m potrack ...` as a real process in the working directory (stdin: text to feed it)."""
    # The store the test's back-end chose goes along; other POTRACK_* settings are the test's to pass.
    passed = (*SERVICE_SETTINGS, "POTRACK_DATABASE_URL")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_") or k in passed}
    full_env.update({"PYTHONPATH": str(ROOT), "POTRACK_INSTANCE": str(workdir / "instance")}, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "potrack", *args],
        cwd=workdir,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
