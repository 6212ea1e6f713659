"""Custom columns are stored and diffed under their name in lower case (docs/pipeline.md, "Exact semantics", 6):

- changing the spelling or case of a custom column in potrack.toml (or of the ERP's column) changes nothing: no
  change events, and the stored values keep their lower-case names;
- giving it a different name is an explicit migration, `python -m potrack db rename-custom-column SOURCE OLD NEW`
  after renaming it in `custom_columns`: the source's stored values and their change history move to the new name
  in one transaction, audited as `custom_column.renamed`, and the next run records no change for it; without the
  migration, the next night records every line's value under the new name as a change;
- the command is refused (exit 2, saying why, nothing changed) when NEW is not configured, OLD still is, OLD and NEW
  are one name ignoring case, the source has a run queued or running, or lines already hold a value for NEW.
"""

import sqlite3

import pytest
import sqlalchemy as sa

from potrack.store.models import ChangeEvent, PoLine
from potrack.store.runs import queue_run_unless_active
from tests.support.cli import run_cli, run_cli_process
from tests.support.columns import source_config, write_table
from tests.support.erp import ERP_COLUMNS, erp_line
from tests.support.store import all_events, audit_events, events, expect, json_value, metrics
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

XREF = '{ query = "SELECT item_code, internal_part_id FROM xref" }'


