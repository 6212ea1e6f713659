"""In real Chromium against `python app.py` with its scheduler: a file dropped on the upload area of the source's row
of the Overview (a drop event carrying the file, as the browser fires it when a file is dragged onto the area) is
streamed by assets/uploads.js to /api/uploads and never read by dcc.Upload: no Dash callback carries the file; the
toast names the upload and its run, and the row's strip draws the run as it ended."""

import pytest

from tests.support.browser import expect, runs_in_store, sign_in
from tests.support.uploads import SAMPLE_WITH_ERRORS, SOURCE

pytestmark = pytest.mark.browser


def drop(page, source, path):
    """Drag a file onto the source's upload area and drop it (dragenter, dragover, drop, as the browser fires them)."""
    page.evaluate(
        """([source, name, text]) => {
        const files = new DataTransfer();
        files.items.add(new File([text], name, {type: "text/csv"}));
        const target = document.querySelector(`.board-row[data-source="${source}"] .upload-drop`);
        for (const type of ["dragenter", "dragover", "drop"]) {
            target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: files}));
        }
    }""",
        [source, path.name, path.read_text(encoding="utf-8")],
    )


def test_a_file_dropped_on_the_row_is_streamed_and_its_run_drawn_in_the_strip(upload_app, page):
    sign_in(page, upload_app, "otto", "/")
    row = page.locator(f".board-row[data-source='{SOURCE}']")
    expect(row.locator(".upload-area")).to_have_count(1)
    expect(page.locator(".board-row[data-source='nightly'] .upload-area")).to_have_count(0)
    callbacks, uploads = [], []
    page.on("request", lambda r: callbacks.append(r.post_data or "") if "/_dash-update-component" in r.url else None)
    page.on("request", lambda r: uploads.append((r.method, r.url, r.headers)) if "/api/uploads" in r.url else None)

    drop(page, SOURCE, SAMPLE_WITH_ERRORS)
    toast = page.locator(".upload-toast")
    expect(toast).to_contain_text("queued as run #", timeout=15_000)
    [run] = runs_in_store(upload_app)
    expect(toast).to_contain_text(f"Upload #{run['upload_id']} queued as run #{run['id']}")
    square = row.locator(f".strip-run[data-run-id='{run['id']}']")
    expect(square).to_have_attribute("data-status", "partial", timeout=20_000)  # the file's bad rows are rejected
    assert runs_in_store(upload_app)[0]["status"] == "partial"

    [(method, url, headers)] = uploads
    assert (method, url.split("?")[1]) == ("POST", f"source={SOURCE}")
    assert headers["content-type"].startswith("multipart/form-data; boundary=") and headers["x-csrf-token"]
    first_line = SAMPLE_WITH_ERRORS.read_text(encoding="utf-8").splitlines()[1]
    assert callbacks and not any(first_line in body or "base64" in body for body in callbacks)
