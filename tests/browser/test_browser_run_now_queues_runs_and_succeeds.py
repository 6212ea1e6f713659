"""In real Chromium against `python app.py` with its scheduler: Run now on the monitor (the operator otto signed in)
confirms with a toast, the run appears queued in otto's name (the button is disabled and says why), the dispatcher
runs it (live progress bar) and it ends `success` on the demo source, after which the button is enabled again."""

import re
import time

import pytest
import sqlalchemy as sa

from jobs.scheduler import DISPATCH_EVERY_S
from potrack.store.models import Run
from tests.support.browser import expect, serve, sign_in, store_engine

pytestmark = pytest.mark.browser
# 200-odd lines read 50 at a time, 0.75 s a batch: the run stays `running` for 3 s or more, longer than the monitor's
# 2 s refresh, so the page shows it running at least once.
CONFIG = """
[[sources]]
name = "demo"
kind = "demo"
batch_size = 50
demo = { lines = 200, fail = "slow", slow_s = 0.75 }
"""


@pytest.fixture(scope="module")
def scheduled_app(browser, tmp_path_factory):
    """The app with its scheduler (cron jobs, dispatcher every 3 s) on a fresh store."""
    root = tmp_path_factory.mktemp("run-now")
    (root / "potrack.toml").write_text(CONFIG, encoding="utf-8")
    with serve(root, scheduler=True, POTRACK_LOG_LEVEL="INFO") as app:
        yield app


def just_after_a_dispatch(app, after_s=0.3):
    """Wait until just after a dispatcher tick, so that a run queued now stays queued for about 2.7 s."""
    phase = (time.time() - app.scheduler_started_at()) % DISPATCH_EVERY_S
    time.sleep((after_s - phase) % DISPATCH_EVERY_S)


def card_state(page, run_id):
    """The status badge of a run's card and its progress line ('' when none); None when it is not shown."""
    return page.evaluate(
        """id => {
        const card = document.querySelector(`.run-card[data-run-id="${id}"]`);
        if (!card) return null;
        const progress = card.querySelector('.run-progress');
        return [card.querySelector('.status-badge').innerText, progress ? progress.innerText : '',
                card.dataset.status];
    }""",
        run_id,
    )


def test_run_now_queues_a_run_that_the_scheduler_runs_to_success(scheduled_app, page):
    sign_in(page, scheduled_app, "otto", "/runs")
    expect(page.locator(".runs-empty")).to_have_text("No runs yet.")
    button = page.get_by_role("button", name="Run demo now")
    expect(button).to_be_enabled()

    just_after_a_dispatch(scheduled_app)
    button.click()
    toast = page.locator(".run-now-toast")
    expect(toast).to_be_visible()
    run_id = int(re.search(r"Run #(\d+) of demo is queued", toast.inner_text())[1])
    card = page.locator(f".run-card[data-run-id='{run_id}']")
    expect(card.locator(".status-badge")).to_have_text("queued")
    expect(page.get_by_role("button", name="Run demo now")).to_be_disabled()
    expect(page.locator(".run-now-reason")).to_have_text(f"Run #{run_id} is queued.")

    seen, progress = ["queued"], []
    deadline = time.monotonic() + 30
    while seen[-1] != "success" and time.monotonic() < deadline:
        time.sleep(0.05)
        state = card_state(page, run_id)
        if state is None:  # not drawn at this instant
            continue
        if state[0] != seen[-1]:
            seen.append(state[0])
        if state[1]:
            progress.append(state[1])
    assert seen == ["queued", "running", "success"], scheduled_app.output()
    assert progress and all("stage " in p and " rows" in p and " % " in p and "elapsed" in p for p in progress)
    assert card_state(page, run_id)[2] == "success"
    expect(page.get_by_role("button", name="Run demo now")).to_be_enabled()

    engine = store_engine(scheduled_app.root)
    try:
        with engine.connect() as conn:
            run = conn.execute(sa.select(Run).where(Run.id == run_id)).mappings().one()
    finally:
        engine.dispose()
    assert (run["status"], run["trigger"], run["requested_by"], run["source"]) == ("success", "manual", "otto", "demo")
    assert run["baseline"] and run["lines_processed"] >= 200 and run["errors"] == 0
    expect(card.locator("[data-metric=lines_processed]")).to_have_text(f"{run['lines_processed']:,}\nlines processed")
