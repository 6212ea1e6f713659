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
from potrack.store.run_history import RunRow, SourceStatus, source_statuses
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
    """A verdict, why (in words, without the source's name), and the run that shows it (None when no run does)."""

    level: str
    reasons: tuple[str, ...]
    run_id: int | None
    source: str = ""  # "" for the verdict over every source

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


def is_stale(status: SourceStatus, limit: dt.timedelta, now: dt.datetime) -> bool:
    """Whether the source has no completed run within `limit` (its schedule's interval plus grace), or none at all."""
    ok = status.last_ok
    return ok is None or now - (ok.finished_at or ok.queued_at) > limit


def failure_reason(run: RunRow, now: dt.datetime) -> str:
    """Why the latest run counts as a failure: 'run #7 failed 3 h ago: <error>'; an abandoned run says where its
    process stopped ('run #8 abandoned 1 h ago in extract at 20,000 of 63,435 rows: <why>')."""
    if run.status == "abandoned":
        where = f" in {run.error_stage} at {run.rows_read(' of ')}" if run.error_stage else ""
        why = (run.error or "").removeprefix("Abandoned: ")
        return f"run #{run.id} abandoned {relative(run.queued_at, now)}{where}" + (f": {why}" if why else "")
    return f"run #{run.id} {run.status} {relative(run.queued_at, now)}" + (f": {run.error}" if run.error else "")


def alert_reason(alert: AlertRow, now: dt.datetime) -> str:
    """A firing alert in words; a volume drop as 'volume −42 % vs the 14-run average (580 lines, average 1,000)'."""
    since = f"alert {TITLES.get(alert.rule, alert.rule)} firing since {relative(alert.opened_at, now)}"
    facts = alert.facts or {}
    if alert.rule == "volume_drop" and {"change_percent", "window", "latest", "baseline"} <= facts.keys():
        change = f"{facts['change_percent']:+.0f}".replace("-", "−")
        return (
            f"volume {change} % vs the {facts['window']}-run average "
            f"({facts['latest']:,} lines, average {facts['baseline']:,.0f}); {since}"
        )
    return f"{since}: {alert.message}"


def source_health(
    status: SourceStatus,
    cfg: SourceConfig,
    tz: dt.tzinfo,
    now: dt.datetime,
    alerts: Sequence[AlertRow] = (),
    limit: dt.timedelta | None = None,
) -> Health:
    """One source: Failing if its latest run failed or was abandoned or a consecutive-failures alert fires;
    Degraded if partial, the data is stale (older than `limit`, by default its schedule's) or another alert fires."""
    found: list[tuple[str, str, int | None]] = []
    last, ok = status.last, status.last_ok
    if last is not None and last.status in FAILED:
        found.append(("failing", failure_reason(last, now), last.id))
    elif last is not None and last.status == "partial":
        found.append(("degraded", f"latest run #{last.id} was partial ({last.errors:,} rejected rows)", last.id))
    limit = limit or stale_after(cfg.schedule, tz, now)
    if ok is None:
        found.append(("degraded", "no completed run yet", last.id if last else None))
    elif is_stale(status, limit, now):
        age = now - (ok.finished_at or ok.queued_at)
        found.append(
            (
                "degraded",
                f"data is stale: no completed run for {span(age)} (limit {span(limit)}); the last was run #{ok.id}",
                ok.id,
            )
        )
    found += [(alert_level(a.rule), alert_reason(a, now), a.run_id) for a in alerts if a.rule in HEALTH_RULES]
    if not found:
        return Health("healthy", (), None, cfg.name)
    level = max((lvl for lvl, _, _ in found), key=LEVELS.index)
    worst = next(run_id for lvl, _, run_id in found if lvl == level)
    return Health(level, tuple(reason for _, reason, _ in found), worst, cfg.name)


def overall(verdicts: list[Health]) -> Health:
    """All sources together: the worst level, every reason named by its source (worst first), the run of the first
    worst source."""
    if not verdicts:
        return Health("degraded", ("No source is configured.",), None)
    ranked = sorted(verdicts, key=lambda v: LEVELS.index(v.level), reverse=True)
    reasons = tuple(f"{v.source}: {r}" if v.source else r for v in ranked for r in v.reasons)
    return Health(ranked[0].level, reasons, ranked[0].run_id)


@dataclass(frozen=True)
class SourceVerdict:
    """One configured source: its latest runs, its verdict, whether its data is stale (by its schedule, or by
    a firing stale-data alert) and its firing alerts (every rule, oldest first)."""

    status: SourceStatus
    health: Health
    stale: bool
    alerts: tuple[AlertRow, ...] = ()


def check_sources(
    conn: sa.Connection, sources: tuple[SourceConfig, ...], tz: dt.tzinfo, now: dt.datetime
) -> list[SourceVerdict]:
    """The verdict of every configured source with its firing alerts, in configuration order (the navbar and
    /api/health)."""
    statuses = source_statuses(conn, [c.name for c in sources])
    alerts = firing(conn)
    verdicts = []
    for st, cfg in zip(statuses, sources, strict=True):
        mine = tuple(a for a in alerts if a.source == cfg.name)
        limit = stale_after(cfg.schedule, tz, now)  # a few cron computations: once a source
        stale = is_stale(st, limit, now) or any(a.rule == "stale_data" for a in mine)
        verdicts.append(SourceVerdict(st, source_health(st, cfg, tz, now, mine, limit), stale, mine))
    return verdicts


def by_severity(verdicts: list[SourceVerdict]) -> list[SourceVerdict]:
    """Failing sources first, then degraded, then healthy; by name within a level (the Overview's order)."""
    return sorted(verdicts, key=lambda v: (-LEVELS.index(v.health.level), v.status.source))
