"""Fault: the disk fills up under a `potrack run` process. What must hold: the run fails with a clear one-line error
naming the full disk (its report and the last line it prints), commits nothing, and the next run, once there is
space again, succeeds and stores the night exactly as the ERP rows make it.

The disk is a real size-limited file system: a tmpfs mounted for the test (this needs root, CAP_SYS_ADMIN; the
test is skipped, saying so, where mounting is not allowed), filled with a file; deleting that file gives the space
back.
- The run's spool (its pending lines and rejected rows: temporary files in TMPDIR, not in instance/) and instance/
  (logs, run lock files, on SQLite the store) on a disk with 200 KiB left: the extract fails writing the spool,
  whose files go at once, so the failure is recorded. On both stores.
- instance/ holding a SQLite store on a disk filled to the last byte while the run reads its night (held in a
  named pipe): its progress, its commit and then the record of its failure cannot be written.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.faults import (
    CliProcess,
    HeldNight,
    assert_lines_are_the_erps,
    mid_extract,
    newest_run,
    night,
    plain_engine,
    runs_of,
    setup_workdir,
    store_state,
    write_night,
)

SIZE = 3000
DISK = "8m"


class SmallDisk:
    """A tmpfs of DISK bytes mounted at `path`: `fill(leaving)` leaves about that much free, `empty()` frees it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"

    def fill(self, leaving: int = 0) -> None:
        stat = os.statvfs(self.path)
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            left = max(0, stat.f_bavail * stat.f_frsize - leaving)
            for chunk in (65536, 4096, 1):  # to the last byte when leaving nothing
                while left >= chunk or (not leaving and chunk == 1):
                    try:
                        left -= os.write(fd, b"\0" * chunk)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)

    def empty(self) -> None:
        self.filler.unlink()


@pytest.fixture
def small_disk(workdir: Path) -> Iterator[SmallDisk]:
    """A size-limited file system in the working directory, unmounted afterwards (skipped where it cannot be)."""
    path = workdir / "small"
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here (needs root, CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def run_on(workdir: Path, name: str, env: dict[str, str]) -> tuple[int, dict, str]:
    code, reports, err = CliProcess(workdir, name, **env).wait()
    assert len(reports) == 1, f"exit {code} without a report:\n{err}"
    return code, reports[0], err


def store_url_of(env: dict[str, str]) -> str:
    return os.environ.get("POTRACK_DATABASE_URL") or f"sqlite:///{env['POTRACK_INSTANCE']}/potrack.db"


def night_1_stored(workdir: Path, env: dict[str, str]) -> tuple[list, list, Any, Any]:
    """Nights 1 and 2 of the ERP, night 1 run with space to spare; the store's engine and its state then."""
    setup_workdir(workdir)
    first, second = night(1, SIZE), night(2, SIZE)
    write_night(workdir, first)
    assert run_on(workdir, "night-1", env)[0] == 0
    engine = plain_engine(store_url_of(env))
    return first, second, engine, store_state(engine)


def check_full_disk_run(
    workdir: Path, disk: SmallDisk, env: dict[str, str], leaving: int, stage: str, error: str
) -> None:
    """Night 1 with space, night 2 with `leaving` bytes free (fails in `stage` with `error`), night 2 again with
    space (succeeds)."""
    first, second, engine, before = night_1_stored(workdir, env)
    write_night(workdir, second)
    disk.fill(leaving)

    code, report, err = run_on(workdir, "disk-full", env)

    assert (code, report["status"], report["error"]) == (1, "failed", f"{stage}: {error}"), err
    assert err.strip().splitlines()[-1].endswith(f"failed in {report['duration_s']:.2f} s at stage {stage}: {error}")
    assert store_state(engine) == before  # nothing of the night committed

    disk.empty()
    code, report, err = run_on(workdir, "space-again", env)
    assert (code, report["status"]) == (0, "success"), err
    assert_lines_are_the_erps(engine, first, second)


@pytest.mark.backends  # the store on SQLite and on PostgreSQL
def test_a_full_disk_under_the_runs_spool_fails_the_extract_clearly_and_the_next_run_succeeds(workdir, small_disk):
    (small_disk.path / "tmp").mkdir()
    env = {"POTRACK_INSTANCE": str(small_disk.path / "instance"), "TMPDIR": str(small_disk.path / "tmp")}
    check_full_disk_run(workdir, small_disk, env, 200 * 1024, "extract", "OSError: [Errno 28] No space left on device")


def test_a_sqlite_stores_disk_filling_up_mid_run_fails_it_clearly_and_commits_nothing(workdir, small_disk):
    env = {"POTRACK_INSTANCE": str(small_disk.path / "instance")}
    first, second, engine, before = night_1_stored(workdir, env)
    held = HeldNight(workdir, second, given=SIZE // 3)
    run = CliProcess(workdir, "disk-full", **env)
    try:
        held.give(run.proc)
        held.until(newest_run(engine, lambda: run.proc.poll() is None, mid_extract))
        small_disk.fill()  # to the last byte, while the run reads
        held.finish()
    finally:
        held.close()
    code, reports, err = run.wait()
    small_disk.empty()

    assert err.strip().splitlines()[-1].endswith("database or disk is full"), err
    assert code == 1
    assert store_state(engine) == before  # nothing of the night committed
    write_night(workdir, second)
    again, report_again, err_again = run_on(workdir, "space-again", env)
    assert (again, report_again["status"]) == (0, "success"), err_again
    assert_lines_are_the_erps(engine, first, second)
    assert [r["status"] for r in runs_of(engine)] == ["success", "abandoned", "success"]

    # The outcome is printed even though the store could not take it (a scheduler reading --json learns it).
    assert [(r["status"], r["error"]) for r in reports] == [
        ("failed", "commit: OperationalError: (sqlite3.OperationalError) database or disk is full")
    ], err
