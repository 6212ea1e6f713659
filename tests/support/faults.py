"""What the fault-injection tests share: a pair of ERP nights with a model of the lines they must leave in the
store (computed from the ERP rows alone), a csv source whose files can end in a named pipe to hold a run mid-extract,
real CLI processes to kill, polls of the store, and the store's state reduced to what two stores must share.

The nights are read by a csv source from `erp/po-*.csv`. Written as one plain file, the run reads it at once; held
(`HeldNight`), its second part is a named pipe: the run reads what the test has written into it and then waits,
mid-extract, for more.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from potrack.pipeline.progress import EVERY_S
from tests.support import ROOT, SERVICE_SETTINGS
from tests.support.cli import run_cli
from tests.support.erp import ERP_COLUMNS, day, erp_line
from tests.support.services import create_pg_schema, die_with_parent
from tests.support.store import json_value, store_rows
from tests.support.timing import wait_for

SOURCE = "erp"
XREF = {f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)}  # ITEM-0, ITEM-10 and ITEM-11 stay unmapped
BATCH = 200
# Its schedule, once a year, keeps an app process's scheduler from queueing runs of its own during a test.
CONFIG = f"""
[[sources]]
name = "{SOURCE}"
kind = "csv"
path = "erp/po-*.csv"
schedule = "0 3 1 1 *"
batch_size = {BATCH}
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ path = "xref.csv" }}
retry = {{ attempts = 2, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
"""
LINE_FIELDS = (
    "item_code",
    "supplier_code",
    "description",
    "uom",
    "quantity_ordered",
    "quantity_received",
    "unit_price",
    "currency",
    "order_date",
    "promised_date",
    "need_by_date",
    "status",
    "buyer",
    "plant",
)
NUMBER_FIELDS = ("quantity_ordered", "quantity_received", "unit_price")
BAD_KEYS = (("PO-BAD", 1), ("PO-BAD", 2))
SQLITE_SIZE, PG_SIZE = 10_000, 2_000  # lines a night: on SQLite its commit must last long enough to be caught in


# --- the nights and their model -----------------------------------------------------------------------------------


def night(number: int, size: int, bad_rows: bool = False) -> list[dict[str, Any]]:
    """Night 1: `size` lines. Night 2: every other line receives 5 more, every 7th slips its promised date, every
    5th changes its udf_1, every 100th is gone, three lines are new; with `bad_rows`, two new rows have a negative
    quantity_ordered (rejected)."""
    later = number == 2
    rows = []
    for i in range(size):
        if later and i % 100 == 7:
            continue
        rows.append(
            erp_line(
                f"PO{i // 10:05d}",
                i % 10 + 1,
                item_code=f"ITEM-{i % 12}",
                quantity_received=10 + (5 if later and i % 2 == 0 else 0),
                promised_date=day(5) if later and i % 7 == 0 else day(0),
                udf_1="B" if later and i % 5 == 0 else f"A{i % 4}",
                udf_3=i % 5 + 0.5,
            )
        )
    if later:
        rows += [erp_line("PO-NEW", n, item_code="ITEM-1", udf_1="N", udf_3=2) for n in (1, 2, 3)]
        if bad_rows:
            rows += [erp_line(po, n, quantity_ordered=-1) for po, n in BAD_KEYS]
    return rows


def expected_lines(*nights: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """The lines the store must hold after these nights, from the ERP rows alone: each valid row of the last night
    active with its values and its part from XREF, each earlier line the last night lacks inactive as it was.
    (A row with a negative quantity is rejected; the nights give such rows only to keys never stored.)"""
    model: dict[tuple[str, int], dict[str, Any]] = {}
    for rows in nights:
        seen = set()
        for row in rows:
            if row["quantity_ordered"] < 0:
                continue
            key = (row["po_number"], row["line_number"])
            seen.add(key)
            model[key] = {
                **{f: float(row[f]) if f in NUMBER_FIELDS else row[f] for f in LINE_FIELDS},
                "internal_part_id": XREF.get(row["item_code"]),
                "custom": {"udf_1": row["udf_1"], "udf_3": float(row["udf_3"])},
                "active": True,
            }
        for key, line in model.items():
            line["active"] = line["active"] and key in seen
    return model


def _plain(value: Any) -> Any:
    """A stored value as the model writes it: dates as ISO text, numbers as floats."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return float(value)
    return value


def stored_lines(engine: sa.Engine) -> dict[tuple[str, int], dict[str, Any]]:
    """The source's stored lines in the model's terms."""
    rows = store_rows(
        engine,
        f"SELECT po_number, line_number, {', '.join(LINE_FIELDS)}, internal_part_id, custom, "
        "active FROM po_lines WHERE source = :s",
        s=SOURCE,
    )
    return {
        (r["po_number"], r["line_number"]): {
            **{f: _plain(r[f]) for f in LINE_FIELDS},
            "internal_part_id": r["internal_part_id"],
            "custom": {k: _plain(v) for k, v in (json_value(r["custom"]) or {}).items()},
            "active": bool(r["active"]),
        }
        for r in rows
    }


def assert_lines_are_the_erps(engine: sa.Engine, *nights: list[dict[str, Any]]) -> None:
    """The stored lines are exactly what the ERP rows of these nights make them (a diff of the keys first)."""
    stored, model = stored_lines(engine), expected_lines(*nights)
    assert set(stored) == set(model), (sorted(set(stored) - set(model))[:5], sorted(set(model) - set(stored))[:5])
    wrong = [(key, stored[key], model[key]) for key in model if stored[key] != model[key]]
    assert wrong == [], wrong[:3]


def store_state(engine: sa.Engine) -> dict[str, Counter[tuple[Any, ...]]]:
    """Everything the nights left in the store but ids, run ids and times: lines (with their custom values and
    digests), change events, receipt batches, unmapped codes and the rejected rows still open, each as a multiset."""

    def rows(sql: str) -> Counter[tuple[Any, ...]]:
        return Counter(
            tuple(
                json.dumps(json_value(v), sort_keys=True) if k in ("custom", "raw_data") else _plain(v)
                for k, v in r.items()
            )
            for r in store_rows(engine, sql, s=SOURCE)
        )

    return {
        "po_lines": rows(
            f"SELECT po_number, line_number, {', '.join(LINE_FIELDS)}, internal_part_id, custom, digest, "
            "active, received_decreased FROM po_lines WHERE source = :s"
        ),
        "change_events": rows(
            "SELECT po_number, line_number, kind, field, old_value, new_value FROM change_events WHERE source = :s"
        ),
        "receipt_batches": rows(
            "SELECT po_number, line_number, quantity, cumulative_received FROM receipt_batches WHERE source = :s"
        ),
        "unmapped_codes": rows(
            "SELECT u.item_code, u.line_count FROM unmapped_codes u JOIN runs r ON r.id = u.run_id WHERE r.source = :s"
        ),
        "open_failed_rows": rows(
            "SELECT stage, row_key, raw_data, error FROM failed_rows WHERE source = :s AND resolved_at IS NULL"
        ),
    }


def assert_same_state(engine: sa.Engine, clean: sa.Engine) -> None:
    """The store holds exactly what the clean store holds, table by table (the first differences named)."""
    mine, theirs = store_state(engine), store_state(clean)
    for table in mine:
        extra, missing = mine[table] - theirs[table], theirs[table] - mine[table]
        assert not extra and not missing, (
            f"{table}: rows only here {list(extra)[:2]}, only in the clean store {list(missing)[:2]}"
        )
    assert mine["po_lines"] and mine["change_events"] and mine["receipt_batches"], "the nights left nothing to compare"


# --- files: the night as a plain file or a named pipe ---------------------------------------------------------------


def setup_workdir(workdir: Path, config: str = CONFIG) -> None:
    """potrack.toml, the xref file and the ERP folder of a fault test."""
    (workdir / "potrack.toml").write_text(config, encoding="utf-8")
    with (workdir / "xref.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["item_code", "internal_part_id"])
        writer.writerows(XREF.items())
    (workdir / "erp").mkdir(exist_ok=True)


def csv_text(rows: list[dict[str, Any]], header: bool = True) -> str:
    """The rows as the ERP's CSV export writes them."""
    lines = [",".join(ERP_COLUMNS)] if header else []
    for row in rows:
        lines.append(",".join("" if row.get(c) is None else str(row[c]) for c in ERP_COLUMNS))
    return "".join(line + "\n" for line in lines)


def write_night(workdir: Path, rows: list[dict[str, Any]]) -> None:
    """The night as one plain file (a held night's named pipe goes)."""
    (workdir / "erp" / "po-2.csv").unlink(missing_ok=True)
    (workdir / "erp" / "po-1.csv").write_text(csv_text(rows), encoding="utf-8")


def _unread(fd: int) -> int:
    """Bytes written into a pipe and not read yet."""
    return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])


class HeldNight:
    """The night in two files the csv source reads in turn: po-1.csv, a plain file with its first `given` rows, and
    po-2.csv, a named pipe the test writes the rest into, a batch at a time. A run reads the first file, then waits
    in its read of the pipe (mid-extract) for whatever the test gives it, until `finish()` writes the rest or
    `close()` gives up (the reader then sees the file end).

    (The source opens its first file twice, for the header and for the rows, its others once: a pipe there is
    opened once, so every byte written into it reaches the read of the rows.)
    """

    def __init__(self, workdir: Path, rows: list[dict[str, Any]], given: int) -> None:
        self.rows, self.sent = rows, given
        (workdir / "erp" / "po-1.csv").write_text(csv_text(rows[:given]), encoding="utf-8")
        self.path = workdir / "erp" / "po-2.csv"
        self.path.unlink(missing_ok=True)
        os.mkfifo(self.path)
        self._fd: int | None = None

    def give(self, proc: subprocess.Popen[Any], seconds: float = 60) -> None:
        """Once `proc` opens the pipe, give it the header (the rows of po-1.csv are read by then)."""

        def opened() -> int | None:
            if proc.poll() is not None:
                raise AssertionError(f"the process ended ({proc.returncode}) before it read the night")
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody reads it yet
                return None
            os.set_blocking(fd, True)
            return fd

        self._fd = wait_for(opened, seconds, "the process to open the night's pipe")
        self._write(csv_text([]))

    def until(self, check: Callable[[], Any], seconds: float = 60) -> Any:
        """Give one more batch of rows every half of EVERY_S until check() holds (a run saves its row count after a
        batch, at most once every EVERY_S: the reader must get rows after that); returns what check() gave."""
        deadline = time.monotonic() + seconds
        while True:
            found = check()
            if found:
                return found
            assert time.monotonic() < deadline, f"not within {seconds} s of giving rows"
            assert self.sent + BATCH < len(self.rows), "the whole night was given before the check held"
            self._write(csv_text(self.rows[self.sent : self.sent + BATCH], header=False))
            self.sent += BATCH
            time.sleep(EVERY_S / 2)

    def _write(self, text: str) -> None:
        data = text.encode()
        while data:
            assert self._fd is not None
            data = data[os.write(self._fd, data) :]

    def finish(self, seconds: float = 60) -> None:
        """Write the rest of the night, wait until the reader has taken it all from the pipe, and close the pipe: the
        reader reads to the end."""
        self._write(csv_text(self.rows[self.sent :], header=False))
        self.sent = len(self.rows)
        fd = self._fd
        assert fd is not None
        wait_for(lambda: _unread(fd) == 0, seconds, "the reader to take the whole night")
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# --- processes and the store ------------------------------------------------------------------------------------------


def cli_env(workdir: Path, **env: str) -> dict[str, str]:
    """The environment of a CLI process, as run_cli_process builds it: the test back-end's store goes along."""
    passed = (*SERVICE_SETTINGS, "POTRACK_DATABASE_URL")
    full = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_") or k in passed}
    full.update({"PYTHONPATH": str(ROOT), "POTRACK_INSTANCE": str(workdir / "instance")}, **env)
    return full


class CliProcess:
    """`python -m potrack run --json --source erp` running in its own process; output kept in files."""

    def __init__(self, workdir: Path, name: str, **env: str) -> None:
        self.out, self.err = workdir / f"{name}.out", workdir / f"{name}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "potrack", "run", "--json", "--source", SOURCE],
                cwd=workdir,
                env=cli_env(workdir, **env),
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                preexec_fn=die_with_parent,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.out.read_text() + self.err.read_text()

    def kill(self) -> None:
        """SIGKILL: the process ends at once, in whatever it was doing (nothing if it has ended already)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            assert self.proc.returncode == -signal.SIGKILL

    def wait(self, seconds: float = 120) -> tuple[int, list[dict[str, Any]], str]:
        """Its exit code, JSON reports and stderr once it ends (killed, and the test failed, if it does not)."""
        try:
            self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the process did not end within {seconds} s:\n{self.output()}") from None
        reports = [json.loads(line) for line in self.out.read_text().splitlines() if line.strip()]
        return self.proc.returncode, reports, self.err.read_text()


def rerun(workdir: Path, **env: str) -> tuple[int, dict[str, Any], str]:
    """An immediate run of the source in a new process: exit code, its one report, stderr."""
    code, reports, err = CliProcess(workdir, f"rerun-{time.monotonic_ns()}", **env).wait()
    assert len(reports) == 1, f"exit {code}, no report:\n{err}"
    return code, reports[0], err


def store_url(workdir: Path, store_backend: str) -> str:
    """The URL of the test's store (the CLI's default SQLite file in instance/, or the PostgreSQL schema)."""
    if store_backend == "postgresql":
        return os.environ["POTRACK_DATABASE_URL"]
    return f"sqlite:///{workdir / 'instance' / 'potrack.db'}"


def plain_engine(url: str) -> sa.Engine:
    """An engine on a store that does nothing at start (no migration, no stale-run check: the test only looks)."""
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def runs_of(engine: sa.Engine) -> list[dict[str, Any]]:
    """The source's runs, oldest first (none while the store is not there yet: the test does not create it)."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and not Path(database).exists():
        return []
    try:
        return store_rows(engine, "SELECT * FROM runs WHERE source = :s ORDER BY id", s=SOURCE)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no runs table: the first process migrates it
        return []


