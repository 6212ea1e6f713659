"""An unmapped item code's lifecycle over real runs: it appears (first seen), persists (nights, lines and open value
now), is mapped in potrack (audited, still open until the next run), and the next run maps its lines and resolves
it; a code whose lines leave the ERP resolves too, differently; when the ERP's xref later maps the code its own
way, potrack's mapping still wins and the workbench says so."""

import pytest
import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store.models import Run, UnmappedCode
from potrack.store.xref import GapFilter, get_mapping, list_gaps, map_item_code
from potrack.xref_wording import gap_resolution, mapping_verdict
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import events, lines, store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

XREF = {f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)}
NIGHT = [
    erp_line("PO1", 1, item_code="ITEM-98", unit_price=2.5),
    erp_line("PO1", 2, item_code="ITEM-98", unit_price=2.5, quantity_received=20),
    erp_line("PO2", 1, item_code="ITEM-99", unit_price=4.0, quantity_ordered=50),
    erp_line("PO2", 2),
]
WITHOUT_PO2_1 = [row for row in NIGHT if (row["po_number"], row["line_number"]) != ("PO2", 1)]


def night(erp, rows, *flags):
    erp.write(rows)
    code, [report] = run_cli("--source", "erp", *flags)
    assert code == 0, report
    return report["run_id"]


def gaps(engine, state="all"):
    with engine.connect() as conn:
        return {g.item_code: g for g in list_gaps(conn, GapFilter(source="erp", state=state)).gaps}


def test_a_gap_appears_persists_is_mapped_and_the_next_run_maps_its_lines(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    first = night(erp, NIGHT, "--baseline")
    second = night(erp, NIGHT)
    engine = open_store().engine

    open_now = gaps(engine, "open")
    assert list(open_now) == ["ITEM-98", "ITEM-99"]  # costliest first: 250 + 200 against 200
    code = open_now["ITEM-98"]
    with engine.connect() as conn:  # its nights: the days (UTC, list_gaps' default zone) both runs started on
        days = {
            at.date() for at in conn.execute(sa.select(Run.started_at).where(Run.id.in_([first, second]))).scalars()
        }
    assert (code.first_run_id, code.last_run_id, code.nights, code.lines_now) == (first, second, len(days), 2)
    assert (code.open_value, code.currency, code.is_open, code.resolved_at) == (100 * 2.5 + 80 * 2.5, "EUR", True, None)
    assert code.first_seen_at <= code.last_seen_at and gap_resolution(code) == "unmapped"
    assert open_now["ITEM-99"].open_value == 50 * 4.0

    map_item_code(engine, "erp", " ITEM-98 ", " PART-98 ", "otto")
    pending = gaps(engine, "open")["ITEM-98"]
    assert pending.is_open
    assert gap_resolution(pending) == "unmapped; mapped in potrack by otto: applies from the next run"
    [audited] = store_rows(engine, "SELECT actor, message FROM audit_events WHERE event_type = 'xref.mapped'")
    assert audited == {
        "actor": "otto",
        "message": "otto mapped item code ITEM-98 of erp to PART-98; applies from the next run",
    }

    third = night(erp, WITHOUT_PO2_1)  # PO2/1, the only line of ITEM-99, leaves the ERP
    stored = lines(engine)
    assert {k: stored[k]["internal_part_id"] for k in (("PO1", 1), ("PO1", 2))} == {
        ("PO1", 1): "PART-98",
        ("PO1", 2): "PART-98",
    }
    assert {e for e in events(engine, third) if e[3] == "internal_part_id"} == {
        ("PO1", 1, "changed", "internal_part_id", None, "PART-98"),
        ("PO1", 2, "changed", "internal_part_id", None, "PART-98"),
    }
    assert gaps(engine, "open") == {}
    done = gaps(engine, "resolved")
    mapped, gone = done["ITEM-98"], done["ITEM-99"]
    assert (mapped.resolved_run_id, mapped.last_run_id, mapped.lines_now, mapped.mapped_to) == (
        third,
        second,
        0,
        "PART-98",
    )
    assert mapped.resolved_at is not None and gap_resolution(mapped) == (
        "mapped to PART-98; mapped in potrack by otto (the source's xref has no mapping)"
    )
    assert (gone.resolved_run_id, gone.mapped_to, gap_resolution(gone)) == (
        third,
        None,
        "no open line carries this code any more",
    )


def test_the_mapping_made_in_potrack_wins_over_the_erps_later_one_and_says_so(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    night(erp, NIGHT, "--baseline")
    engine = open_store().engine
    map_item_code(engine, "erp", "ITEM-98", "PART-98", "otto")
    erp.write_xref({**XREF, "ITEM-98": "PART-ERP-98"})
    latest = night(erp, NIGHT)
    assert {lines(engine)[k]["internal_part_id"] for k in (("PO1", 1), ("PO1", 2))} == {"PART-98"}
    with engine.connect() as conn:
        mapping = get_mapping(conn, "erp", "ITEM-98")
    assert (mapping.erp_part_id, mapping.erp_checked_run_id) == ("PART-ERP-98", latest)
    assert mapping_verdict(mapping) == (
        f"mapped in potrack by otto: wins over the source's xref, which maps it to PART-ERP-98 (run #{latest})"
    )
    erp.write_xref({**XREF, "ITEM-98": "PART-98"})
    agreed = night(erp, NIGHT)
    with engine.connect() as conn:
        assert mapping_verdict(get_mapping(conn, "erp", "ITEM-98")) == (
            "mapped in potrack by otto; the source's xref now maps it the same way"
        )
    assert agreed > latest


def test_a_changed_mapping_replaces_the_old_one_and_applies_from_the_next_run(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    night(erp, NIGHT, "--baseline")
    engine = open_store().engine
    map_item_code(engine, "erp", "ITEM-98", "PART-OLD", "otto")
    night(erp, NIGHT)
    map_item_code(engine, "erp", "ITEM-98", "PART-NEW", "ada")
    assert lines(engine)[("PO1", 1)]["internal_part_id"] == "PART-OLD"  # until the next run
    latest = night(erp, NIGHT)
    assert lines(engine)[("PO1", 1)]["internal_part_id"] == "PART-NEW"
    assert ("PO1", 1, "changed", "internal_part_id", "PART-OLD", "PART-NEW") in events(engine, latest)
    messages = [
        r["message"]
        for r in store_rows(engine, "SELECT message FROM audit_events WHERE event_type = 'xref.mapped' ORDER BY id")
    ]
    assert messages[-1] == "ada mapped item code ITEM-98 of erp to PART-NEW (was PART-OLD); applies from the next run"


def test_row_retries_are_not_nights_of_a_gap(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    first = night(erp, NIGHT, "--baseline")
    engine = open_store().engine
    with engine.begin() as conn:  # a row retry that re-read a row of ITEM-98 (it lists its unmapped codes too)
        retry = conn.execute(
            sa.insert(Run)
            .values(source="erp", trigger="row_retry", status="success", baseline=False, queued_at=utcnow())
            .returning(Run.id)
        ).scalar_one()
        conn.execute(sa.insert(UnmappedCode).values(run_id=retry, item_code="ITEM-98", line_count=1))
    code = gaps(engine)["ITEM-98"]
    assert (code.nights, code.first_run_id, code.last_run_id, code.is_open) == (1, first, first, True)
