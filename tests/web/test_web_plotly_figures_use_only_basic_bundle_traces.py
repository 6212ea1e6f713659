"""Every figure potrack draws uses only trace types of plotly.js's basic bundle (scatter, bar, pie), the plotly.js
the graphs load when it is installed: a trace of another type would draw nothing there."""

import datetime as dt
import inspect

from potrack.store.changes import NightCount, SupplierSlips
from potrack.store.run_history import OutcomeCount, RunPoint, RunSeries
from potrack.web import figures
from potrack.web.plotly_bundle import BASIC_TRACES
from tests.support.web import UTC

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


def small_series():
    statuses = ["success", "partial", "failed"]
    points = [RunPoint(i, T0 + i * DAY, statuses[i], i == 0, 100 * i, 50.0 * i, i, 2 * i, 0.5 * i) for i in range(3)]
    return RunSeries(points, 3)


def every_figure():
    """Each figure function of potrack/web/figures.py, built with small real data."""
    series, day = small_series(), T0.date()
    return {
        "lines_figure": figures.lines_figure(series, UTC),
        "volumes_figure": figures.volumes_figure(series, UTC),
        "duration_figure": figures.duration_figure(series, UTC),
        "outcomes_figure": figures.outcomes_figure(
            [OutcomeCount(day, "success", 2), OutcomeCount(day + DAY, "failed", 1)]
        ),
        "changes_per_night_figure": figures.changes_per_night_figure(
            [NightCount(day, "new", 5), NightCount(day, "promised_date", 2), NightCount(day + DAY, "removed", 1)]
        ),
        "supplier_slips_figure": figures.supplier_slips_figure(
            [SupplierSlips("S-1", 4, 12), SupplierSlips("S-2", 1, 3)]
        ),
    }


def test_the_test_builds_every_figure_function():
    functions = {
        name
        for name, value in vars(figures).items()
        if inspect.isfunction(value) and value.__module__ == figures.__name__ and not name.startswith("_")
    }
    assert functions == set(every_figure())


def test_every_trace_of_every_figure_is_a_basic_bundle_type():
    for name, figure in every_figure().items():
        types = {trace.get("type", "scatter") for trace in figure["data"]}  # (plotly's default type is scatter)
        assert figure["data"] and types <= BASIC_TRACES, f"{name}: {sorted(types)}"
