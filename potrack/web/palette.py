"""One colour per run status, as Bootstrap colour names (badges, borders) and hex (charts)."""

from __future__ import annotations

STATUS_COLOR = {
    "queued": "secondary",
    "running": "primary",
    "success": "success",
    "partial": "warning",
    "failed": "danger",
    "abandoned": "dark",
}
HEX = {
    "secondary": "#6c757d",
    "primary": "#0d6efd",
    "success": "#198754",
    "warning": "#ffc107",
    "danger": "#dc3545",
    "dark": "#212529",
    "info": "#0dcaf0",
}


def status_hex(status: str) -> str:
    """The chart colour of a run status."""
    return HEX[STATUS_COLOR.get(status, "secondary")]
