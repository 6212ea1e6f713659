"""The xref-gap workbench's store side: every unmapped item code of a source with its lifecycle over the runs,
and the item codes mapped in potrack (local overrides of the source's xref, from its next run on).

A gap is a (source, item code) that a completed snapshot run (success or partial; row retries are not
snapshots) listed among its unmapped codes. It is open while the source's latest completed snapshot lists it,
and resolved from the first completed snapshot after the last one that did: because a mapping appeared, or
because no line carries the code any more. Its nights are the distinct local days (in the display zone) on
which completed snapshots that listed it started (three runs on one day are one night); its lines
and open value (Σ open quantity × unit price, in the lines' own currency) are those of its active unmapped
lines now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store import audit
from potrack.store.lines import open_quantity
from potrack.store.local_days import local_day
from potrack.store.locks import lock_for_transaction
from potrack.store.models import PoLine, Run, UnmappedCode, XrefMapping
from potrack.store.paging import Paged, clamp_page
from potrack.store.runs import COMPLETED_SNAPSHOT as SNAPSHOT

GAP_STATES = ("open", "resolved", "all")
MAX_CODE = 64

L, R, U, M = PoLine, Run, UnmappedCode, XrefMapping


class MappingRefused(ValueError):
    """A mapping that cannot be stored, naming the field that is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


@dataclass(frozen=True)
class LocalMapping:
    """An item code mapped in potrack, and what the source's own xref said for it at its latest run."""

    source: str
    item_code: str
    internal_part_id: str
    mapped_by: str
    mapped_at: dt.datetime
    erp_part_id: str | None
    erp_checked_run_id: int | None


@dataclass(frozen=True)
class GapFilter:
    """Which gaps to list: of a source, open or resolved or all; `new_over`: only those first listed by the
    source's latest completed snapshot whose open value is above this (the alert rule's question; the codes of a
    source's first snapshot are where it starts from, never new)."""

    source: str | None = None
    state: str = "open"
    new_over: float | None = None


@dataclass(frozen=True)
class Gap:
    """One unmapped item code of a source over its runs."""

    source: str
    item_code: str
    first_run_id: int
    first_seen_at: dt.datetime
    last_run_id: int
    last_seen_at: dt.datetime
    nights: int
    is_open: bool
    lines_now: int
    open_value: float
    currency: str | None
    resolved_run_id: int | None
    resolved_at: dt.datetime | None
    mapping: LocalMapping | None
    mapped_to: str | None = None  # the part the code's active lines carry now (resolved gaps)


@dataclass(frozen=True)
class GapList(Paged):
    """A page of gaps, costliest first, and how many match."""

    gaps: list[Gap]
    total: int
    page: int
    per_page: int


MAPPING_COLUMNS = (
    M.source,
    M.item_code,
    M.internal_part_id,
    M.mapped_by,
    M.mapped_at,
    M.erp_part_id,
    M.erp_checked_run_id,
)


