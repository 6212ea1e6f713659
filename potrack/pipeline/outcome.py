"""What a run reports: its counts, and each source row it rejected with where and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class RunMetrics:
    """The counts a finished run reports (names match the CLI's --json output)."""

    lines_processed: int = 0
    lines_new: int = 0
    lines_changed: int = 0
    lines_removed: int = 0
    change_events: int = 0
    batches_reconstructed: int = 0
    custom_values: int = 0
    xref_gaps: int = 0
    errors: int = 0
    retry_attempts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Rejection:
    """A rejected source row: which stage, which key, its raw data, why, and where in the source (a CSV file's
    name and line: "po.csv:17")."""

    stage: str
    row_key: str | None
    raw: dict[str, Any]
    error: str
    location: str | None = None
