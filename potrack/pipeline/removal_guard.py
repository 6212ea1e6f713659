"""The guard against a snapshot that would wipe the source: a truncated or empty extract (an ERP view that returned
nothing after a failed job, a header-only CSV) must not deactivate the source's lines.

A run whose snapshot would remove more than the source's `max_removed_fraction` of its active lines fails and
changes nothing, unless it was started to accept removals (`--accept-removals`, or Run now's checkbox).
"""

from __future__ import annotations


def _percent(fraction: float) -> str:
    return f"{round(100 * fraction, 1):g} %"


def removal_refusal(removed: int, active: int, max_fraction: float) -> str | None:
    """Why a snapshot removing `removed` of `active` lines is refused, or None when it is within the limit."""
    if active == 0 or removed <= max_fraction * active:
        return None
    return (
        f"snapshot would remove {_percent(removed / active)} of {active:,} active lines; limit "
        f"{_percent(max_fraction)}; run with --accept-removals or raise max_removed_fraction"
    )
