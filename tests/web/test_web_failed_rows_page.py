"""/failed-rows: rejected rows across runs with their key, raw data, error, run, retries and resolution; filtered
by source, run, dates and resolved or not (default unresolved) through the URL; newest or oldest first, 50 a page;
operators retry the checked rows or every unresolved row of a run (refusals said plainly)."""

import datetime as dt

from dash import no_update

from pages.failed_rows import (
    enable_retry_selected,
    filters_to_url,
    layout,
    queue_rows,
    retry_rows,
    show_rows,
    show_run_button,
)
from potrack.store import failed_rows
from potrack.web.filters import FailedRowView
from tests.support.callbacks import partial_run_with_rows, run_rows, triggered_by
from tests.support.html_tables import grid_cells, grid_links, grid_rows
from tests.support.personas import acting_as
from tests.support.web import UTC, add_run, demo_run, find_by_id, of_type, text

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def row_text(row):
    """A listed row's static cells as a browser shows them."""
    return " ".join(grid_cells(row).values())


def listed(search, web, name="otto"):
    """(rows table or empty state, pages, count line) as a persona sees them."""
    with acting_as(web.engine, name):
        return show_rows(search)


def test_the_view_round_trips_through_the_query_string():
    view = FailedRowView("demo", 12, dt.date(2026, 11, 1), dt.date(2026, 11, 3), "all", "oldest", 2)
    assert view.search() == "?source=demo&run=12&start=2026-11-01&end=2026-11-03&state=all&sort=oldest&page=2"
    assert FailedRowView.from_search(view.search()) == view
    assert FailedRowView().search() == "" and FailedRowView.from_search("?state=bogus&run=x&sort=up") == FailedRowView()


def test_a_changed_filter_goes_back_to_page_1_and_the_page_keeps_the_filters():
    assert filters_to_url("demo", 7, None, None, "all", "newest", 3, None, "?page=3") == (
        "?source=demo&run=7&state=all",
        1,
    )
    assert filters_to_url(None, None, None, None, "unresolved", "oldest", 2, None, "?sort=oldest") == (
        "?sort=oldest&page=2",
        2,
    )
    assert filters_to_url("demo", None, None, None, "unresolved", "newest", 2, 5, "?page=2") == (
        "?source=demo&upload=5",
        1,
    )


def test_a_shared_url_opens_with_its_filters_set(web):
    with acting_as(web.engine, "otto"):
        page = layout(source="demo", run="4", start="2026-11-01", state="resolved", sort="oldest", page="2")
    assert find_by_id(page, "failed-filter-source").value == "demo" and find_by_id(page, "failed-filter-run").value == 4
    assert str(find_by_id(page, "failed-filter-dates").start_date) == "2026-11-01"
    assert find_by_id(page, "failed-filter-state").value == "resolved"
    assert find_by_id(page, "failed-filter-sort").value == "oldest"
    assert find_by_id(page, "failed-pager").active_page == 2


def test_each_row_shows_key_data_error_run_retries_and_resolution(web):
    demo_run(web, 0)
    report = demo_run(web, 4)  # a night with bad rows
    table, pages, count = listed("", web)
    assert count == f"{report.metrics.errors} failed rows · newest first · page 1 of 1" and pages == 1
    shown = " ".join(row_text(row) for row in grid_rows(table))
    assert "quantity_ordered: not a number: 'n/a'" in shown and '"quantity_ordered": "n/a"' in shown
    assert "duplicate key" in shown and "validate" in shown and "unresolved" in shown
    assert grid_cells(grid_rows(table)[0])["failed-retries"] == "0"
    links = set(grid_links(table))
    run_links = {link for link in links if link[1].startswith("/runs/")}
    assert run_links == {(f"#{report.run_id}", f"/runs/{report.run_id}")}
    with web.engine.connect() as conn:
        keyed = {
            r.row_key
            for r in failed_rows.list_failed_rows(conn, failed_rows.FailedRowFilter(run_id=report.run_id)).rows
        }
    assert links - run_links == {(key, f"/lines/demo/{key}") for key in keyed}  # each row key links its line


def test_filters_narrow_the_list(web):
    first, _ = partial_run_with_rows(web.engine, 2, queued_at=T0)
    second, ids = partial_run_with_rows(web.engine, 3, source="other", queued_at=T0 + dt.timedelta(days=2))
    with web.engine.begin() as conn:
        failed_rows.resolve(conn, ids[:1], second, "accepted by a row retry")
    assert listed("?state=all", web)[2].startswith("5 failed rows")
    assert listed("", web)[2].startswith("4 failed rows")
    assert listed("?source=other", web)[2].startswith("2 failed rows")
    assert listed(f"?run={first}", web)[2].startswith("2 failed rows")
    assert listed("?start=2026-11-03&end=2026-11-03", web)[2].startswith("2 failed rows")
    resolved, _, count = listed("?state=resolved", web)
    assert count.startswith("1 failed row ·")
    assert grid_cells(grid_rows(resolved)[0])["failed-resolution"].startswith("accepted by a row retry by #")
    assert of_type(resolved, "failed-row-pick") == []  # a resolved row cannot be picked
    assert text(listed("?source=nope", web)[0]) == "No failed rows match these filters."


