"""GET /api/runs pages by an opaque keyset cursor: following `next` visits every run exactly once, newest first,
ties of queue time broken by id, with the filters kept and `count` the number matching in all."""

import datetime as dt

import sqlalchemy as sa

from potrack.store.models import Run
from tests.support.personas import client_as
from tests.support.web import UTC, add_run

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def fill(engine, n, status="success"):
    # Runs come in pairs queued at the same moment: the cursor must break the tie by id.
    return [add_run(engine, status=status, queued_at=T0 + dt.timedelta(minutes=(i + 1) // 2)) for i in range(n)]


def follow(client, url):
    """Every page from url on, by the `next` links."""
    pages = []
    while url is not None:
        answer = client.get(url)
        assert answer.status_code == 200, answer.get_json()
        pages.append(answer.get_json())
        url = pages[-1]["next"]
    return pages


def newest_first(engine, ids):
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(Run.id).where(Run.id.in_(ids)).order_by(Run.queued_at.desc(), Run.id.desc())
            ).scalars()
        )


def test_120_runs_come_in_pages_of_50_50_20_without_duplicates_or_gaps(web):
    ids = fill(web.engine, 120)
    pages = follow(client_as("vera"), "/api/runs")
    assert [len(p["results"]) for p in pages] == [50, 50, 20]
    assert {p["count"] for p in pages} == {120}
    seen = [r["run_id"] for p in pages for r in p["results"]]
    assert seen == newest_first(web.engine, ids) and len(set(seen)) == 120
    assert pages[-1]["next"] is None


def test_the_next_url_is_relative_and_keeps_the_filters_and_limit(web):
    wanted = fill(web.engine, 30, status="failed")
    fill(web.engine, 30)
    pages = follow(client_as("vera"), "/api/runs?status=failed&source=demo&limit=7")
    assert pages[0]["next"].startswith("/api/runs?") and "status=failed" in pages[0]["next"]
    assert "limit=7" in pages[0]["next"] and "source=demo" in pages[0]["next"]
    assert [len(p["results"]) for p in pages] == [7, 7, 7, 7, 2]
    assert [r["run_id"] for p in pages for r in p["results"]] == newest_first(web.engine, wanted)
    assert {p["count"] for p in pages} == {30}


def test_a_run_queued_while_paging_does_not_shift_the_later_pages(web):
    ids = fill(web.engine, 10)
    client = client_as("vera")
    first = client.get("/api/runs?limit=4").get_json()
    add_run(web.engine, queued_at=T0 + dt.timedelta(days=1))
    rest = follow(client, first["next"])
    seen = [r["run_id"] for p in [first, *rest] for r in p["results"]]
    assert seen == newest_first(web.engine, ids)


def test_an_exact_fit_ends_without_a_next_page_and_an_empty_store_has_none(web):
    client = client_as("vera")
    assert client.get("/api/runs").get_json() == {"count": 0, "results": [], "next": None}
    fill(web.engine, 10)
    pages = follow(client, "/api/runs?limit=5")
    assert [len(p["results"]) for p in pages] == [5, 5] and pages[-1]["next"] is None
