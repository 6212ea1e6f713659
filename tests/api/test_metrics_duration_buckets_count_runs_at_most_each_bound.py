"""The duration histogram counts, per source, the finished runs that took at most each bound (a run of exactly 5 s
is in le="5.0"), cumulatively, with their count and sum; runs without a duration (running, abandoned) and row_retry
runs are not in it."""

import datetime as dt

import pytest

from potrack.clock import utcnow
from tests.support.metrics import labels, scrape
from tests.support.web import add_run

pytestmark = pytest.mark.backends
DURATIONS = [0.5, 1.0, 1.5, 5.0, 59.9, 3600.0, 3600.5]


def test_each_bucket_counts_the_runs_at_most_its_bound(web):
    start = utcnow() - dt.timedelta(days=30)
    for n, seconds in enumerate(DURATIONS):
        add_run(
            web.engine,
            status=("success", "partial", "failed")[n % 3],
            duration_s=seconds,
            queued_at=start + dt.timedelta(days=n),
        )
    add_run(web.engine, status="abandoned", duration_s=None, queued_at=start + dt.timedelta(days=10))
    add_run(web.engine, status="running", queued_at=start + dt.timedelta(days=11))
    add_run(web.engine, status="success", trigger="row_retry", duration_s=0.2, queued_at=start + dt.timedelta(days=12))

    m = scrape()

    counts = {
        "1.0": 2,
        "5.0": 4,
        "15.0": 4,
        "30.0": 4,
        "60.0": 5,
        "120.0": 5,
        "300.0": 5,
        "600.0": 5,
        "1800.0": 5,
        "3600.0": 6,
        "+Inf": 7,
    }
    assert m["potrack_run_duration_seconds_bucket"] == {labels(source="demo", le=le): n for le, n in counts.items()}
    assert m["potrack_run_duration_seconds_count"] == {labels(source="demo"): 7}
    assert m["potrack_run_duration_seconds_sum"] == {labels(source="demo"): pytest.approx(sum(DURATIONS))}
