"""The box `python app.py` prints once at start: where it listens, its store, configuration and logs, and the
admin password on the start that generated it."""

from __future__ import annotations

from potrack.config import Settings
from potrack.redact import scrub


def listen_url(host: str, port: int) -> str:
    """The address served, as a URL (an IPv6 host in brackets)."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def start_banner(url: str, settings: Settings, admin_password: str | None) -> str:
    """The framed block of lines shown once at start (`url`: where it listens); the store's URL password masked."""
    config = (
        settings.config_path.resolve() if settings.config_path else "none (no potrack.toml: one built-in demo source)"
    )
    lines = [
        f"potrack is serving on {url}",
        "",
        f"store          {scrub(settings.database_url)}",
        f"configuration  {config}",
        f"logs           {settings.instance_dir / 'logs'}",
    ]
    if admin_password is not None:
        lines += [
            "",
            f"created user 'admin' with password {admin_password}",
            "(shown only now; change it with `python -m potrack users set-password admin`)",
        ]
    return frame(lines)


def frame(lines: list[str]) -> str:
    """Lines in an ASCII box (any console can print it, a Windows one too)."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 4) + "+"
    return "\n".join([rule, *(f"|  {line.ljust(width)}  |" for line in lines), rule])
