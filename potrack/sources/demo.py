"""The embedded demo ERP: a deterministic, evolving SQLite database of PO lines.

Night 0 holds `lines` open lines; every later night some promised dates slip, prices move,
goods are received, new lines appear and old ones close. Some nights carry bad rows. The
same seed and night always give the same snapshot, so runs over simulated nights are
reproducible and their metrics can be checked.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from potrack import owner_only
from potrack.config import SourceConfig
from potrack.sources.base import Snapshot
from potrack.sources.errors import SourceError
from potrack.sources.sql import SqlSource

COLUMNS = (
    "po_number",
    "line_number",
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
    "udf_project",
    "udf_weight_kg",
)
NEW_PER_NIGHT = 0.005
CLOSE_PER_NIGHT = 0.003
BAD_ROW_NIGHT_EVERY = 9
HISTORY_NIGHTS = 30
SUPPLIERS = tuple(f"SUP{n:03d}" for n in range(1, 41))
BUYERS = ("alice", "bob", "chen", "dana", "emeka")
PLANTS = ("P100", "P200", "P300")
UOMS = ("EA", "KG", "M", "BOX")


@dataclass
class _Line:
    po_number: str
    line_number: int
    item_code: str
    supplier_code: str
    description: str
    uom: str
    quantity_ordered: float
    quantity_received: float
    unit_price: float
    order_date: dt.date
    promised_date: dt.date
    need_by_date: dt.date
    buyer: str
    plant: str
    udf_project: str | None
    udf_weight_kg: float | None
    closed: bool = False

    def row(self) -> tuple:
        status = (
            "received"
            if self.quantity_received >= self.quantity_ordered
            else ("partial" if self.quantity_received > 0 else "open")
        )
        return (
            self.po_number,
            self.line_number,
            self.item_code,
            self.supplier_code,
            self.description,
            self.uom,
            self.quantity_ordered,
            self.quantity_received,
            self.unit_price,
            "EUR",
            self.order_date.isoformat(),
            self.promised_date.isoformat(),
            self.need_by_date.isoformat(),
            status,
            self.buyer,
            self.plant,
            self.udf_project,
            self.udf_weight_kg,
        )


def _item_code(n: int) -> str:
    return f"ITM-{n:05d}"


def _new_line(index: int, seed: int, start: dt.date, created: int) -> tuple[_Line, random.Random]:
    rng = random.Random(seed * 1_000_003 + index)
    opened = start + dt.timedelta(days=created - rng.randint(5, 60))
    promised = opened + dt.timedelta(days=rng.randint(20, 90))
    line = _Line(
        po_number=f"PO{100000 + index // 4}",
        line_number=index % 4 + 1,
        item_code=_item_code(rng.randint(1, 2000)),
        supplier_code=rng.choice(SUPPLIERS),
        description=f"Part for assembly {rng.randint(1, 500)}",
        uom=rng.choice(UOMS),
        quantity_ordered=float(rng.choice((10, 25, 50, 100, 250, 500))),
        quantity_received=0.0,
        unit_price=round(rng.uniform(0.5, 900.0), 2),
        order_date=opened,
        promised_date=promised,
        need_by_date=promised + dt.timedelta(days=rng.randint(0, 10)),
        buyer=rng.choice(BUYERS),
        plant=rng.choice(PLANTS),
        udf_project=rng.choice((None, "PRJ-A", "PRJ-B", "PRJ-C")),
        udf_weight_kg=round(rng.uniform(0.1, 40.0), 1) if rng.random() < 0.7 else None,
    )
    return line, rng


def _evolve(line: _Line, rng: random.Random) -> None:
    """One night of a line's life; draws a fixed number of numbers so nights stay aligned."""
    slip, price, receive, close, amount, custom = (rng.random() for _ in range(6))
    if slip < 0.02:
        line.promised_date += dt.timedelta(days=1 + int(amount * 14))
    if price < 0.008:
        line.unit_price = round(line.unit_price * (0.9 + amount * 0.2), 2)
    if receive < 0.05 and line.quantity_received < line.quantity_ordered:
        rest = line.quantity_ordered - line.quantity_received
        line.quantity_received += max(1.0, float(int(rest * (0.3 + amount * 0.7))))
    if custom < 0.003:
        line.udf_project = "PRJ-D"
    if close < CLOSE_PER_NIGHT:
        line.closed = True


def demo_lines(seed: int, lines: int, night: int, start: dt.date) -> list[tuple]:
    """The open PO lines of the demo ERP at a night, as rows in COLUMNS order."""
    per_night = max(1, round(lines * NEW_PER_NIGHT))
    rows = []
    for index in range(lines + per_night * night):
        created = 0 if index < lines else (index - lines) // per_night + 1
        line, rng = _new_line(index, seed, start, created)
        for _ in range(created, night):
            _evolve(line, rng)
            if line.closed:
                break
        if not line.closed:
            rows.append(line.row())
    return rows


