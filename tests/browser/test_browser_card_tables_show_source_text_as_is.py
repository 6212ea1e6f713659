"""In real Chromium, an opened card's tables (drawn as Markdown) show what a source sent exactly as text: Markdown
and HTML in a row key, an error or a CSV location are neither formatted nor turned into elements or links."""

import pytest

from potrack.pipeline.outcome import Rejection
from potrack.store import runs
from tests.support.browser import expect, open_runtime, serve, sign_in, write_demo_config
from tests.support.web import add_run

pytestmark = pytest.mark.browser

HOSTILE = [
    (
        "PO|1*2*/3",
        "quantity_ordered: **bold** _it_ `code` <b>html</b> [link](javascript:alert(1)) &amp; \\ # ~x~",
        "a|b.csv:7",
    ),
    ("<img src=x onerror=alert(1)>/1", "# heading\n- item\n> quote", "<script>alert(1)</script>"),
]


@pytest.fixture(scope="module")
def hostile_app(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    write_demo_config(root)
    with open_runtime(root) as runtime:
        run_id = add_run(runtime.engine, status="partial", errors=len(HOSTILE))
        rejections = [Rejection("validate", key, {"po_number": key}, error, where) for key, error, where in HOSTILE]
        with runtime.engine.begin() as conn:
            runs.save_failed_rows(conn, run_id, "demo", rejections)
    with serve(root) as app:
        yield app, run_id


def test_hostile_text_in_a_rejected_row_reads_as_sent(hostile_app, page):
    app, run_id = hostile_app
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, app, "vera", "/runs")
    card = page.locator(f".run-card[data-run-id='{run_id}']")
    card.locator(".run-summary").click()
    table = card.locator(".rejected")
    expect(table.locator("tbody tr")).to_have_count(len(HOSTILE))
    cells = [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
    assert cells == [["validate", key, " ".join(error.split()), where] for key, error, where in HOSTILE]
    assert table.locator("b, em, strong, code, img, script, h1, ul, blockquote, del").count() == 0
    # Each key names a PO line (PO/line): its only link is to that line's history, quoted.
    hrefs = [a.get_attribute("href") for a in table.locator("a").all()]
    assert hrefs == ["/lines/demo/PO%7C1%2A2%2A/3", "/lines/demo/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/1"]
    assert dialogs == []
