"""In real Chromium against a web-only `python app.py` (runs stay queued): an admin sees an "accept removals" box
beside Run now and, ticked, queues a run that may remove more of the source's lines than its max_removed_fraction
(the toast says so, the run records it); an operator sees Run now without the box."""

import re

import pytest
import sqlalchemy as sa

from potrack.store.models import Run
from tests.support.browser import expect, serve, sign_in, store_engine, write_demo_config

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def web_only_app(browser, tmp_path_factory):
    """The app without a scheduler on a fresh store of the demo source: what Run now queues stays queued."""
    root = tmp_path_factory.mktemp("accept-removals")
    write_demo_config(root)
    with serve(root) as app:
        yield app


def queued_run(app, run_id):
    engine = store_engine(app.root)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.select(Run.status, Run.requested_by, Run.accept_removals).where(Run.id == run_id)
            ).one()
    finally:
        engine.dispose()


def test_an_operator_sees_run_now_without_the_box(web_only_app, page):
    sign_in(page, web_only_app, "otto", "/runs")
    expect(page.get_by_role("button", name="Run demo now")).to_be_visible()
    expect(page.get_by_label("accept removals")).to_be_hidden()


def test_an_admin_ticks_accept_removals_and_the_queued_run_records_it(web_only_app, page):
    sign_in(page, web_only_app, "ada", "/runs")
    box = page.get_by_label("accept removals")
    expect(box).to_be_visible()
    box.check()
    page.get_by_role("button", name="Run demo now").click()

    toast = page.locator(".run-now-toast")
    expect(toast).to_contain_text("accepting removals beyond its limit")
    run_id = int(re.search(r"Run #(\d+) of demo is queued", toast.inner_text())[1])
    assert tuple(queued_run(web_only_app, run_id)) == ("queued", "ada", True)
