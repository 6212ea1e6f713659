"""The Overview is a status board: failing sources first, then degraded (stale), then healthy, by name within a
level; each row coloured by its state with the reason in words, and its last runs as squares linking to them."""

import re

import pytest

import app
from pages.overview import board
from potrack.runtime import start
from tests.support.fragments import sent
from tests.support.overview_board import CONFIG, four_sources
from tests.support.personas import acting_as, add_personas
from tests.support.web import of_type, text
from tests.support.workdir import write_config


@pytest.fixture
def board_web(workdir):
    write_config(workdir, CONFIG)
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    return runtime


def rows(runtime):
    with acting_as(runtime.engine, "vera"):
        shown, _ = board()
    return {r.id["source"]: r for r in of_type(shown, "source-row")}, [
        r.id["source"] for r in of_type(shown, "source-row")
    ]


def test_failing_then_degraded_then_healthy_ties_by_name(board_web):
    four_sources(board_web.engine)
    by_name, order = rows(board_web)
    assert order == ["charlie", "delta", "bravo", "alpha"]  # configured alpha, bravo, charlie, delta
    assert [by_name[s].className for s in order] == [
        "board-row board-failing",
        "board-row board-failing",
        "board-row board-degraded",
        "board-row board-healthy",
    ]


def test_each_unhealthy_row_says_why_in_words(board_web):
    runs = four_sources(board_web.engine)
    by_name, _ = rows(board_web)
    abandoned, failed, stale_ok = runs["charlie"][-1], runs["delta"][-1], runs["bravo"][-1]
    assert re.search(
        rf"run #{abandoned} abandoned just now in extract at 20,000 of 63,435 rows: the process running it ended",
        text(by_name["charlie"]),
    )
    assert f"run #{failed} failed 2 h ago: extract: ERP unreachable" in text(by_name["delta"])
    # bravo's last run finished 31 h 30 min ago less its 1 s; a nightly schedule allows 24 h + 2 h
    assert f"no completed run for 31 h (limit 26 h); the last was run #{stale_ok}" in text(by_name["bravo"])
    assert "text-danger" in sent(by_name["bravo"]) and "text-danger" not in sent(by_name["alpha"])


def test_each_row_has_a_square_per_run_linking_to_it_oldest_first(board_web):
    runs = four_sources(board_web.engine)
    by_name, _ = rows(board_web)
    for source, ids in runs.items():
        squares = re.findall(r'<a href="/runs/(\d+)" class="strip-run strip-(\w+)"', sent(by_name[source]))
        assert [int(i) for i, _ in squares] == ids
    assert [
        s for _, s in re.findall(r'href="/runs/(\d+)" class="strip-run strip-(\w+)"', sent(by_name["charlie"]))
    ] == [
        "success",
        "abandoned",
    ]
