"""An upload's run, on its card (/runs) and its page (/runs/<id>): it names its file and who sent it ('upload ·
po_lines.csv by otto'); while it runs, its stage, rows done of the file's exact data rows (counted here with the csv
module), percent and elapsed time, redrawn by the page's tick; once it ended, its counts (the run's page draws its
details again, its unmapped item codes counted here from the file, and stops ticking)."""

import csv
from collections import Counter

import dash_bootstrap_components as dbc
from dash import no_update

from pages import run_detail
from pages.runs import refresh_runs
from potrack.pipeline.runner import Pipeline
from potrack.store import runs
from tests.support.personas import acting_as, client_as
from tests.support.uploads import SAMPLE, data_rows, upload_file
from tests.support.web import claim_alive, find_all, find_by_id, text


def sample():
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def uploaded(engine):
    """otto uploads the sample through the API: (upload id, run id)."""
    answer = upload_file(client_as("otto"))
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()["upload_id"], answer.get_json()["run_id"]


def card_of(engine, run_id):
    with acting_as(engine, "otto"):
        [card] = [c for c in refresh_runs("", [], None, None, [])[0] if getattr(c, "data-run-id") == str(run_id)]
    return card


def test_a_queued_upload_s_card_names_its_file_and_who_sent_it(upload_web):
    upload_id, run_id = uploaded(upload_web.engine)
    card = card_of(upload_web.engine, run_id)
    assert "buyer upload · po_lines.csv by otto queued" in text(card)
    page = run_detail.layout(run_id=str(run_id))
    assert "upload · po_lines.csv by otto" in text(find_by_id(page, "detail-summary"))
    assert find_by_id(page, "detail-tick").disabled is False  # a queued run's page keeps itself current


def test_a_running_upload_shows_its_progress_of_the_file_s_exact_rows(upload_web):
    rows = data_rows()
    _, run_id = uploaded(upload_web.engine)
    assert claim_alive(upload_web.engine, run_id)
    runs.update_progress(upload_web.engine, run_id, "validate", 12, rows)
    percent = round(100 * 12 / rows)
    expected = f"stage validate · 12 / {rows} rows · {percent} % ·"
    card = card_of(upload_web.engine, run_id)
    assert expected in text(card) and "elapsed" in text(card)
    [bar] = find_all(card, lambda c: isinstance(c, dbc.Progress))
    assert (bar.value, bar.label) == (percent, f"{percent} %")  # exact: no ≈

    runs.update_progress(upload_web.engine, run_id, "diff", rows, rows)
    summary, more, stopped = run_detail.refresh_run(1, run_id)
    assert f"stage diff · {rows} / {rows} rows · 100 % ·" in text(summary) and "upload · po_lines.csv by otto" in text(
        summary
    )
    assert more is no_update and stopped is False


def test_once_it_ended_the_card_and_page_show_its_counts(upload_web):
    rows = data_rows()
    _, run_id = uploaded(upload_web.engine)
    report = Pipeline(upload_web.settings, upload_web.engine).execute(run_id)
    assert report.status == "success"
    card = card_of(upload_web.engine, run_id)
    said = text(card)
    assert "upload · po_lines.csv by otto · baseline success" in said
    assert f"{rows} lines processed {rows} new lines" in said and "stage " not in said
    summary, more, stopped = run_detail.refresh_run(1, run_id)
    assert "success" in text(summary) and stopped is True
    # Its details drawn again: the source has no xref, so every item code of the file is unmapped, with its lines.
    codes = Counter(row["item_code"] for row in sample())
    listed = " ".join(f"{code} {n}" for code, n in sorted(codes.items(), key=lambda c: (-c[1], c[0])))
    assert more is not no_update and f"Unmapped item codes ({len(codes)}) item code lines {listed}" in text(more)
