"""Real app processes for tests: `python app.py` (or gunicorn) on a free loopback port, output kept in a file.

Each process gets only the environment given (nothing of the test's POTRACK_* leaks in) and is stopped when
the test ends, whatever happened.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, SERVICE_SETTINGS
from tests.support.services import die_with_parent, free_port

SCHEDULER_STARTED = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\] \[INFO\] \[potrack\.jobs\] scheduler started", re.M
)


class AppProcess:
    """One app process serving on 127.0.0.1:port from the directory `root`."""

    def __init__(self, command: list[str], root: Path, port: int, env: dict[str, str], log: Path) -> None:
        self.root, self.port, self.log = root, port, log
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_") or k in SERVICE_SETTINGS}
        full_env.update(PYTHONPATH=str(ROOT), POTRACK_PORT=str(port), **env)
        with log.open("w", encoding="utf-8") as out:  # the process writes to its own copy of the descriptor
            self.proc = subprocess.Popen(
                command,
                cwd=root,
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """Everything the process has printed so far (stdout and stderr)."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def scheduler_started_at(self, timeout: float = 10) -> float:
        """When its scheduler started, from its log (epoch seconds): its dispatcher fires then and every
        jobs.scheduler.DISPATCH_EVERY_S after (an interval job)."""
        deadline = time.monotonic() + timeout
        while not (found := SCHEDULER_STARTED.search(self.output())) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert found, self.output()
        return dt.datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S").timestamp() + int(found[2]) / 1000

    def wait_ready(self, path: str = "/api/health", timeout: float = 60) -> None:
        """Wait until the process answers `path` (any HTTP status); fail with its output if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited with {self.proc.returncode}:\n{self.output()}")
            try:
                urllib.request.urlopen(self.url + path, timeout=1)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the app did not answer {path} within {timeout} s:\n{self.output()}")

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        """A JSON request; returns the status and the decoded answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def kill(self) -> None:
        """SIGKILL: the process ends at once, without stopping its scheduler or giving its leases up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, as a service manager stops it; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode


class AppProcesses:
    """Starts app processes for one test and stops whichever are left at its end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: list[AppProcess] = []

    def app(self, name: str, **env: str) -> AppProcess:
        """`python app.py` with this environment."""
        return self._start([sys.executable, str(ROOT / "app.py")], name, env)

    def gunicorn(self, name: str, *args: str, **env: str) -> AppProcess:
        """`gunicorn -c scripts/gunicorn.conf.py ARGS app:server`, bound to the process's port."""
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "scripts" / "gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{port}",
            *args,
            "app:server",
        ]
        return self._start(command, name, env, port)

    def _start(self, command: list[str], name: str, env: dict[str, str], port: int | None = None) -> AppProcess:
        process = AppProcess(command, self.workdir, port or free_port(), env, self.workdir / f"{name}.log")
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.proc.poll() is None:
                process.stop()


@pytest.fixture
def app_processes(workdir: Path) -> Iterator[AppProcesses]:
    """Start app processes in the test's working directory; all are stopped afterwards."""
    processes = AppProcesses(workdir)
    try:
        yield processes
    finally:
        processes.stop_all()
