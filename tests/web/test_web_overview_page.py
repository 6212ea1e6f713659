"""Overview: a row per source with its state, why (its last run when healthy), data age, next scheduled run, and Run
now, which is disabled with the reason while the source has a queued or running run."""

import datetime as dt

import sqlalchemy as sa

from pages.overview import layout, refresh_overview
from potrack.store.models import Run
from tests.support.fragments import sent
from tests.support.personas import acting_as
from tests.support.web import UTC, add_run, find_by_id, of_type, text


def row(page, source="demo"):
    return next(r for r in of_type(page, "source-row") if r.id["source"] == source)


def test_a_healthy_row_shows_its_last_run_data_age_and_next_schedule(web):
    now = dt.datetime.now(UTC)
    ok = add_run(web.engine, queued_at=now - dt.timedelta(hours=5), lines_processed=1500, duration_s=2.5)
    with acting_as(web.engine, "otto"):
        shown = row(layout())
    assert shown.className == "board-row board-healthy" and ">Healthy<" in sent(shown)
    assert f"run #{ok} success 5 h ago · 2.50 s · 1,500 lines" in text(shown)
    # The data is as old as the run's end: 4 h 59 min 57 s ago, shown in whole hours.
    assert 'class="board-age" title="last completed run' in sent(shown) and ">4 h</div>" in sent(shown)
    assert "cron 0 2 * * *" in sent(shown)  # on hover: the next run's time and cron
    assert find_by_id(shown, {"type": "run-now", "source": "demo"}).disabled is False


def test_a_failed_latest_run_makes_the_row_failing_with_its_reason(web):
    now = dt.datetime.now(UTC)
    add_run(web.engine, queued_at=now - dt.timedelta(hours=5))
    failed = add_run(web.engine, status="failed", queued_at=now - dt.timedelta(hours=1), error="extract: ERP down")
    with acting_as(web.engine, "vera"):
        shown = row(layout())
    assert shown.className == "board-row board-failing" and ">Failing<" in sent(shown)
    assert f'href="/runs/{failed}" class="board-reason"' in sent(shown)
    assert f"run #{failed} failed 1 h ago: extract: ERP down" in text(shown)


def test_a_queued_run_disables_run_now_and_turns_the_refresh_on(web):
    queued = add_run(web.engine, status="queued")
    with acting_as(web.engine, "otto"):
        page = layout()
    assert find_by_id(page, {"type": "run-now", "source": "demo"}).disabled is True
    assert f"Run #{queued} is queued." in text(page) and find_by_id(page, "overview-tick").disabled is False


def test_refresh_stops_when_nothing_is_queued_or_running(web):
    add_run(web.engine, status="running", rows_done=5, rows_total=10)
    rows, disabled = refresh_overview(1, [True])
    assert "50 %" in text(rows) and disabled is False
    with web.engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.status == "running").values(status="success"))
    assert refresh_overview(2, [False])[1] is True


def test_a_fresh_store_says_no_run_yet(web):
    with acting_as(web.engine, "vera"):
        shown = text(layout())
    assert "no run yet" in shown and "none yet" in shown and "no completed run yet" in shown