def newest_run(
    engine: sa.Engine, alive: Callable[[], bool], condition: Callable[[dict[str, Any]], bool]
) -> Callable[[], dict[str, Any] | None]:
    """A check: the source's newest run once it meets `condition`, else None; fails once the process has ended."""

    def check() -> dict[str, Any] | None:
        assert alive(), "the process ended before its run got there"
        found = runs_of(engine)
        return found[-1] if found and condition(found[-1]) else None

    return check


def wait_for_run(
    engine: sa.Engine,
    alive: Callable[[], bool],
    condition: Callable[[dict[str, Any]], bool],
    what: str,
    seconds: float = 90,
) -> dict[str, Any]:
    """Poll the store until the source's newest run meets `condition`."""
    return wait_for(newest_run(engine, alive, condition), seconds, what)


def sqlite_file(url: str) -> str:
    """The file of a SQLite store's URL."""
    database = sa.engine.make_url(url).database
    assert database, url
    return database


def sqlite_write_locked(url: str) -> bool:
    """Whether another connection holds the SQLite store's write lock (a transaction is writing)."""
    con = sqlite3.connect(sqlite_file(url), timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return True
        raise
    else:
        con.execute("ROLLBACK")
        return False
    finally:
        con.close()


def pg_waits_on_po_lines(url: str) -> bool:
    """Whether a session of this schema waits for a lock in a statement on po_lines."""
    app = sa.engine.make_url(url).query["application_name"]
    return bool(
        store_rows(
            plain_engine(url),
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = :a "
            "AND wait_event_type = 'Lock' AND query LIKE '%po_lines%'",
            a=app,
        )[0]["n"]
    )


@contextlib.contextmanager
def po_lines_held(url: str) -> Iterator[None]:
    """A PostgreSQL session holding po_lines in SHARE mode for the block: reads go on, every write of the table
    (a run's commit) waits. (ACCESS EXCLUSIVE would also stop the run's reading of its stored lines at its start.)"""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("LOCK TABLE po_lines IN SHARE MODE"))
            yield
            conn.rollback()
    finally:
        engine.dispose()


