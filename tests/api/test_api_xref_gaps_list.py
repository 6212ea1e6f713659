"""GET /api/xref/gaps: unmapped item codes costliest first, open, resolved or all, each with its lifecycle, where
it stands and the mapping made in potrack; a bad state is a 400."""

from potrack import runtime
from potrack.store.xref import map_item_code
from tests.support.personas import client_as
from tests.support.store import run_row
from tests.support.web import demo_run


def gaps(client, query=""):
    return client.get(f"/api/xref/gaps?per_page=500{query}").get_json()


def test_open_gaps_costliest_first_with_their_lifecycle_and_mapping(web):
    first = demo_run(web, 0).run_id
    latest = demo_run(web, 1).run_id
    client = client_as("vera")
    body = gaps(client)
    values = [g["open_value"] for g in body["results"]]
    assert body["count"] == len(values) > 10 and values == sorted(values, reverse=True)
    top = body["results"][0]
    assert (top["state"], top["is_open"], top["last_run_id"], top["resolution"]) == ("open", True, latest, "unmapped")
    listed_by = (first, latest) if top["first_run_id"] == first else (latest,)
    days = {run_row(web.engine, run)["started_at"].astimezone(runtime.zone()).date() for run in listed_by}
    assert top["first_run_id"] in (first, latest) and top["nights"] == len(days)  # distinct local days, not runs
    assert top["lines_now"] >= 1 and top["currency"] == "EUR" and top["first_seen_at"].endswith("Z")

    map_item_code(web.engine, "demo", top["item_code"], "PART-TOP", "otto")
    again = gaps(client)["results"][0]
    assert again["item_code"] == top["item_code"] and again["state"] == "open"  # until the next run
    assert again["mapping"]["internal_part_id"] == "PART-TOP"
    assert again["mapping"]["verdict"] == "mapped in potrack by otto: applies from the next run"
    counts = {state: gaps(client, f"&state={state}")["count"] for state in ("open", "resolved", "all")}
    assert counts["open"] == body["count"] and counts["all"] == counts["open"] + counts["resolved"]


def test_a_bad_state_is_a_400(web):
    answer = client_as("vera").get("/api/xref/gaps?state=closed")
    assert answer.status_code == 400 and answer.get_json()["parameter"] == "state"
