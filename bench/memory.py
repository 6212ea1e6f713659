"""The benchmarks' child processes, each measured alone: run one and read its JSON answer; peak memory from /proc."""

from __future__ import annotations

import json
import subprocess
import sys


def memory_kib(field: str) -> int:
    """A line of /proc/self/status in KiB: VmRSS (now) or VmHWM (the peak so far) (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def in_child(script: str, *args: str, timeout: float = 600) -> dict:
    """Run a benchmark script in a fresh Python process and return the JSON object its last line prints."""
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{script} failed with exit code {proc.returncode}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
