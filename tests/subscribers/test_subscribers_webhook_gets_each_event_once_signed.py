"""Two real runs (a baseline, then a night with a new, two changed and a removed line) queue their events in their
own data transaction; the webhook gets exactly one POST per run and topic, signed with HMAC-SHA256 over the exact
body bytes, carrying the run's report or the keys of the lines the run touched; delivering again sends nothing."""

import hashlib
import hmac
import json

import pytest

from potrack.clock import utcnow
from potrack.pipeline.runner import Pipeline
from potrack.store import subscriber_outbox
from potrack.subscribers import deliver_pending
from tests.support.erp import sql_source_config
from tests.support.erp_nights import NIGHT_1, NIGHT_2
from tests.support.subscribers import SECRET, attempts, deliveries, webhook_toml
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def keys(rows):
    return {(r["po_number"], r["line_number"]) for r in rows}


def expected_changes(before, after):
    """new, changed and removed keys from the two snapshots themselves."""
    old = {(r["po_number"], r["line_number"]): r for r in before}
    new = {(r["po_number"], r["line_number"]): r for r in after}
    return {
        "new": set(new) - set(old),
        "changed": {k for k in set(new) & set(old) if new[k] != old[k]},
        "removed": set(old) - set(new),
    }


def key_set(payload, kind):
    return {(k["po_number"], k["line_number"]) for k in payload[kind]}


def test_each_run_and_topic_is_posted_once_signed(workdir, erp, event_hook):
    write_config(workdir, sql_source_config(erp) + webhook_toml("warehouse", event_hook.url))
    runtime = open_store()
    pipeline = Pipeline(runtime.settings, runtime.engine)
    erp.write(NIGHT_1)
    first = pipeline.run("erp")
    erp.write(NIGHT_2)
    second = pipeline.run("erp")

    assert deliver_pending(runtime.engine, runtime.settings.subscribers) == 4
    assert deliver_pending(runtime.engine, runtime.settings.subscribers) == 0  # nothing is sent twice

    posts = event_hook.accepted
    assert len(posts) == 4 and event_hook.refused == []
    for post in posts:
        expected = hmac.new(SECRET.encode(), post.body, hashlib.sha256).hexdigest()
        assert post.headers["x-potrack-signature"] == f"sha256={expected}"
        assert post.headers["content-type"] == "application/json"
    by_topic = {}
    for post in posts:
        by_topic.setdefault((post.headers["x-potrack-topic"], post.json["run_id"]), []).append(post)
    assert set(by_topic) == {
        ("run.finished", first.run_id),
        ("run.finished", second.run_id),
        ("po_lines.changed", first.run_id),
        ("po_lines.changed", second.run_id),
    }
    assert all(len(v) == 1 for v in by_topic.values())

    for report in (first, second):
        [finished] = by_topic[("run.finished", report.run_id)]
        assert finished.json == json.loads(json.dumps(report.as_json()))
    [baseline] = by_topic[("po_lines.changed", first.run_id)]
    assert baseline.json["source"] == "erp" and (baseline.json["page"], baseline.json["pages"]) == (1, 1)
    assert key_set(baseline.json, "new") == keys(NIGHT_1)
    assert baseline.json["changed"] == [] and baseline.json["removed"] == []
    [night] = by_topic[("po_lines.changed", second.run_id)]
    assert {kind: key_set(night.json, kind) for kind in ("new", "changed", "removed")} == expected_changes(
        NIGHT_1, NIGHT_2
    )

    stored = deliveries(runtime.engine)
    assert sorted(p.headers["x-potrack-delivery"] for p in posts) == sorted(str(d["id"]) for d in stored)
    assert {d["state"] for d in stored} == {"sent"} and all(d["attempts"] == 1 for d in stored)
    assert [(ok, error) for _, _, ok, error in attempts(runtime.engine)] == [(True, None)] * 4
    assert subscriber_outbox.claim_next(runtime.engine, utcnow()) is None