def stored_custom(engine) -> dict[tuple[str, int], dict | None]:
    """Every line's custom values exactly as stored (JSON decoded, names as written)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(PoLine.po_number, PoLine.line_number, PoLine.custom)).all()
    return {(po, line): json_value(custom) for po, line, custom in rows}


def custom_events(engine) -> list[tuple]:
    """(run, po, line, field, old, new) of every change event of a custom column, in order."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                ChangeEvent.run_id,
                ChangeEvent.po_number,
                ChangeEvent.line_number,
                ChangeEvent.field,
                ChangeEvent.old_value,
                ChangeEvent.new_value,
            )
            .where(ChangeEvent.field.in_(["udf_1", "udf_3", "project"]))
            .order_by(ChangeEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def rename_erp_columns(erp, names: dict[str, str]) -> None:
    con = sqlite3.connect(erp.path)
    with con:
        for old, new in names.items():
            con.execute(f'ALTER TABLE po_lines RENAME COLUMN "{old}" TO "{new}"')
    con.close()


@pytest.mark.parametrize(
    "erp_spelling",
    [None, {"udf_1": "UDF_1", "udf_3": "Udf_3"}],
    ids=["same-erp-columns", "erp-columns-renamed-in-case"],
)
def test_a_custom_column_spelt_in_another_case_changes_nothing(workdir, erp, erp_spelling):
    write_config(workdir, source_config(erp.url, custom='{ udf_1 = "text", udf_3 = "number" }', xref=XREF))
    erp.write([erp_line("PO1", 1, udf_1="A", udf_3=5), erp_line("PO1", 2, udf_1="B", udf_3=2.5), erp_line("PO1", 3)])
    run_cli("--source", "erp")
    store = open_store().engine
    assert stored_custom(store) == {
        ("PO1", 1): {"udf_1": "A", "udf_3": 5.0},
        ("PO1", 2): {"udf_1": "B", "udf_3": 2.5},
        ("PO1", 3): None,
    }

    write_config(workdir, source_config(erp.url, custom='{ UDF_1 = "text", Udf_3 = "number" }', xref=XREF))
    # The same custom values; a price changes on every line, so each line is compared field by field and rewritten.
    erp.write(
        [
            erp_line("PO1", 1, udf_1="A", udf_3=5, unit_price=3),
            erp_line("PO1", 2, udf_1="B", udf_3=2.5, unit_price=3),
            erp_line("PO1", 3, unit_price=3),
        ]
    )
    if erp_spelling:
        rename_erp_columns(erp, erp_spelling)
    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success", report
    assert metrics(report) == expect(lines_processed=3, lines_changed=3, change_events=3, custom_values=4)
    assert events(store, report["run_id"]) == [("PO1", n, "changed", "unit_price", "2.5", "3") for n in (1, 2, 3)]
    assert stored_custom(store) == {
        ("PO1", 1): {"udf_1": "A", "udf_3": 5.0},
        ("PO1", 2): {"udf_1": "B", "udf_3": 2.5},
        ("PO1", 3): None,
    }

    erp.write(
        [
            erp_line("PO1", 1, udf_1="A2", udf_3=5, unit_price=3),
            erp_line("PO1", 2, udf_1="B", udf_3=2.5, unit_price=3),
            erp_line("PO1", 3, unit_price=3),
        ]
    )
    if erp_spelling:
        rename_erp_columns(erp, erp_spelling)
    _, [changed] = run_cli("--source", "erp")

    assert events(store, changed["run_id"]) == [("PO1", 1, "changed", "udf_1", "A", "A2")]  # the lower-case name
    assert stored_custom(store)[("PO1", 1)] == {"udf_1": "A2", "udf_3": 5.0}


def renamed_config(erp) -> str:
    """potrack.toml after udf_1 was renamed project (read from the ERP's column udf_1)."""
    return source_config(
        erp.url, columns='{ project = "udf_1" }', custom='{ project = "text", udf_3 = "number" }', xref=XREF
    )


def _two_nights(workdir, erp):
    """Night 1 stores udf_1 on two of three lines; night 2 changes one of them (a change event named udf_1)."""
    write_config(workdir, source_config(erp.url, custom='{ udf_1 = "text", udf_3 = "number" }', xref=XREF))
    erp.write([erp_line("PO1", 1, udf_1="A", udf_3=5), erp_line("PO1", 2, udf_1="B"), erp_line("PO1", 3, udf_3=1)])
    _, [first] = run_cli("--source", "erp")
    erp.write([erp_line("PO1", 1, udf_1="A2", udf_3=5), erp_line("PO1", 2, udf_1="B"), erp_line("PO1", 3, udf_3=1)])
    _, [second] = run_cli("--source", "erp")
    store = open_store().engine
    assert custom_events(store) == [(second["run_id"], "PO1", 1, "udf_1", "A", "A2")]
    return store, second


def test_rename_custom_column_moves_the_values_and_the_history_to_the_new_name(workdir, erp):
    store, second = _two_nights(workdir, erp)
    write_config(workdir, renamed_config(erp))

    done = run_cli_process(workdir, "db", "rename-custom-column", "erp", "udf_1", "project")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "erp: custom column udf_1 renamed to project on 2 line(s) and 1 change event(s)"
    assert stored_custom(store) == {
        ("PO1", 1): {"project": "A2", "udf_3": 5.0},
        ("PO1", 2): {"project": "B"},
        ("PO1", 3): {"udf_3": 1.0},
    }
    assert custom_events(store) == [(second["run_id"], "PO1", 1, "project", "A", "A2")]
    [renamed] = [e for e in audit_events(store) if e["event_type"] == "custom_column.renamed"]
    assert (renamed["source"], renamed["actor"]) == ("erp", "cli")
    assert renamed["details"] == {"old": "udf_1", "new": "project", "lines": 2, "events": 1}

    # The next night: every line compared field by field (its price changed), none of them has a new project.
    erp.write(
        [
            erp_line("PO1", 1, udf_1="A2", udf_3=5, unit_price=3),
            erp_line("PO1", 2, udf_1="B", unit_price=3),
            erp_line("PO1", 3, udf_3=1, unit_price=3),
        ]
    )
    code, [third] = run_cli("--source", "erp")

    assert code == 0 and third["status"] == "success", third
    assert metrics(third) == expect(lines_processed=3, lines_changed=3, change_events=3, custom_values=4)
    assert events(store, third["run_id"]) == [("PO1", n, "changed", "unit_price", "2.5", "3") for n in (1, 2, 3)]
    assert stored_custom(store) == {
        ("PO1", 1): {"project": "A2", "udf_3": 5.0},
        ("PO1", 2): {"project": "B"},
        ("PO1", 3): {"udf_3": 1.0},
    }

    erp.write(
        [
            erp_line("PO1", 1, udf_1="A2", udf_3=5, unit_price=3),
            erp_line("PO1", 2, udf_1="C", unit_price=3),
            erp_line("PO1", 3, udf_3=1, unit_price=3),
        ]
    )
    _, [fourth] = run_cli("--source", "erp")
    assert events(store, fourth["run_id"]) == [("PO1", 2, "changed", "project", "B", "C")]


def test_a_new_name_without_the_migration_is_compared_on_every_line_the_next_night(workdir, erp):
    # Nothing else changes tonight: what the run writes comes from the new name alone. (The digest is keyed by the
    # custom columns' names, so no line can keep a value stored under the old name unnoticed.)
    store, _ = _two_nights(workdir, erp)
    write_config(workdir, renamed_config(erp))

    code, [third] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(third) == expect(lines_processed=3, lines_changed=2, change_events=2, custom_values=4)
    assert events(store, third["run_id"]) == [
        ("PO1", 1, "changed", "project", None, "A2"),
        ("PO1", 2, "changed", "project", None, "B"),
    ]
    assert stored_custom(store) == {
        ("PO1", 1): {"project": "A2", "udf_3": 5.0},
        ("PO1", 2): {"project": "B"},
        ("PO1", 3): {"udf_3": 1.0},
    }


def _refused(workdir, store, *args):
    """Run the rename, expect a refusal (exit 2) that changes nothing; returns what it said."""
    before = (stored_custom(store), all_events(store), len(audit_events(store)))
    done = run_cli_process(workdir, "db", "rename-custom-column", "erp", *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert (stored_custom(store), all_events(store), len(audit_events(store))) == before
    return done.stderr


def test_rename_is_refused_while_new_is_not_configured(workdir, erp):
    store, _ = _two_nights(workdir, erp)  # potrack.toml still says udf_1

    said = _refused(workdir, store, "udf_1", "project")

    assert "potrack: NEW: 'project' is not a custom column of erp in the configuration" in said


def test_rename_is_refused_while_old_is_still_configured(workdir, erp):
    store, _ = _two_nights(workdir, erp)
    write_config(
        workdir, source_config(erp.url, custom='{ udf_1 = "text", project = "text", udf_3 = "number" }', xref=XREF)
    )

    said = _refused(workdir, store, "udf_1", "project")

    assert "potrack: OLD: 'udf_1' is still a custom column of erp" in said


def test_rename_is_refused_when_old_and_new_are_one_name_ignoring_case(workdir, erp):
    store, _ = _two_nights(workdir, erp)
    write_config(workdir, source_config(erp.url, custom='{ UDF_1 = "text", udf_3 = "number" }', xref=XREF))

    said = _refused(workdir, store, "udf_1", "UDF_1")

    assert "name the same column (names are compared ignoring case)" in said


def test_rename_is_refused_while_the_source_has_a_run_queued(workdir, erp):
    store, _ = _two_nights(workdir, erp)
    write_config(workdir, renamed_config(erp))
    run_id, queued = queue_run_unless_active(store, "erp", "schedule")
    assert queued

    said = _refused(workdir, store, "udf_1", "project")

    assert f"potrack: erp has run #{run_id} queued or running; rename when it has finished" in said


def test_rename_is_refused_when_lines_already_hold_the_new_name(workdir, erp):
    columns = [*ERP_COLUMNS, "project"]
    write_config(
        workdir, source_config(erp.url, custom='{ udf_1 = "text", project = "text", udf_3 = "number" }', xref=XREF)
    )
    write_table(
        erp.path,
        columns,
        [
            {**erp_line("PO1", 1, udf_1="A"), "project": "X"},  # both names: a clash
            erp_line("PO1", 2, udf_1="B"),
        ],
    )  # udf_1 only
    run_cli("--source", "erp")
    store = open_store().engine
    assert stored_custom(store) == {("PO1", 1): {"project": "X", "udf_1": "A"}, ("PO1", 2): {"udf_1": "B"}}
    write_config(workdir, source_config(erp.url, custom='{ project = "text", udf_3 = "number" }', xref=XREF))

    said = _refused(workdir, store, "udf_1", "project")

    assert "potrack: 1 line(s) of erp already hold a value for project; nothing was renamed" in said
