"""A run's changes paged in SQL, and the CSV download of all of them."""

import csv
import io

import pytest

from potrack.export import HEADER, changes_csv
from potrack.store.changes import count_run_changes, iter_run_changes, run_change_page
from tests.support.web import demo_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_pages_partition_the_changes_in_write_order(web):
    demo_run(web, 0)
    run_id = demo_run(web, 3).run_id
    with web.engine.connect() as conn:
        everything = list(iter_run_changes(conn, run_id))
        pages = [run_change_page(conn, run_id, n, 50) for n in range(1, len(everything) // 50 + 2)]
        total = count_run_changes(conn, run_id)
    assert total == len(everything) > 50
    assert [c for page in pages for c in page] == everything


def test_csv_has_a_header_and_one_row_per_change(web):
    demo_run(web, 0)
    report = demo_run(web, 3)
    with web.engine.connect() as conn:
        rows = list(csv.reader(io.StringIO(changes_csv(conn, report.run_id))))
        everything = list(iter_run_changes(conn, report.run_id))
    assert tuple(rows[0]) == HEADER and len(rows) - 1 == len(everything)
    changed = next(r for r in rows[1:] if r[4] == "changed")
    assert changed[0] == str(report.run_id) and changed[1] == "demo" and changed[5]


def test_csv_of_an_unknown_run_is_none(web):
    with web.engine.connect() as conn:
        assert changes_csv(conn, 999) is None
