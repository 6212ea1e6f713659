"""po_lines.changed is split into pages of at most `max_keys` keys in all (new, then changed, then removed), each
delivered on its own with `page` and `pages`: a 2,345-line baseline in three pages, a night touching 13 lines in
three pages of at most 5; every key is delivered exactly once. A run that touched no line queues no
po_lines.changed (its run.finished still goes)."""

from collections import Counter

from potrack.pipeline.runner import Pipeline
from potrack.subscribers import deliver_pending
from tests.support.erp import erp_line, sql_source_config
from tests.support.subscribers import deliveries, event_receiver, webhook_toml
from tests.support.workdir import open_store, write_config

KINDS = ("new", "changed", "removed")


def changed_pages(hook, run_id):
    """The po_lines.changed bodies a receiver got for a run, by page."""
    bodies = [p.json for p in hook.accepted if p.headers["x-potrack-topic"] == "po_lines.changed"]
    return sorted((b for b in bodies if b["run_id"] == run_id), key=lambda b: b["page"])


def delivered_keys(pages):
    """Every (kind, po, line) the pages carry, counted."""
    return Counter((kind, k["po_number"], k["line_number"]) for page in pages for kind in KINDS for k in page[kind])


def test_keys_are_paged_and_each_is_delivered_once(workdir, erp):
    baseline = [erp_line(f"PO{n // 10}", n % 10 + 1) for n in range(2345)]
    night = [dict(row) for row in baseline[7:]]  # the first 7 lines are gone
    for row in night[:4]:
        row["quantity_received"] = 10  # 4 lines change
    night += [erp_line("PO-NEW", n) for n in (1, 2)]  # 2 lines are new
    with event_receiver() as big, event_receiver() as small:
        write_config(
            workdir,
            sql_source_config(erp)
            + webhook_toml("big", big.url, topic="po_lines.changed", extra="max_keys = 1000")
            + webhook_toml("small", small.url, topic="po_lines.changed", extra="max_keys = 5"),
        )
        runtime = open_store()
        pipeline = Pipeline(runtime.settings, runtime.engine)
        erp.write(baseline)
        first = pipeline.run("erp")
        erp.write(night)
        second = pipeline.run("erp")
        deliver_pending(runtime.engine, runtime.settings.subscribers)

    expected = {
        first.run_id: Counter(("new", r["po_number"], r["line_number"]) for r in baseline),
        second.run_id: Counter(
            [("removed", r["po_number"], r["line_number"]) for r in baseline[:7]]
            + [("changed", r["po_number"], r["line_number"]) for r in night[:4]]
            + [("new", "PO-NEW", n) for n in (1, 2)]
        ),
    }
    for hook, max_keys in ((big, 1000), (small, 5)):
        for run_id, keys in expected.items():
            pages = changed_pages(hook, run_id)
            count = -(-sum(keys.values()) // max_keys)  # 3 and 1 pages for big, 469 and 3 for small
            assert [(p["page"], p["pages"], p["source"]) for p in pages] == [
                (n, count, "erp") for n in range(1, count + 1)
            ]
            assert all(sum(len(p[kind]) for kind in KINDS) <= max_keys for p in pages)
            assert delivered_keys(pages) == keys  # every key once, none missing
    assert len(deliveries(runtime.engine)) == 3 + 1 + 469 + 3


def test_a_run_that_touched_no_line_sends_only_run_finished(workdir, erp):
    with event_receiver() as hook:
        write_config(workdir, sql_source_config(erp) + webhook_toml("all", hook.url))
        runtime = open_store()
        pipeline = Pipeline(runtime.settings, runtime.engine)
        erp.write([erp_line("PO1", 1), erp_line("PO1", 2)])
        pipeline.run("erp")
        same = pipeline.run("erp")
        deliver_pending(runtime.engine, runtime.settings.subscribers)
    topics = [(p.headers["x-potrack-topic"], p.json["run_id"]) for p in hook.accepted]
    assert ("run.finished", same.run_id) in topics and ("po_lines.changed", same.run_id) not in topics
    assert [d["topic"] for d in deliveries(runtime.engine) if d["run_id"] == same.run_id] == ["run.finished"]
