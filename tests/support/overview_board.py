"""Four sources in four states for the Overview's board tests: alpha healthy, bravo stale, charlie abandoned in
extract, delta failing; written straight into a real store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store.runs import abandon_stale_runs
from tests.support.browser import App, open_runtime, serve
from tests.support.web import add_run

CONFIG = "".join(f'[[sources]]\nname = "{name}"\nkind = "demo"\n\n' for name in ("alpha", "bravo", "charlie", "delta"))
HOUR = dt.timedelta(hours=1)


def four_sources(engine: sa.Engine) -> dict[str, list[int]]:
    """Each source's runs, oldest first: alpha's three succeeded (the last 1 h ago); bravo's last succeeded 31 h 30 min
    ago; charlie's last was abandoned in extract at 20,000 of 63,435 rows; delta's last failed (ERP unreachable)."""
    now = utcnow()
    runs: dict[str, list[int]] = {
        "alpha": [add_run(engine, "alpha", queued_at=now - h * HOUR) for h in (49, 25, 1)],
        "bravo": [add_run(engine, "bravo", queued_at=now - h * HOUR) for h in (55, 31.5)],
        "charlie": [add_run(engine, "charlie", queued_at=now - 20 * HOUR)],
        "delta": [add_run(engine, "delta", queued_at=now - 20 * HOUR)],
    }
    runs["delta"].append(
        add_run(engine, "delta", status="failed", queued_at=now - 2 * HOUR, error="extract: ERP unreachable")
    )
    abandoned = add_run(
        engine, "charlie", status="running", alive=False, stage="extract", rows_done=20_000, rows_total=63_435
    )
    assert abandon_stale_runs(engine, source="charlie") == [abandoned]  # its process is gone: abandoned at once
    runs["charlie"].append(abandoned)
    return runs


@pytest.fixture(scope="module")
def board_app(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, dict[str, list[int]]]]:
    """`python app.py` serving the four sources (for a browser test module): the app and each source's runs."""
    root = tmp_path_factory.mktemp("board")
    (root / "potrack.toml").write_text(CONFIG, encoding="utf-8")
    with open_runtime(root) as runtime:
        runs = four_sources(runtime.engine)
    with serve(root) as app:
        yield app, runs