def test_nothing_unresolved_says_so(web):
    assert text(listed("", web)[0]) == "No unresolved failed rows."


def test_fifty_rows_a_page_newest_or_oldest_first(web):
    older, _ = partial_run_with_rows(web.engine, 30, queued_at=T0)
    newer, _ = partial_run_with_rows(web.engine, 30, queued_at=T0 + dt.timedelta(hours=1))
    table, pages, count = listed("", web)
    assert pages == 2 and len(grid_rows(table)) == 50 and count == "60 failed rows · newest first · page 1 of 2"
    assert row_text(grid_rows(table)[0]).count(f"#{newer}") == 1
    last, _, count = listed("?page=2", web)
    assert len(grid_rows(last)) == 10 and count.endswith("page 2 of 2")
    assert {grid_cells(row)["failed-run"] for row in grid_rows(last)} == {f"#{older}"}
    oldest, _, count = listed("?sort=oldest", web)
    assert "oldest first" in count and grid_cells(grid_rows(oldest)[0])["failed-run"] == f"#{older}"


def test_the_run_button_shows_only_while_a_run_is_filtered_on():
    assert show_run_button("") == ("", "d-none")
    assert show_run_button("?run=41") == ("Retry all unresolved rows of run #41", "")


def test_retrying_checked_rows_queues_one_row_retry_in_the_users_name(web):
    _, ids = partial_run_with_rows(web.engine, 3)
    with acting_as(web.engine, "otto"):
        is_open, message, icon, queued = queue_rows(ids[:2])
    new = run_rows(web.engine)[-1]
    assert (new.trigger, new.status, new.requested_by) == ("row_retry", "queued", "otto") and queued == [new.id]
    assert (is_open, icon) == (True, "success") and text(
        message
    ) == f"Run #{new.id} of demo queued to retry 2 failed rows."


def test_retrying_all_rows_of_a_run_and_the_refusals(web):
    run_id, ids = partial_run_with_rows(web.engine, 3)
    clean = add_run(web.engine, status="success")
    with acting_as(web.engine, "ada"):
        assert queue_rows([], run_id)[2] == "success"
        assert (
            queue_rows([ids[0]])[1] == f"Not queued: failed row #{ids[0]} is already being retried by run "
            f"#{run_rows(web.engine)[-1].id}."
        )
        assert queue_rows([], clean)[1] == f"Not queued: run #{clean} has no unresolved failed rows."
        assert queue_rows([], 9999)[1] == "Not queued: there is no run #9999."
        assert queue_rows([])[1] == "Not queued: no failed rows were selected."
    with acting_as(web.engine, "vera"):
        is_open, message, icon, queued = queue_rows(ids)
    assert icon == "danger" and queued == [] and message.startswith("Refused: vera (viewer) may not")
    assert [r.trigger for r in run_rows(web.engine)].count("row_retry") == 1


def test_the_callback_clears_the_checkboxes_once_queued_and_keeps_them_when_refused(web):
    run_id, ids = partial_run_with_rows(web.engine, 2)
    picks, pick_ids = [True, False], [{"type": "failed-row-pick", "index": i} for i in ids]
    with acting_as(web.engine, "otto"):
        with triggered_by("failed-retry-selected", "n_clicks", 1):
            *toast, cleared, watched, stopped = retry_rows(1, None, picks, pick_ids, "", [])
            assert toast[2] == "success" and cleared == [False, False]
            assert (watched, stopped) == ([run_rows(web.engine)[-1].id], False)  # watched until it has finished
            *toast, kept, watched, stopped = retry_rows(2, None, picks, pick_ids, "", [])
            assert toast[2] == "warning" and kept == [no_update, no_update] and watched is stopped is no_update
        with triggered_by("failed-retry-run", "n_clicks", 1):
            assert "already being retried" in retry_rows(2, 1, [], [], f"?run={run_id}")[1]


def test_retry_selected_rows_is_disabled_until_a_row_is_checked(web):
    with acting_as(web.engine, "otto"):
        assert find_by_id(layout(), "failed-retry-selected").disabled is True
    assert enable_retry_selected([]) is True and enable_retry_selected([False, None]) is True
    assert enable_retry_selected([False, True]) is False
