"""Exporting 100,000 change events streams them: the export's peak memory is the same for 100,000 rows as for
10,000 (a few MiB), as Excel and as CSV, where holding the rows first takes about a kilobyte each.

Each export runs in a fresh process (tests/support/memory.py, as bench/change_export.py measures it) whose growth is
its VmHWM at the end over its VmRSS once the store is open; the held export shows that the measure sees a read that
keeps every row."""

import pytest

from tests.support.memory import build_store, export_in_child

pytestmark = pytest.mark.slow  # builds a store of 100,000 change events and exports it four times

EVENTS = 100_000
MIB = 1024 * 1024


def growth(result):
    return result["rss_peak_mib"] - result["rss_start_mib"]


def test_a_100000_row_export_grows_no_more_than_a_10000_row_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(url, EVENTS)
    few, many = export_in_child(url, "xlsx", first_run_only=True), export_in_child(url, "xlsx")
    text = export_in_child(url, "csv")
    held = export_in_child(url, "csv", hold=True)
    assert (few["rows"], many["rows"], text["rows"], held["rows"]) == (EVENTS // 10, EVENTS, EVENTS, EVENTS)
    assert many["bytes"] > 5 * few["bytes"] > 0 and text["bytes"] == held["bytes"]
    summary = {name: round(growth(r), 1) for name, r in (("few", few), ("many", many), ("csv", text), ("held", held))}
    assert growth(held) > 50, summary  # a kilobyte or so a row when they are all kept
    assert growth(many) < growth(few) + 4, summary
    assert growth(many) < growth(held) / 5 and growth(text) < growth(held) / 5, summary
