"""The optional new-xref-gap rule: it fires when the latest run leaves an item code unmapped that no earlier run
listed and its open lines are worth more than new_gap_value; codes known from earlier nights (the first snapshot's
included) never fire it; it resolves at the next run without such a code; off unless configured; a bad value
stops potrack naming the key."""

import pytest

from potrack.alerts.evaluate import Evaluator
from potrack.config import ConfigError, load_settings
from potrack.store import alerts as store
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.workdir import open_store, write_config

ALERTS = "[alerts]\nnew_gap_value = 300\n"
KNOWN = [erp_line("PO1", 1, item_code="ITEM-98", unit_price=5.0), erp_line("PO1", 2)]  # 100 × 5.00 open
NEW_COSTLY = KNOWN + [
    erp_line("PO2", 1, item_code="ITEM-97", unit_price=4.0),  # 400
    erp_line("PO2", 2, item_code="ITEM-97", unit_price=1.0, quantity_received=90),
]  # + 10
NEW_CHEAP = NEW_COSTLY + [erp_line("PO3", 1, item_code="ITEM-96", unit_price=2.0)]  # 200: under 300


def night(erp, rows, *flags):
    erp.write(rows)
    code, [report] = run_cli("--source", "erp", *flags)
    assert code == 0, report
    return report["run_id"]


def evaluate(runtime):
    """The rules evaluated again (as the minute job does; `potrack run` has evaluated after its run)."""
    changes = Evaluator(runtime.settings, runtime.engine).evaluate("erp")
    with runtime.engine.connect() as conn:
        return changes, {a.rule: a for a in store.firing(conn, "erp")}


def opened(runtime):
    with runtime.engine.connect() as conn:
        return store.list_alerts(conn, "erp", "new_xref_gap")


def test_a_new_costly_code_fires_once_and_the_next_night_resolves_it(workdir, erp):
    write_config(workdir, ALERTS + sql_source_config(erp))
    night(erp, KNOWN, "--baseline")
    runtime = open_store()
    assert evaluate(runtime) == ([], {}) and opened(runtime) == []  # the first snapshot's gaps: where it starts
    night(erp, KNOWN)
    assert evaluate(runtime) == ([], {}) and opened(runtime) == []  # a known gap, however costly, is not new

    costly = night(erp, NEW_COSTLY)
    changes, firing = evaluate(runtime)
    assert changes == [] and list(firing) == ["new_xref_gap"]  # opened by the run's own evaluation, once
    alert = firing["new_xref_gap"]
    assert alert.run_id == costly and alert.message == (
        f"run #{costly} left 1 new item code unmapped worth more than 300.00 on open lines: "
        "ITEM-97 (2 lines, 410.00 EUR)"
    )

    night(erp, NEW_CHEAP)  # ITEM-97 is known now, ITEM-96 is new but under the threshold
    assert evaluate(runtime) == ([], {})
    [history] = opened(runtime)
    assert (history.state, history.id) == ("resolved", alert.id)


def test_the_rule_is_off_unless_configured(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    night(erp, KNOWN, "--baseline")
    night(erp, NEW_COSTLY)
    runtime = open_store()
    assert evaluate(runtime) == ([], {}) and opened(runtime) == []
    write_config(workdir, sql_source_config(erp, extra="alerts = { new_gap_value = 400 }"))
    assert evaluate(open_store())[0] == ["opened erp/new_xref_gap"]  # 410 > 400, for this source only


@pytest.mark.parametrize("value", ["-5", "0", '"lots"'])
def test_a_bad_threshold_names_the_key(workdir, erp, value):
    write_config(workdir, f"[alerts]\nnew_gap_value = {value}\n" + sql_source_config(erp))
    with pytest.raises(ConfigError, match=r"alerts\.new_gap_value: expected a positive open value"):
        load_settings()
