"""The health verdict shown in the navbar: Healthy, Degraded or Failing, with the reason and the run to open.
Firing alerts count too: consecutive failures make a source Failing, stale data or a volume drop Degraded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.alerts.message import TITLES
from potrack.config import SourceConfig
from potrack.schedule import stale_after
from potrack.store.alerts import AlertRow, firing
from potrack.store.run_history import SourceStatus, source_statuses
from potrack.store.run_status import FAILED
from potrack.timefmt import relative, span

LEVELS = ("healthy", "degraded", "failing")
LABELS = {"healthy": "Healthy", "degraded": "Degraded", "failing": "Failing"}
COLORS = {"healthy": "success", "degraded": "warning", "failing": "danger"}
FAILING_RULES = ("consecutive_failures",)  # a firing alert of any other rule is Degraded
# Alerts about data flowing count for the health verdict; a new xref gap is about the data's mapping (/xref).
HEALTH_RULES = ("consecutive_failures", "stale_data", "volume_drop")


def alert_level(rule: str) -> str:
    """How bad a firing alert of a rule is: failing or degraded."""
    return "failing" if rule in FAILING_RULES else "degraded"


def alert_color(rule: str) -> str:
    """The Bootstrap colour of a firing alert of a rule (red or amber)."""
    return COLORS[alert_level(rule)]


@dataclass(frozen=True)
class Health:
    """A verdict, why, and the run that shows it (None when no run does)."""

    level: str
    reasons: tuple[str, ...]
    run_id: int | None

    @property
    def label(self) -> str:
        """Healthy, Degraded or Failing."""
        return LABELS[self.level]

    @property
    def color(self) -> str:
        """The Bootstrap colour of the level."""
        return COLORS[self.level]

    @property
    def reason(self) -> str:
        """Every reason, one a line (shown on hover)."""
        return "\n".join(self.reasons) if self.reasons else "Every source's latest run succeeded and its data is fresh."


def is_stale(status: SourceStatus, cfg: SourceConfig, tz: dt.tzinfo, now: dt.datetime) -> bool:
    """Whether the source has no completed run within its schedule's interval plus grace (or none at all)."""
    ok = status.last_ok
    return ok is None or now - (ok.finished_at or ok.queued_at) > stale_after(cfg.schedule, tz, now)


def source_health(
    status: SourceStatus, cfg: SourceConfig, tz: dt.tzinfo, now: dt.datetime, alerts: Sequence[AlertRow] = ()
) -> Health:
    """One source: Failing if its latest run failed or was abandoned or a consecutive-failures alert fires;
    Degraded if partial, the data is stale or another alert fires."""
    found: list[tuple[str, str, int | None]] = []
    last, ok = status.last, status.last_ok
    if last is not None and last.status in FAILED:
        why = f": {last.error}" if last.error else ""
        found.append(
            ("failing", f"{cfg.name}: run #{last.id} {last.status} {relative(last.queued_at, now)}{why}", last.id)
        )
    elif last is not None and last.status == "partial":
        found.append(
            ("degraded", f"{cfg.name}: latest run #{last.id} was partial ({last.errors} rejected rows)", last.id)
        )
    limit = stale_after(cfg.schedule, tz, now)
    if ok is None:
        found.append(("degraded", f"{cfg.name}: no completed run yet", last.id if last else None))
    elif is_stale(status, cfg, tz, now):
        found.append(
            (
                "degraded",
                f"{cfg.name}: data is stale — last completed run #{ok.id} was "
                f"{relative(ok.finished_at or ok.queued_at, now)} (expected within {span(limit)})",
                ok.id,
            )
        )
    found += [
        (
            alert_level(a.rule),
            f"{cfg.name}: alert {TITLES.get(a.rule, a.rule)} firing since {relative(a.opened_at, now)}: {a.message}",
            a.run_id,
        )
        for a in alerts
        if a.rule in HEALTH_RULES
    ]
    if not found:
        return Health("healthy", (), None)
    level = max((lvl for lvl, _, _ in found), key=LEVELS.index)
    worst = next(run_id for lvl, _, run_id in found if lvl == level)
    return Health(level, tuple(reason for _, reason, _ in found), worst)


def overall(verdicts: list[Health]) -> Health:
    """All sources together: the worst level, every reason (worst first), the run of the first worst source."""
    if not verdicts:
        return Health("degraded", ("No source is configured.",), None)
    ranked = sorted(verdicts, key=lambda v: LEVELS.index(v.level), reverse=True)
    return Health(ranked[0].level, tuple(r for v in ranked for r in v.reasons), ranked[0].run_id)


@dataclass(frozen=True)
class SourceVerdict:
    """One configured source: its latest runs, its verdict and whether its data is stale (by its schedule, or by
    a firing stale-data alert)."""

    status: SourceStatus
    health: Health
    stale: bool


def check_sources(
    conn: sa.Connection, sources: tuple[SourceConfig, ...], tz: dt.tzinfo, now: dt.datetime
) -> list[SourceVerdict]:
    """The verdict of every configured source with its firing alerts, in configuration order (the navbar and
    /api/health)."""
    statuses = source_statuses(conn, [c.name for c in sources])
    alerts = firing(conn)
    verdicts = []
    for st, cfg in zip(statuses, sources, strict=True):
        mine = [a for a in alerts if a.source == cfg.name]
        stale = is_stale(st, cfg, tz, now) or any(a.rule == "stale_data" for a in mine)
        verdicts.append(SourceVerdict(st, source_health(st, cfg, tz, now, mine), stale))
    return verdicts
