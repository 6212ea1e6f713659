"""Overview: per source its last run, last successful run and data age, next scheduled run, and Run now, which is
disabled with the reason while the source has a queued or running run."""

import datetime as dt

import sqlalchemy as sa

from pages.overview import layout, refresh_overview
from potrack.store.models import Run
from tests.support.personas import acting_as
from tests.support.web import UTC, add_run, find_by_id, of_type, text


def test_card_shows_last_run_last_success_data_age_and_next_schedule(web):
    now = dt.datetime.now(UTC)
    ok = add_run(web.engine, queued_at=now - dt.timedelta(hours=5), lines_processed=1500, duration_s=2.5)
    failed = add_run(web.engine, status="failed", queued_at=now - dt.timedelta(hours=1))
    with acting_as(web.engine, "otto"):
        card = of_type(layout(), "source-card")[0]
    shown = text(card)
    assert f"run #{failed}" in shown and "failed" in shown and "1 h ago" in shown
    assert f"run #{ok}" in shown and "data age 4 h" in shown
    assert "Next scheduled run" in shown and "0 2 * * *" in shown
    assert find_by_id(card, {"type": "run-now", "source": "demo"}).disabled is False


def test_a_queued_run_disables_run_now_and_turns_the_refresh_on(web):
    queued = add_run(web.engine, status="queued")
    with acting_as(web.engine, "otto"):
        page = layout()
    assert find_by_id(page, {"type": "run-now", "source": "demo"}).disabled is True
    assert f"Run #{queued} is queued." in text(page) and find_by_id(page, "overview-tick").disabled is False


def test_refresh_stops_when_nothing_is_queued_or_running(web):
    add_run(web.engine, status="running", rows_done=5, rows_total=10)
    cards, disabled = refresh_overview(1, [True])
    assert "50 %" in text(cards) and disabled is False
    with web.engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.status == "running").values(status="success"))
    assert refresh_overview(2, [False])[1] is True


def test_a_fresh_store_says_no_run_yet(web):
    assert "no run yet" in text(layout()) and "none yet" in text(layout())
