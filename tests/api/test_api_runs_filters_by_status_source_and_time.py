"""GET /api/runs filters: one status or a comma-separated list, a source, and queue time in [since, until) where
since/until are ISO dates (a day's start, UTC) or datetimes (naive = UTC); `count` counts the matching runs."""

import datetime as dt

import pytest

from tests.support.personas import client_as
from tests.support.web import UTC, add_run

T0 = dt.datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def runs(web):
    """Runs 12 h apart from 1 Nov: statuses in turn, every fourth of source `other`; name → ids."""
    statuses = ("success", "failed", "partial", "abandoned")
    made: dict[str, list[int]] = {}
    for i in range(12):
        source = "other" if i % 4 == 3 else "demo"
        run_id = add_run(web.engine, source=source, status=statuses[i % 4], queued_at=T0 + dt.timedelta(hours=12 * i))
        for key in (statuses[i % 4], source, f"day{i // 2}"):
            made.setdefault(key, []).append(run_id)
    return made


def ids(query):
    body = client_as("vera").get(f"/api/runs?{query}").get_json()
    assert body["count"] == len(body["results"]), body
    return sorted(r["run_id"] for r in body["results"])


def test_one_status(runs):
    assert ids("status=failed") == runs["failed"]


def test_a_comma_separated_list_of_statuses(runs):
    assert ids("status=failed,abandoned") == sorted(runs["failed"] + runs["abandoned"])


def test_a_source(runs):
    assert ids("source=other") == runs["other"] and ids("source=demo") == runs["demo"]


def test_since_a_date_means_its_start_in_utc_and_until_is_exclusive(runs):
    assert ids("since=2026-11-02&until=2026-11-04") == sorted(runs["day1"] + runs["day2"])


def test_datetimes_naive_as_utc_with_z_or_an_offset(runs):
    assert ids("since=2026-11-01T12:00:00") == ids("since=2026-11-01T12:00:00Z") == ids("since=2026-11-01T12:00Z")
    assert ids("since=2026-11-01T13:00:00%2B01:00") == ids("since=2026-11-01T12:00:00Z")
    assert ids("until=2026-11-01T12:00:00Z") == runs["day0"][:1]


def test_filters_combine_and_count_counts_all_matches_not_the_page(runs):
    assert ids("status=success,partial&source=demo&since=2026-11-03") == [
        r for r in sorted(runs["success"] + runs["partial"]) if r in runs["demo"] and r > runs["day1"][-1]
    ]
    body = client_as("vera").get("/api/runs?source=demo&limit=2").get_json()
    assert body["count"] == len(runs["demo"]) and len(body["results"]) == 2