def _spoil(rows: list[tuple], seed: int, night: int) -> list[tuple]:
    """Bad rows of some nights: a text quantity, an impossible date, a missing supplier, a duplicate."""
    if night % BAD_ROW_NIGHT_EVERY != BAD_ROW_NIGHT_EVERY // 2 or len(rows) < 10:
        return rows
    rng = random.Random(seed * 7919 + night)
    rows = list(rows)
    picks = rng.sample(range(len(rows)), 4)
    bad = [list(rows[i]) for i in picks]
    bad[0][COLUMNS.index("quantity_ordered")] = "n/a"
    bad[1][COLUMNS.index("promised_date")] = "2026-13-45"
    bad[2][COLUMNS.index("supplier_code")] = None
    for i, row in zip(picks[:3], bad[:3], strict=True):
        rows[i] = tuple(row)
    rows.append(rows[picks[3]])
    return rows


def build_demo_erp(path: Path, seed: int, lines: int, night: int, start: dt.date) -> None:
    """Write the demo ERP's snapshot of one night (PO lines and xref) to a SQLite file."""
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    owner_only.create_file(tmp)  # in instance/, readable by its owner only (SQLite would use the umask)
    con = sqlite3.connect(tmp)
    try:
        con.execute(f"CREATE TABLE po_lines ({', '.join(COLUMNS)})")
        con.executemany(
            f"INSERT INTO po_lines VALUES ({', '.join('?' * len(COLUMNS))})",
            _spoil(demo_lines(seed, lines, night, start), seed, night),
        )
        con.execute("CREATE TABLE xref (item_code TEXT, internal_part_id TEXT)")
        # About one code in 25 has no mapping: those are the run's xref gaps.
        con.executemany(
            "INSERT INTO xref VALUES (?, ?)",
            [(_item_code(n), f"PART-{n * 7:06d}") for n in range(1, 2001) if n % 25 != 0],
        )
        con.execute("CREATE TABLE meta (seed INTEGER, lines INTEGER, night INTEGER, start TEXT)")
        con.execute("INSERT INTO meta VALUES (?, ?, ?, ?)", (seed, lines, night, start.isoformat()))
        con.commit()
    finally:
        con.close()
    tmp.replace(path)


class DemoSource(SqlSource):
    """The demo ERP as a source; it can be told to be unreachable, flaky, slow or broken."""

    def __init__(
        self, cfg: SourceConfig, instance_dir: Path, night: int | None = None, start: dt.date | None = None
    ) -> None:
        super().__init__(cfg)
        self.path = instance_dir / f"demo-erp-{cfg.name}.sqlite"
        self.start = start or self._first_start()
        self.night = night if night is not None else cfg.demo.night
        self.opened = 0

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def _first_start(self) -> dt.date:
        """Night 0 of this demo ERP: kept in its file, else 30 days before today (a month of history)."""
        if self.path.exists():
            con = sqlite3.connect(self.path)
            try:
                return dt.date.fromisoformat(con.execute("SELECT start FROM meta").fetchone()[0])
            except (sqlite3.DatabaseError, TypeError, ValueError):
                pass
            finally:
                con.close()
        return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=HISTORY_NIGHTS)

    def _current_night(self) -> int:
        if self.night is not None:
            return self.night
        return max(0, (dt.datetime.now(dt.UTC).date() - self.start).days)

    def _prepare(self) -> None:
        opts, night = self.cfg.demo, self._current_night()
        wanted = (opts.seed, opts.lines, night, self.start.isoformat())
        if self.path.exists():
            con = sqlite3.connect(self.path)
            try:
                if con.execute("SELECT seed, lines, night, start FROM meta").fetchone() == wanted:
                    return
            except sqlite3.DatabaseError:
                pass
            finally:
                con.close()
        build_demo_erp(self.path, opts.seed, opts.lines, night, self.start)

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        self.opened += 1
        opts = self.cfg.demo
        if opts.fail == "unreachable" or (opts.fail == "flaky" and self.opened <= opts.fail_attempts):
            raise SourceError("demo ERP unreachable: connection refused (simulated outage)", transient=True)
        if opts.fail == "bad_sql":
            raise SourceError("demo ERP: syntax error near 'SELEC' (simulated bad query)", transient=False)
        self._prepare()
        with super().open(batch_size) as snap:
            if opts.slow_s > 0:
                snap.batches = self._slowly(snap.batches, opts.slow_s)
            yield snap

    @staticmethod
    def _slowly(batches: Iterator[list], pause_s: float) -> Iterator[list]:
        for batch in batches:
            time.sleep(pause_s)
            yield batch

    def counts_rows(self) -> bool:
        # The demo ERP is a local file potrack made: counting it costs nothing, and a first run shows its total.
        return True

    def read_xref(self) -> dict[str, str]:
        if self.cfg.xref is not None:
            return super().read_xref()
        self._prepare()
        return self.query_xref("SELECT item_code, internal_part_id FROM xref")