def commit_held(url: str) -> contextlib.AbstractContextManager[None]:
    """What keeps a run's commit going long enough to be caught in it: po_lines held on PostgreSQL; on SQLite
    nothing (the night's size does it)."""
    return po_lines_held(url) if url.startswith("postgresql") else contextlib.nullcontext()


def in_commit(url: str) -> Callable[[dict[str, Any]], bool]:
    """A condition on the run row: it is in its commit and its data transaction is under way (SQLite: it holds the
    write lock; PostgreSQL: its write of po_lines waits for the test's lock)."""

    def check(run: dict[str, Any]) -> bool:
        if run["status"] != "running" or run["stage"] != "commit":
            return False
        return pg_waits_on_po_lines(url) if url.startswith("postgresql") else sqlite_write_locked(url)

    return check


def mid_extract(run: dict[str, Any]) -> bool:
    """A condition on the run row: running, reading, some rows read."""
    return run["status"] == "running" and run["stage"] == "extract" and (run["rows_done"] or 0) > 0


# --- a second store where the same nights run without a fault ---------------------------------------------------


@pytest.fixture
def clean_store(store_backend: str, workdir: Path) -> Iterator[dict[str, str]]:
    """The environment of a second, clean store on the test's back-end: a SQLite file in its own instance folder,
    or a second PostgreSQL schema (dropped afterwards)."""
    env = {"POTRACK_INSTANCE": str(workdir / "clean-instance")}
    if store_backend != "postgresql":
        yield env
        return
    schema = create_pg_schema("potrack_clean")
    try:
        yield {**env, "POTRACK_DATABASE_URL": schema.url}
    finally:
        schema.drop()


def clean_url(workdir: Path, env: dict[str, str]) -> str:
    return env.get("POTRACK_DATABASE_URL") or f"sqlite:///{workdir / 'clean-instance' / 'potrack.db'}"


def run_here(env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """A run of the source in the test's process, on the store `env` points at (the test's own by default)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        code, reports = run_cli("--source", SOURCE)
    assert len(reports) == 1, (code, reports)
    return code, reports[0]