def _gap_rows(flt: GapFilter, night: sa.ColumnElement[Any]) -> sa.Subquery:
    """Every gap's lifecycle (its nights: the distinct values of `night`, an expression of the run), its lines now
    and its local mapping, as one subquery (aggregated in SQL)."""
    life = (
        sa.select(
            R.source,
            U.item_code,
            sa.func.min(R.id).label("first_run"),
            sa.func.min(R.queued_at).label("first_at"),
            sa.func.max(R.id).label("last_run"),
            sa.func.max(R.queued_at).label("last_at"),
            sa.func.count(sa.distinct(night)).label("nights"),
        )
        .select_from(U.__table__.join(R, R.id == U.run_id))
        .where(SNAPSHOT)
        .group_by(R.source, U.item_code)
        .subquery("life")
    )
    latest = (
        sa.select(R.source, sa.func.max(R.id).label("latest_run"), sa.func.min(R.id).label("first_run"))
        .where(SNAPSHOT)
        .group_by(R.source)
        .subquery("latest")
    )
    # The unmapped active lines now (ix_po_lines_unmapped holds only these).
    now = (
        sa.select(
            L.source,
            L.item_code,
            sa.func.count().label("lines"),
            sa.func.sum(open_quantity() * L.unit_price).label("value"),
            sa.func.min(L.currency).label("currency_low"),
            sa.func.max(L.currency).label("currency_high"),
        )
        .where(L.active == sa.true(), L.internal_part_id.is_(None))
        .group_by(L.source, L.item_code)
        .subquery("now")
    )
    is_open = life.c.last_run == latest.c.latest_run
    resolved = (
        sa.select(sa.func.min(R.id))
        .where(R.source == life.c.source, R.id > life.c.last_run, SNAPSHOT)
        .scalar_subquery()
    )
    value = sa.func.coalesce(now.c.value, 0.0)
    stmt = sa.select(
        life.c.source,
        life.c.item_code,
        life.c.first_run,
        life.c.first_at,
        life.c.last_run,
        life.c.last_at,
        life.c.nights,
        sa.case((is_open, 1), else_=0).label("is_open"),
        sa.func.coalesce(now.c.lines, 0).label("lines"),
        value.label("value"),
        now.c.currency_low,
        now.c.currency_high,
        sa.case((is_open, None), else_=resolved).label("resolved_run"),
        *[c.label(f"m_{c.key}") for c in MAPPING_COLUMNS],
    ).select_from(
        life.join(latest, latest.c.source == life.c.source)
        .outerjoin(now, sa.and_(now.c.source == life.c.source, now.c.item_code == life.c.item_code))
        .outerjoin(M, sa.and_(M.source == life.c.source, M.item_code == life.c.item_code))
    )
    if flt.source is not None:
        stmt = stmt.where(life.c.source == flt.source)
    if flt.state == "open":
        stmt = stmt.where(is_open)
    elif flt.state == "resolved":
        stmt = stmt.where(~is_open)
    if flt.new_over is not None:
        stmt = stmt.where(
            life.c.first_run == latest.c.latest_run, latest.c.first_run < latest.c.latest_run, value > flt.new_over
        )
    return stmt.subquery("gaps")


