"""Peak memory of the benchmark's child processes, read from /proc (Linux)."""

from __future__ import annotations


def memory_kib(field: str) -> int:
    """A line of /proc/self/status in KiB: VmRSS (now) or VmHWM (the peak so far)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
