"""The rejection spool keeps what is added on disk, not in memory: 20,000 rejections of 2 KB (40 MB) grow Python's
traced memory by less than a megabyte, and come back exactly as added, in order, a batch at a time; rows added after
a read follow the others; a cell pickle cannot take is kept as its text."""

import datetime as dt
import tracemalloc
from decimal import Decimal

from potrack.pipeline.outcome import Rejection
from potrack.pipeline.rejection_spool import RejectionSpool

ROWS = 20_000
CELL = 2_000


def rejection(n: int) -> Rejection:
    """Rejection n: every field distinct, a 2 KB cell, values of the kinds drivers return."""
    key = None if n % 7 == 0 else f"PO{n}/{n % 5 + 1}"
    raw = {
        "po_number": None if key is None else f"PO{n}",
        "line_number": n % 5 + 1,
        "description": f"{n}".ljust(CELL),
        "quantity_ordered": Decimal(f"{n}.25"),
        "promised_date": dt.date(2026, 12, 1) + dt.timedelta(days=n % 90),
        "unit_price": n / 3,
        "note": None,
    }
    return Rejection(
        "read" if n % 11 == 0 else "validate", key, raw, f"error of row {n}", None if n % 3 else f"po.csv:{n + 2}"
    )


def test_twenty_thousand_rejections_of_2_kb_stay_on_disk_and_come_back_in_order():
    spool = RejectionSpool()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(ROWS):
            spool.add(rejection(n))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert len(spool) == ROWS
    assert held < 2**20, f"{held:,} bytes held for {ROWS * CELL:,} bytes of rejected cells"
    sizes = []
    n = 0
    for batch in spool.batches(1000):
        sizes.append(len(batch))
        for got in batch:
            assert got == rejection(n), n
            n += 1
    assert sizes == [1000] * (ROWS // 1000)
    assert [r.row_key for r in spool] == [rejection(n).row_key for n in range(ROWS)]  # and again, whole
    spool.close()


def test_rows_added_after_a_read_come_after_the_others():
    spool = RejectionSpool()
    for n in range(5):
        spool.add(rejection(n))
    first = next(spool.batches(2))
    spool.add(rejection(5))
    spool.add(rejection(6))

    assert first == [rejection(0), rejection(1)]
    assert list(spool) == [rejection(n) for n in range(7)]
    assert len(spool) == 7


def test_an_empty_spool_has_nothing_to_give_and_a_closed_one_is_empty():
    spool = RejectionSpool()
    assert (len(spool), list(spool), list(spool.batches()), bool(spool)) == (0, [], [], False)
    spool.add(rejection(1))
    assert bool(spool)
    spool.close()
    assert (len(spool), list(spool)) == (0, [])


def test_a_cell_pickle_cannot_take_is_kept_as_its_text():
    cell = memoryview(b"\x00\x01")
    spool = RejectionSpool()
    spool.add(Rejection("validate", "PO1/1", {"blob": cell, "po_number": "PO1"}, "bad"))

    [kept] = list(spool)
    assert kept == Rejection("validate", "PO1/1", {"blob": str(cell), "po_number": "PO1"}, "bad")