def list_gaps(
    conn: sa.Connection, flt: GapFilter, page: int = 1, per_page: int = 50, *, tz: dt.tzinfo = dt.UTC
) -> GapList:
    """A page of gaps, the costliest (open value) first, then the most recently seen; nights are days in `tz`."""
    first = conn.execute(sa.select(sa.func.min(R.queued_at))).scalar()  # (ix_runs_queued_status: no scan)
    if first is None:
        return GapList([], 0, 1, per_page)
    # Every run started between the first queued and now: the zone's offsets over that span place its night.
    gaps = _gap_rows(flt, local_day(R.started_at, tz, first, utcnow(), conn.dialect.name))
    total = conn.execute(sa.select(sa.func.count()).select_from(gaps)).scalar_one()
    page = clamp_page(page, total, per_page)
    rows = (
        conn.execute(
            sa.select(gaps)
            .order_by(gaps.c.value.desc(), gaps.c.last_at.desc(), gaps.c.source, gaps.c.item_code)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .mappings()
        .all()
    )
    resolved = [r for r in rows if r["resolved_run"] is not None]
    resolved_at = (
        dict(conn.execute(sa.select(R.id, R.queued_at).where(R.id.in_([r["resolved_run"] for r in resolved]))).all())
        if resolved
        else {}
    )
    parts = _parts_now(conn, {(r["source"], r["item_code"]) for r in resolved})
    return GapList([_gap(r, resolved_at, parts) for r in rows], total, page, per_page)


def _parts_now(conn: sa.Connection, codes: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The part id that active lines of each (source, item code) carry now, for codes no longer unmapped."""
    if not codes:
        return {}
    found = conn.execute(
        sa.select(L.source, L.item_code, sa.func.min(L.internal_part_id))
        .where(
            L.active == sa.true(), L.internal_part_id.is_not(None), L.item_code.in_(sorted({code for _, code in codes}))
        )
        .group_by(L.source, L.item_code)
    ).all()
    return {(source, code): part for source, code, part in found if (source, code) in codes and part is not None}


def _gap(row: sa.RowMapping, resolved_at: dict[int, dt.datetime], parts: dict[tuple[str, str], str]) -> Gap:
    low, high = row["currency_low"], row["currency_high"]
    mapping = None if row["m_source"] is None else LocalMapping(*[row[f"m_{c.key}"] for c in MAPPING_COLUMNS])
    return Gap(
        row["source"],
        row["item_code"],
        row["first_run"],
        row["first_at"],
        row["last_run"],
        row["last_at"],
        row["nights"],
        bool(row["is_open"]),
        row["lines"],
        float(row["value"]),
        low if low == high else "mixed",
        row["resolved_run"],
        resolved_at.get(row["resolved_run"]),
        mapping,
        parts.get((row["source"], row["item_code"])),
    )


def new_gaps_over(conn: sa.Connection, source: str, value: float) -> list[Gap]:
    """Codes the source's latest completed snapshot listed for the first time, open value above `value`."""
    return list_gaps(conn, GapFilter(source=source, state="open", new_over=value), 1, 1000).gaps


def local_mappings(conn: sa.Connection, source: str) -> dict[str, str]:
    """item code → internal part id of the codes mapped in potrack for a source (they win over its xref)."""
    return dict(conn.execute(sa.select(M.item_code, M.internal_part_id).where(M.source == source)).all())


def get_mapping(conn: sa.Connection, source: str, item_code: str) -> LocalMapping | None:
    """The mapping made in potrack for one code of a source, if any."""
    row = conn.execute(sa.select(*MAPPING_COLUMNS).where(M.source == source, M.item_code == item_code)).first()
    return LocalMapping(*row) if row else None


def note_erp_view(conn: sa.Connection, source: str, run_id: int, erp: Mapping[str, str | None]) -> None:
    """In a run's commit: what the source's xref said this run for each code mapped in potrack (None: nothing)."""
    if erp:
        conn.execute(
            sa.update(M)
            .where(M.source == source, M.item_code == sa.bindparam("code"))
            .values(erp_part_id=sa.bindparam("part"), erp_checked_run_id=run_id),
            [{"code": code, "part": part} for code, part in erp.items()],
        )


def _checked(field: str, value: object, limit: int) -> str:
    """A mapping's text field, stripped; MappingRefused when it is empty, too long or not text."""
    if not isinstance(value, str) or not value.strip():
        raise MappingRefused(field, "is required")
    text = value.strip()
    if len(text) > limit:
        raise MappingRefused(field, f"has {len(text)} characters, at most {limit} fit")
    return text


@dataclass(frozen=True)
class Mapped:
    """A mapping as stored, and the part it replaced (None for a new mapping)."""

    mapping: LocalMapping
    replaced: str | None


def map_item_code(engine: sa.Engine, source: str, item_code: object, part_id: object, actor: str) -> Mapped:
    """Store (or change) the mapping of a source's item code to an internal part, audited as `xref.mapped`; it
    applies from the source's next run."""
    code, part = _checked("item_code", item_code, MAX_CODE), _checked("internal_part_id", part_id, MAX_CODE)
    now = utcnow()
    with engine.begin() as conn:
        lock_for_transaction(conn, f"xref:{source}")  # one insert-or-update at a time per source
        before = get_mapping(conn, source, code)
        if before is None:
            conn.execute(
                sa.insert(M).values(
                    source=source, item_code=code, internal_part_id=part, mapped_by=actor, mapped_at=now
                )
            )
        else:
            conn.execute(
                sa.update(M)
                .where(M.source == source, M.item_code == code)
                .values(internal_part_id=part, mapped_by=actor, mapped_at=now)
            )
        was = f" (was {before.internal_part_id})" if before else ""
        audit.record(
            conn,
            "xref.mapped",
            f"{actor} mapped item code {code} of {source} to {part}{was}; applies from the next run",
            source=source,
            actor=actor,
            details={
                "item_code": code,
                "internal_part_id": part,
                "previous": before.internal_part_id if before else None,
            },
        )
        mapping = get_mapping(conn, source, code)
    assert mapping is not None
    return Mapped(mapping, before.internal_part_id if before else None)
