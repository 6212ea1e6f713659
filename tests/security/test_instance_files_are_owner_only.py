"""Whatever the umask (even 0, which would leave new files world-writable), instance/ and everything potrack
creates in it — the SQLite store with its -wal and -shm files, the session key, the logs (rotated ones too), the
demo ERP — are readable by their owner only: 0700 directories, 0600 files. A store file outside instance/ too; an
existing store keeps the mode its operator gave it."""

import logging
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from potrack.logs import OwnerOnlyFileHandler
from potrack.store.engine import make_engine
from tests.support.cli import run_cli_process

CONFIG = '[[sources]]\nname = "plant"\nkind = "demo"\ndemo = { lines = 50 }\n'


@pytest.fixture
def open_umask():
    """Umask 0 for this test (and the processes it starts): nothing but potrack's own modes protects a file."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def modes(root: Path) -> dict[str, str]:
    """Every directory and file under root (root included), relative path → permission bits in octal."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def wrong_modes(root: Path) -> dict[str, str]:
    return {
        name: mode
        for name, mode in modes(root).items()
        if mode != (oct(0o700) if (root / name).is_dir() else oct(0o600))
    }


def test_an_app_and_a_cli_run_create_only_owner_only_files(app_processes, workdir, open_umask):
    (workdir / "potrack.toml").write_text(CONFIG, encoding="utf-8")
    instance = workdir / "instance"
    web = app_processes.app(
        "web", POTRACK_INSTANCE=str(instance), POTRACK_SCHEDULER="off", POTRACK_ADMIN_PASSWORD="not-printed-1"
    )
    web.wait_ready()
    done = run_cli_process(workdir, "run", "--all")
    assert done.returncode == 0, done.stderr

    present = modes(instance)
    for name in (
        "potrack.db",
        "potrack.db-wal",
        "potrack.db-shm",
        "secret_key",
        "logs",
        "logs/potrack.log",
        "demo-erp-plant.sqlite",
    ):
        assert name in present, sorted(present)
    assert wrong_modes(instance) == {}


def test_a_store_outside_instance_is_created_owner_only_with_its_directory(tmp_path, open_umask):
    store = tmp_path / "data" / "potrack.db"
    engine = make_engine(f"sqlite:///{store}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert {p.name for p in store.parent.iterdir()} == {"potrack.db", "potrack.db-wal", "potrack.db-shm"}
        assert wrong_modes(store.parent) == {}
    engine.dispose()


def test_an_existing_store_keeps_its_mode(tmp_path, open_umask):
    store = tmp_path / "potrack.db"
    store.touch()
    store.chmod(0o640)
    with make_engine(f"sqlite:///{store}").connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    assert stat.S_IMODE(store.stat().st_mode) == 0o640


def test_rotated_log_files_are_owner_only(tmp_path, open_umask):
    handler = OwnerOnlyFileHandler(tmp_path / "potrack.log", maxBytes=200, backupCount=3, encoding="utf-8")
    logger = logging.getLogger("potrack.test-rotation")
    logger.addHandler(handler)
    try:
        for n in range(40):
            logger.warning("line %d of a log that rotates every few lines", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert {p.name for p in tmp_path.iterdir()} == {"potrack.log", "potrack.log.1", "potrack.log.2", "potrack.log.3"}
    assert {name: mode for name, mode in wrong_modes(tmp_path).items() if name != "."} == {}  # (pytest's dir)
