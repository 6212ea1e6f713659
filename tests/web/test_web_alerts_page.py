"""/alerts: firing alerts on top with their run and runbook links, the history filtered through the URL (source,
rule, dates), every alert's notifications per channel with each attempt's time and error, the rules of every
source; the Send test notification buttons only for admins; /runbook renders docs/runbook.md with the anchors the
notifications link to."""

import datetime as dt
import json

import pytest

from pages import alerts, runbook
from potrack.alerts.message import ANCHORS
from potrack.clock import utcnow
from potrack.web.filters import AlertView
from potrack.web.runbook import sections
from tests.support.alerts import HOUR, REFUSED, deliver, evaluate, fail_twice
from tests.support.personas import PERSONAS, acting_as, client_as
from tests.support.web import add_run, body_rows, find_all, find_by_id, of_type, routed_page, text


def page(runtime, name="vera", **query):
    with acting_as(runtime.engine, name):
        return alerts.layout(**query)


def test_a_firing_alert_is_on_top_with_its_run_and_runbook_links(alerts_web):
    failed = fail_twice(alerts_web)
    evaluate(alerts_web)
    shown = page(alerts_web)
    firing = find_by_id(shown, "alerts-firing")
    row = text(body_rows(firing)[0])
    assert row.startswith("demo consecutive failed runs") and "the last 2 runs failed" in row
    links = {link.href for link in find_all(firing, lambda c: hasattr(c, "href"))}
    assert {f"/runs/{failed[-1]}", "/runbook#consecutive-failures"} <= links
    assert find_by_id(shown, "alerts-runbook-link").href == "/runbook"
    sections = [c.children for c in shown.children if type(c).__name__ == "H4"]
    assert sections == ["Firing now", "History", "Rules per source", "Channels"]


def test_nothing_firing_says_so(alerts_web):
    assert text(find_by_id(page(alerts_web), "alerts-firing")) == "No alert is firing."
    history, count = alerts.show_history("")
    assert text(history) == "No alert has fired yet." and count == ""  # said once, not in the count line too


def test_the_delivery_log_shows_each_channel_s_state_and_every_attempt_with_its_error(alerts_web, receiver):
    fail_twice(alerts_web)
    evaluate(alerts_web)
    deliver(alerts_web)
    history, count = alerts.show_history("")
    assert count == "1 alert · firing first, then newest first"
    log = text(find_all(history, lambda c: "delivery-log-box" in (getattr(c, "className", "") or ""))[0])
    assert log.startswith("2 notifications: 1 sent, 1 failed")
    hook, mail = [text(r) for r in find_all(history, lambda c: type(c).__name__ == "Tr")][-2:]
    assert hook.startswith("hook opened sent #1 ") and " ok (" in hook
    assert mail.startswith("mail opened failed #1 ") and mail.count(REFUSED) == 3
    assert "#3 " in mail and [p["event"] for p in receiver.posts] == ["opened"]


def test_a_resolved_alert_shows_its_resolution_and_recovery_notifications(alerts_web):
    fail_twice(alerts_web)
    evaluate(alerts_web)
    ok = add_run(alerts_web.engine)
    assert evaluate(alerts_web) == ["resolved demo/consecutive_failures"]
    history = text(body_rows(alerts.show_history("?rule=consecutive_failures")[0]))
    assert history.startswith("resolved demo consecutive failed runs")
    assert f"resolved: no failure streak of 2 (run #{ok} success)" in history
    assert "4 notifications: 4 pending" in history  # (nothing delivered them yet)
    assert text(find_by_id(page(alerts_web), "alerts-firing")) == "No alert is firing."


