"""GET /api/changes: the change events newest first, paged in SQL with the same filters as the explorer, each with
its differences and its line's URL; a bad filter is a 400 naming it."""

import pytest

from tests.support.change_history import build_history, serve_history
from tests.support.personas import client_as


@pytest.fixture
def served(workdir, erp):
    history = build_history(workdir, erp)
    serve_history(history)
    return history


def get(query):
    answer = client_as("vera").get(f"/api/changes?{query}")
    return answer.status_code, answer.get_json()


def test_pages_cover_every_change_once_newest_first(served):
    seen = []
    for page in (1, 2, 3, 4):
        status, body = get(f"per_page=3&page={page}")
        assert status == 200 and (body["count"], body["pages"], body["per_page"]) == (10, 4, 3)
        seen += [r["id"] for r in body["results"]]
    assert len(seen) == len(set(seen)) == 10 and seen == sorted(seen, reverse=True)
    assert get("per_page=3&page=9")[1]["page"] == 4  # past the end: the last page


def test_filters_and_differences(served):
    _, body = get("field=promised_date&slipped_over=4&since=2026-11-11&until=2026-11-12")
    [slip] = [r for r in body["results"] if r["line_number"] == 2]
    assert body["count"] == 2 and slip == {
        "id": slip["id"],
        "run_id": served.run_ids[1],
        "run_at": "2026-11-11T02:00:00Z",
        "source": "erp",
        "po_number": "PO1",
        "line_number": 2,
        "kind": "changed",
        "field": "promised_date",
        "old_value": "2026-12-01",
        "new_value": "2026-12-11",
        "supplier_code": "SUP-A",
        "item_code": "ITEM-2",
        "internal_part_id": "PART-2",
        "buyer": "alice",
        "plant": "P1",
        "open_quantity": 100.0,
        "days": 10,
        "delta": None,
        "percent": None,
        "value_impact": None,
        "line_url": "/lines/erp/PO1/2",
    }
    _, prices = get("kind=changed&field=unit_price&buyer=bob")
    assert sorted(r["value_impact"] for r in prices["results"]) == [-60.0, 200.0]
    assert get("plant=P3&kind=new")[1]["count"] == 1 and get("supplier=SUP-Z")[1]["count"] == 0


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kind=moved", "kind"),
        ("slipped_over=-2", "slipped_over"),
        ("slipped_over=soon", "slipped_over"),
        ("since=2026-11-12&until=2026-11-11", "until"),
        ("per_page=501", "per_page"),
        ("page=0", "page"),
        ("supplier=A&supplier=B", "supplier"),
        ("po=PO1", "po"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(served, query, parameter):
    status, body = get(query)
    assert status == 400 and body["parameter"] == parameter, body
