"""The health verdict shown in the navbar: Healthy, Degraded or Failing, with the reason and the run to open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from potrack.config import SourceConfig
from potrack.schedule import stale_after
import sqlalchemy as sa

from potrack.store.queries import FAILURES, SourceStatus, source_statuses
from potrack.web.timefmt import relative, span

LEVELS = ("healthy", "degraded", "failing")
LABELS = {"healthy": "Healthy", "degraded": "Degraded", "failing": "Failing"}
COLORS = {"healthy": "success", "degraded": "warning", "failing": "danger"}


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


def source_health(status: SourceStatus, cfg: SourceConfig, tz: dt.tzinfo, now: dt.datetime) -> Health:
    """One source: Failing if its latest run failed or was abandoned; Degraded if partial or the data is stale."""
    found: list[tuple[str, str, int | None]] = []
    last, ok = status.last, status.last_ok
    if last is not None and last.status in FAILURES:
        why = f": {last.error}" if last.error else ""
        found.append(("failing", f"{cfg.name}: run #{last.id} {last.status} {relative(last.queued_at, now)}{why}",
                      last.id))
    elif last is not None and last.status == "partial":
        found.append(("degraded", f"{cfg.name}: latest run #{last.id} was partial ({last.errors} rejected rows)",
                      last.id))
    limit = stale_after(cfg.schedule, tz, now)
    if ok is None:
        found.append(("degraded", f"{cfg.name}: no completed run yet", last.id if last else None))
    elif is_stale(status, cfg, tz, now):
        found.append(("degraded", f"{cfg.name}: data is stale — last completed run #{ok.id} was "
                                  f"{relative(ok.finished_at or ok.queued_at, now)} (expected within {span(limit)})",
                      ok.id))
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
    """One configured source: its latest runs, its verdict and whether its data is stale."""

    status: SourceStatus
    health: Health
    stale: bool


def check_sources(conn: sa.Connection, sources: tuple[SourceConfig, ...], tz: dt.tzinfo,
                  now: dt.datetime) -> list[SourceVerdict]:
    """The verdict of every configured source, in configuration order (the navbar and /api/health)."""
    statuses = source_statuses(conn, [c.name for c in sources])
    return [SourceVerdict(st, source_health(st, cfg, tz, now), is_stale(st, cfg, tz, now))
            for st, cfg in zip(statuses, sources)]
