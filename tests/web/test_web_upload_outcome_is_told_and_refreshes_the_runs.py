"""How an upload went, as the API answered it to the browser (assets/uploads.js hands {source, file, status, body} to
the page's store): the toast says 'Upload #N queued as run #M' with a link to the run; a refusal shows the API's
message as it is and stays until dismissed; a failed connection says nothing was queued. The answer also advances the
refresh tick of /runs and of the Overview, so their runs are drawn again at once."""

import pytest
from dash.exceptions import PreventUpdate

from pages._uploads import tell_upload_outcome
from potrack.pipeline.runner import Pipeline
from tests.support.callbacks import prop, response_props
from tests.support.personas import client_as
from tests.support.uploads import SOURCE, upload_file
from tests.support.web import links, text


def answered(response, file_name="po_lines.csv"):
    """What assets/uploads.js hands to the page's store for an API response."""
    return {"source": SOURCE, "file": file_name, "status": response.status_code, "body": response.get_json(), "at": 1}


def test_a_queued_upload_is_told_with_a_link_to_its_run(upload_web):
    response = upload_file(client_as("otto"))
    body = response.get_json()
    is_open, said, header, icon, duration = tell_upload_outcome(answered(response))
    assert is_open and (header, icon, duration) == ("Upload queued", "success", 8000)
    assert text(said) == f"Upload #{body['upload_id']} queued as run #{body['run_id']} (po_lines.csv for {SOURCE})."
    assert links(said) == [(f"run #{body['run_id']}", f"/runs/{body['run_id']}")]


def test_the_same_file_again_shows_the_api_s_409_message_as_it_is(upload_web):
    otto = client_as("otto")
    first = upload_file(otto).get_json()
    Pipeline(upload_web.settings, upload_web.engine).execute(first["run_id"])
    again = upload_file(otto)
    assert again.status_code == 409
    message = again.get_json()["message"]
    assert message.startswith(f"identical to upload #{first['upload_id']}, po_lines.csv, applied on ")
    is_open, said, header, icon, duration = tell_upload_outcome(answered(again))
    assert is_open and said == [message]
    assert (header, icon, duration) == ("Upload of po_lines.csv refused", "warning", None)


def test_a_file_without_a_required_column_shows_the_api_s_400_message(upload_web, tmp_path):
    bad = tmp_path / "no-key.csv"
    bad.write_text("po_number,supplier_code\nPO-1,SUP-1\n", encoding="utf-8")
    refused = upload_file(client_as("otto"), bad)
    assert refused.status_code == 400
    _, said, header, icon, duration = tell_upload_outcome(answered(refused, "no-key.csv"))
    assert said == [refused.get_json()["message"]] and "line_number" in said[0]
    assert (header, icon, duration) == ("Upload of no-key.csv refused", "danger", None)


def test_a_failed_connection_says_nothing_was_queued(upload_web):
    _, said, _, icon, _ = tell_upload_outcome({"source": SOURCE, "file": "big.csv", "status": 0, "body": None})
    assert said == ["big.csv could not be sent: the connection to potrack failed. Nothing was queued."]
    assert icon == "danger"
    with pytest.raises(PreventUpdate):
        tell_upload_outcome(None)


@pytest.mark.parametrize("tick", ["runs-tick", "overview-tick"])
def test_an_answer_advances_the_refresh_tick_of_runs_and_overview(upload_web, tick):
    otto = client_as("otto")
    dependencies = otto.get("/_dash-dependencies").get_json()
    fed = [d["output"] for d in dependencies if {"id": "upload-outcome", "property": "data"} in d["inputs"]]
    assert f"{tick}.n_intervals" in fed
    outcome = {"source": SOURCE, "file": "po_lines.csv", "status": 202, "body": {"upload_id": 1, "run_id": 1}}
    answer = otto.post(
        "/_dash-update-component",
        json={
            "output": f"{tick}.n_intervals",
            "outputs": prop(tick, "n_intervals"),
            "inputs": [prop("upload-outcome", "data", outcome)],
            "state": [prop(tick, "n_intervals", 4)],
            "changedPropIds": ["upload-outcome.data"],
        },
    )
    assert response_props(answer, tick) == {"n_intervals": 5}
