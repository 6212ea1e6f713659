"""In real Chromium against `python app.py` with its scheduler: the operator otto gives docs/sample-data/po_lines.csv to
the upload area of the upload-only source `buyer` on /runs; assets/uploads.js streams it to /api/uploads (no Dash
callback carries it), the toast says which upload and run were queued, and the run's card names the file and ends
`success` with the CSV's lines. The same file again is refused with the API's 409 message in the toast, and nothing
changes. The viewer vera sees no upload area."""

import json
import re
import time

import pytest

from tests.support.browser import expect, runs_in_store, sign_in, store_query
from tests.support.uploads import SAMPLE, SOURCE, data_rows

pytestmark = pytest.mark.browser


def card_state(page, run_id):
    """The status badge, progress line and trigger of a run's card; None when it is not shown."""
    return page.evaluate(
        """id => {
        const card = document.querySelector(`.run-card[data-run-id="${id}"]`);
        if (!card) return null;
        const progress = card.querySelector('.run-progress');
        return [card.querySelector('.status-badge').innerText, progress ? progress.innerText : '',
                card.querySelector('.run-trigger').innerText];
    }""",
        run_id,
    )


def test_an_operator_uploads_a_file_that_runs_to_success_and_the_same_file_is_refused(upload_app, page):
    rows = data_rows()
    assert rows == 30
    sign_in(page, upload_app, "otto", "/runs")
    areas = page.locator(".upload-area")
    expect(areas).to_have_count(1)
    area = page.locator(f".upload-area[data-source='{SOURCE}']")
    expect(area).to_contain_text(f"Upload a snapshot of {SOURCE}")
    expect(area.get_by_role("link", name="What if an upload fails?")).to_have_attribute(
        "href", "/runbook#what-if-an-upload-fails"
    )
    expect(page.locator(".runs-empty")).to_have_text("No runs yet.")

    callbacks = []
    page.on("request", lambda r: callbacks.append(r.post_data or "") if "/_dash-update-component" in r.url else None)
    area.locator("input[type=file]").set_input_files(SAMPLE)  # fires the input's change event, as a pick does
    toast = page.locator(".upload-toast")
    expect(toast).to_contain_text("Upload #", timeout=15_000)
    said = re.search(r"Upload #(\d+) queued as run #(\d+) \(po_lines\.csv for buyer\)\.", toast.inner_text())
    assert said, toast.inner_text()
    upload_id, run_id = int(said[1]), int(said[2])
    expect(toast.get_by_role("link", name=f"run #{run_id}")).to_have_attribute("href", f"/runs/{run_id}")
    expect(area.locator(".upload-status")).to_contain_text("Sent po_lines.csv")
    first_line = SAMPLE.read_text(encoding="utf-8").splitlines()[1]
    assert callbacks and not any(first_line in body or "base64" in body for body in callbacks)  # streamed, not read

    seen, progress = [], []
    deadline = time.monotonic() + 30
    while (not seen or seen[-1] != "success") and time.monotonic() < deadline:
        state = card_state(page, run_id)
        if state is not None:
            if not seen or state[0] != seen[-1]:
                seen.append(state[0])
            if state[1]:
                progress.append(state[1])
        time.sleep(0.05)
    assert seen[-1] == "success" and seen == [s for s in ("queued", "running", "success") if s in seen], (
        seen,
        upload_app.output(),
    )
    # A run of 30 rows may start and end between two refreshes; when it was seen running, it read of an exact total.
    assert all(f" / {rows} rows" in p and " % " in p and "elapsed" in p for p in progress), progress
    card = page.locator(f".run-card[data-run-id='{run_id}']")
    expect(card.locator(".run-trigger")).to_have_text("upload · po_lines.csv by otto · baseline")  # its first run
    expect(card.locator("[data-metric=lines_processed]")).to_have_text(f"{rows}\nlines processed")
    expect(card.locator("[data-metric=lines_new]")).to_have_text(f"{rows}\nnew lines")
    expect(card.locator("[data-metric=errors]")).to_have_text("0\nerrors")
    [stored] = runs_in_store(upload_app)
    assert (stored["id"], stored["trigger"], stored["status"], stored["requested_by"]) == (
        run_id,
        "upload",
        "success",
        "otto",
    )
    assert (stored["upload_id"], stored["lines_processed"], stored["lines_new"]) == (upload_id, rows, rows)

    area.locator("input[type=file]").set_input_files(SAMPLE)
    expect(toast).to_contain_text(f"identical to upload #{upload_id}, po_lines.csv,", timeout=15_000)
    [(details,)] = store_query(
        upload_app, "SELECT details FROM audit_events WHERE event_type = 'upload.refused' ORDER BY id DESC LIMIT 1"
    )
    reason = json.loads(details)["reason"]
    assert f"in run #{run_id}" in reason
    expect(toast).to_contain_text(reason)  # the API's message, as it is
    page.wait_for_timeout(1500)  # a refresh would have drawn a new run by now
    assert [r["id"] for r in runs_in_store(upload_app)] == [run_id]
    assert store_query(upload_app, "SELECT COUNT(*) FROM uploads") == [(1,)]
    expect(page.locator(".run-card")).to_have_count(1)


def test_a_viewer_sees_no_upload_area(upload_app, page):
    sign_in(page, upload_app, "vera", "/runs")
    expect(page.locator("#runs-count")).to_have_text(re.compile(r"No runs yet\.|runs? · newest first"))
    expect(page.locator(".upload-area")).to_have_count(0)
    page.goto(f"{upload_app.url}/")
    expect(page.locator(".board-row[data-source]")).to_have_count(2)
    expect(page.locator(".upload-area")).to_have_count(0)
