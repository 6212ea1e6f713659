"""A run's liveness lock is held by the process executing it and freed by the database or the operating system the
moment that process is killed: no timeout, no clean-up by the dead process."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from potrack.store import liveness
from tests.support import ROOT

HOLDER = textwrap.dedent("""
    import sys, time
    import sqlalchemy as sa
    from potrack.store import liveness
    engine = sa.create_engine(sys.argv[1])
    with liveness.held(engine, int(sys.argv[2])) as taken:
        print("held" if taken else "refused", flush=True)
        time.sleep(600)
""")


def start_holder(url: str, run_id: int) -> subprocess.Popen[str]:
    """Another process that takes the run's lock and keeps it until it is killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(run_id)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def dead(engine: sa.Engine, run_id: int) -> bool:
    with liveness.if_dead(engine, run_id) as found_dead:
        return found_dead


@pytest.mark.backends  # the store on SQLite and on PostgreSQL
def test_a_held_lock_shows_its_run_alive_and_is_free_at_once_after_sigkill(store_url):
    engine = sa.create_engine(store_url)
    holder = start_holder(store_url, 7)
    try:
        assert not dead(engine, 7) and not dead(engine, 7)  # asking twice does not take it away
        with liveness.held(engine, 7) as taken:
            assert not taken  # nobody else may execute run 7 while its process lives
        assert dead(engine, 8)  # another run's lock is unrelated
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    assert dead(engine, 7)


@pytest.mark.backends
def test_a_lock_given_back_after_its_run_finished_can_be_taken_again(store_url):
    engine = sa.create_engine(store_url)
    with liveness.held(engine, 3) as taken:
        assert taken
    with liveness.held(engine, 3) as again:
        assert again
    assert dead(engine, 3)


def test_a_sqlite_stores_lock_files_live_beside_it_readable_by_their_owner_only(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'instance' / 'potrack.db'}")
    with liveness.held(engine, 5) as taken:
        lock = tmp_path / "instance" / "potrack.db-runs" / "run-5.lock"
        assert taken and lock.exists()
        assert oct(lock.stat().st_mode & 0o777) == oct(0o600)
        assert oct(lock.parent.stat().st_mode & 0o777) == oct(0o700)
    assert not lock.exists()  # no file is left behind by a run that finished
