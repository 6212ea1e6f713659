"""Three ERP nights with known slips, price moves, a removal, a cancellation, a receipt, a new line and a rejected
row, run through the CLI into a real store and dated on three days; and every figure the change explorer must
show for them.

Night 0 (baseline, 2026-11-10): PO1/1-4 (SUP-A, alice, P1), PO2/1-3 (SUP-B, bob, P2), PO3/1 (SUP-C, chen, P3),
and A/7 line 1 (a PO number holding '/'); each 100 ordered at 10.00, promised 2026-12-01.
Night 1 (2026-11-11): PO1/1 promised +5 days, PO1/2 +10 days (slips), PO2/1 −3 days (pulled in, not a slip),
PO2/2 price 10 → 12 (impact +2 × 100 open = +200), PO3/1 gone (removed).
Night 2 (2026-11-12): PO1/1 promised +2 days (a third slip), PO2/3 price 10 → 9 and 40 received (impact −1 × 60
open = −60), PO1/3 status open → cancelled, PO4/1 new (SUP-C), PO1/4's price unreadable ('n/a': rejected, its
stored line unchanged).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.demo_history import move_run_in_time
from potrack.runtime import Runtime
from tests.support.cli import run_cli
from tests.support.erp import Erp, erp_line, sql_source_config
from tests.support.workdir import open_store, write_config

UTC = dt.UTC
NIGHT_TIMES = [dt.datetime(2026, 11, 10 + n, 2, 0, tzinfo=UTC) for n in range(3)]
PEOPLE = {
    "PO1": ("SUP-A", "alice", "P1"),
    "PO2": ("SUP-B", "bob", "P2"),
    "PO3": ("SUP-C", "chen", "P3"),
    "PO4": ("SUP-C", "chen", "P3"),
    "A/7": ("SUP-D", "dana", "P4"),
}


def line(po: str, n: int, **values: Any) -> dict[str, Any]:
    supplier, buyer, plant = PEOPLE[po]
    defaults = {
        "supplier_code": supplier,
        "buyer": buyer,
        "plant": plant,
        "unit_price": 10.0,
        "promised_date": "2026-12-01",
    }
    return erp_line(po, n, **{**defaults, **values})


NIGHT_0 = (
    [line("PO1", n) for n in range(1, 5)] + [line("PO2", n) for n in range(1, 4)] + [line("PO3", 1), line("A/7", 1)]
)
NIGHT_1 = [
    line("PO1", 1, promised_date="2026-12-06"),
    line("PO1", 2, promised_date="2026-12-11"),
    line("PO1", 3),
    line("PO1", 4),
    line("PO2", 1, promised_date="2026-11-28"),
    line("PO2", 2, unit_price=12.0),
    line("PO2", 3),
    line("A/7", 1),
]
NIGHT_2 = [
    line("PO1", 1, promised_date="2026-12-08"),
    line("PO1", 2, promised_date="2026-12-11"),
    line("PO1", 3, status="cancelled"),
    line("PO1", 4, unit_price="n/a"),
    line("PO2", 1, promised_date="2026-11-28"),
    line("PO2", 2, unit_price=12.0),
    line("PO2", 3, unit_price=9.0, quantity_received=40),
    line("PO4", 1),
    line("A/7", 1),
]


@dataclass(frozen=True)
class History:
    """The store after the three nights and the ids of their runs."""

    runtime: Runtime
    run_ids: list[int]


def build_history(workdir: Any, erp: Erp) -> History:
    """Run the three nights through the CLI (night 0 a baseline) and date each run at 02:00 UTC of its day."""
    write_config(workdir, sql_source_config(erp))
    ids = []
    for night, rows in enumerate((NIGHT_0, NIGHT_1, NIGHT_2)):
        erp.write(rows)
        code, [report] = run_cli("--source", "erp", *(["--baseline"] if night == 0 else []))
        assert code in (0, 3), report
        ids.append(report["run_id"])
    runtime = open_store()
    for run_id, at in zip(ids, NIGHT_TIMES, strict=True):
        move_run_in_time(runtime.engine, run_id, at)
    return History(runtime, ids)


def day(n: int) -> dt.date:
    """The calendar day of night n."""
    return NIGHT_TIMES[n].date()


def store_count(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def serve_history(history: History) -> None:
    """Make the history's store the app's, with the three personas (tests/support/personas.py)."""
    import app
    from tests.support.personas import add_personas

    app.install(history.runtime)
    add_personas(history.runtime.engine)