def test_the_history_filters_by_source_rule_and_dates(alerts_web):
    fail_twice(alerts_web)
    now = utcnow()
    evaluate(alerts_web, now + 30 * HOUR)  # demo's data is stale by then as well
    assert alerts.show_history("")[1].startswith("2 alerts")
    assert alerts.show_history("?rule=stale_data")[1].startswith("1 alert ")
    assert "stale data" in text(alerts.show_history("?rule=stale_data")[0])
    assert [text(shown) for shown in alerts.show_history("?source=night")] == ["No alerts match these filters.", ""]
    opened = (now + 30 * HOUR).date()
    assert alerts.show_history(f"?start={opened}&end={opened}")[1].startswith("2 alerts")
    before = alerts.show_history(f"?end={opened - dt.timedelta(days=1)}")
    assert [text(shown) for shown in before] == ["No alerts match these filters.", ""]


def test_the_filters_round_trip_through_the_url(alerts_web):
    search = alerts.filters_to_url("demo", "stale_data", "2026-11-01", None)
    assert (
        search == "?source=demo&rule=stale_data&start=2026-11-01" and AlertView.from_search(search).rule == "stale_data"
    )
    assert AlertView.from_search("?rule=bogus&source=demo") == AlertView(source="demo")
    shown = page(alerts_web, source="night", rule="volume_drop", end="2026-11-02")
    assert find_by_id(shown, "alerts-filter-source").value == "night"
    assert find_by_id(shown, "alerts-filter-rule").value == "volume_drop"
    assert find_by_id(shown, "alerts-filter-dates").end_date == dt.date(2026, 11, 2)


def test_the_rules_of_every_source_are_shown_with_their_values(alerts_web):
    ok = add_run(alerts_web.engine, queued_at=utcnow() - 5 * HOUR, duration_s=0)
    rules = find_by_id(page(alerts_web), "alerts-rules")
    demo, night = [text(card) for card in of_type(rules, "alerts-rules-card")]
    assert f"last completed run #{ok} is 5 h old (limit 26 h)" in demo and "next expected run" in demo
    assert "stale from" in demo and "no run yet" not in demo
    assert night.startswith("night muted notifications muted until 2099-01-01 00:00") and "no run yet" in night
    assert "no completed run for 4 h (stale_after)" in night


@pytest.mark.parametrize("name", list(PERSONAS))
def test_only_admins_get_a_send_test_notification_button_per_channel(alerts_web, name):
    channels = find_by_id(page(alerts_web, name), "alerts-channels")
    buttons = of_type(channels, "alerts-test")
    assert text(channels).startswith("hook webhook") and "mail email" in text(channels)
    assert "127.0.0.1" not in json.dumps(channels.to_plotly_json(), default=str)  # (a webhook's URL is a secret)
    assert [b.id["channel"] for b in buttons] == (["hook", "mail"] if PERSONAS[name] == "admin" else [])


def test_the_runbook_renders_with_an_anchor_for_every_rule(web):
    shown = runbook.layout()
    anchors = {h.id for h in find_all(shown, lambda c: type(c).__name__ == "H2")}
    assert set(ANCHORS.values()) | {"testing-the-channels", "muting-for-maintenance"} <= anchors
    assert "potrack runbook" in json.dumps(shown.to_plotly_json(), default=str)


def test_the_runbook_is_cut_at_its_headings_outside_code_and_a_numbered_list_stands_apart():
    parts = sections("# Runbook\n## Stale data\n```sh\n## not a heading\n1. code\n```\n**Diagnose**\n1. one\n2. two")
    assert [(p.title, p.anchor) for p in parts] == [("", ""), ("Stale data", "stale-data")]
    assert parts[0].body == "# Runbook"
    assert parts[1].body == "```sh\n## not a heading\n1. code\n```\n**Diagnose**\n\n1. one\n2. two"


@pytest.mark.parametrize(("path", "expect"), [("/alerts", "Rules per source"), ("/runbook", "Stale data")])
def test_the_pages_are_routed_for_any_role(alerts_web, path, expect):
    response = routed_page(client_as("vera"), path)
    assert response.status_code == 200 and expect in json.dumps(response.get_json())
