"""The upload area on /runs and on the Overview: none for a viewer; for an operator or an admin one per source that
takes uploads (`buyer`; none for `nightly`), carrying its source and the session's CSRF token, with the link to the
runbook's section on failed uploads, and the store and toast that tell the outcome. A source fed by uploads only has
no Run now (it has no path to read); the others keep theirs."""

import flask
import pytest

from pages import overview, runs
from pages.runs import refresh_runs
from tests.support.personas import PERSONAS, acting_as
from tests.support.web import find_all, find_by_id, links, of_type


def areas(tree):
    """The upload areas of a component tree."""
    return find_all(tree, lambda c: "upload-area" in (getattr(c, "className", None) or "").split())


def built_as(engine, name, build):
    """A page's layout built with a persona signed in, and the session's CSRF token afterwards."""
    with acting_as(engine, name):
        tree = build()
        return tree, flask.session.get("csrf_token")


@pytest.mark.parametrize("page", [runs.layout, overview.layout], ids=["runs", "overview"])
@pytest.mark.parametrize("name", list(PERSONAS))
def test_only_operators_and_admins_get_an_area_per_upload_source(upload_web, name, page):
    tree, token = built_as(upload_web.engine, name, page)
    found = areas(tree)
    if PERSONAS[name] == "viewer":
        assert found == []
        assert find_all(tree, lambda c: getattr(c, "id", None) in ("upload-outcome", "upload-toast")) == []
        return
    assert [getattr(a, "data-source") for a in found] == ["buyer"]  # not nightly: it takes no uploads
    [area] = found
    assert token and getattr(area, "data-csrf") == token
    assert getattr(area, "data-outcome") == "upload-outcome"
    assert ("What if an upload fails?", "/runbook#what-if-an-upload-fails") in links(area)
    assert len(find_all(area, lambda c: type(c).__name__ == "Upload")) == 1
    find_by_id(tree, "upload-outcome"), find_by_id(tree, "upload-toast")  # one each (find_by_id asserts it)


def test_on_the_overview_the_area_is_in_its_source_s_row(upload_web):
    tree, _ = built_as(upload_web.engine, "otto", overview.layout)
    rows = find_all(tree, lambda c: isinstance(getattr(c, "id", None), dict) and c.id.get("type") == "source-row")
    by_source = {row.id["source"]: [getattr(a, "data-source") for a in areas(row)] for row in rows}
    assert by_source == {"buyer": ["buyer"], "nightly": []}


def test_a_source_fed_by_uploads_only_has_no_run_now(upload_web):
    board, _ = built_as(upload_web.engine, "otto", overview.layout)
    monitor, _ = built_as(upload_web.engine, "otto", lambda: refresh_runs("", [], None, None, [])[6])
    for tree in (board, monitor):
        assert [button.id["source"] for button in of_type(tree, "run-now")] == ["nightly"]
