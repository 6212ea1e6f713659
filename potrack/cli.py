"""Command line: `python -m potrack run|db upgrade|db sql|users|tokens`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from potrack.config import ConfigError, Settings, SourceConfig, load_settings
from potrack.redact import safe_reason
from potrack.store.engine import OFFLINE_DIALECTS

# Each command imports what it needs when it runs (issue 17: `run` is to reach the source's first row within 0.5 s
# of process start): `run` never loads the auth layer (werkzeug), nor Alembic unless the store needs migrating, nor
# the alert rules and senders before its runs are done.
if TYPE_CHECKING:
    import sqlalchemy as sa

    from potrack.pipeline.runner import RunReport
    from potrack.runtime import Runtime

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
DELIVERY_WAIT_S = 30.0
STATUS_EXIT = {"success": EXIT_OK, "partial": EXIT_PARTIAL, "failed": EXIT_FAILED, "abandoned": EXIT_FAILED}
LIGHT_COMMANDS = ("run", "db")  # the commands whose parsers need no other layer


class UsageError(Exception):
    """A command that cannot be carried out as given (exit 2); the message says what to change."""


def _command(argv: list[str]) -> str | None:
    """The command word: the first argument that is no option (the top-level parser has only --help)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _parser(command: str | None) -> argparse.ArgumentParser:
    """The command line's parser; the `users` and `tokens` parsers (from the auth layer) unless `command` is one of
    LIGHT_COMMANDS (help, an unknown command and its error message list them all)."""
    parser = argparse.ArgumentParser(prog="python -m potrack", description="potrack: PO line ingestion.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline now for one source or all of them")
    which = run.add_mutually_exclusive_group()
    which.add_argument("--source", metavar="NAME", help="the source to run")
    which.add_argument("--all", action="store_true", help="run every configured source (the default)")
    run.add_argument("--baseline", action="store_true", help="no diff: every valid line is new, no change events")
    run.add_argument(
        "--accept-removals",
        action="store_true",
        help="let a snapshot through that removes more of a source's active lines than its "
        "max_removed_fraction (a deliberate purge)",
    )
    run.add_argument("--json", action="store_true", help="print one JSON object per run")
    db = sub.add_parser("db", help="store maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending schema migrations")
    sql = db_sub.add_parser("sql", help="print the migrations as SQL, for a database administrator to apply")
    sql.add_argument("--dialect", choices=OFFLINE_DIALECTS, help="the database's (default: the configured store's)")
    sql.add_argument(
        "--from", dest="start", metavar="REVISION", help="the revision the database is at (default: an empty database)"
    )
    rename = db_sub.add_parser(
        "rename-custom-column", help="move a source's stored custom values and their history to a new column name"
    )
    rename.add_argument("source", metavar="SOURCE")
    rename.add_argument("old", metavar="OLD", help="the name the store holds (the old name in potrack.toml)")
    rename.add_argument("new", metavar="NEW", help="the name now configured in potrack.toml")
    if command not in LIGHT_COMMANDS:
        from potrack.auth import commands as auth_commands

        auth_commands.add_parsers(sub)
    return parser


def _print_report(report: RunReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json()), flush=True)
        return
    m = report.metrics
    line = (
        f"run #{report.run_id} {report.source}: {report.status} in {report.duration_s:.2f} s — "
        f"{m.lines_processed} lines, {m.lines_new} new, {m.lines_changed} changed, {m.lines_removed} removed, "
        f"{m.change_events} change events, {m.batches_reconstructed} batches, {m.custom_values} custom values, "
        f"{m.xref_gaps} xref gaps, {m.errors} errors, {m.retry_attempts} failed attempts"
    )
    notes = "".join(f"\n  note: {note}" for note in report.notes)
    print(line + (f"\n  error: {report.error}" if report.error else "") + notes, flush=True)


def _source(settings: Settings, name: str) -> SourceConfig:
    """The configured source named on the command line; ConfigError naming --source otherwise."""
    try:
        return settings.source(name)
    except ConfigError as exc:
        raise ConfigError(f"--source: {exc}") from None


def _run(args: argparse.Namespace) -> int:
    from potrack.pipeline.gc_pause import gc_paused

    with gc_paused():  # (see potrack/__main__.py)
        from potrack.pipeline.runner import Pipeline, RunRefused
        from potrack.runtime import start as start_runtime

    runtime = start_runtime()
    # Every source but those fed by uploaded files only: they have nothing to read until a file is uploaded.
    names = [args.source] if args.source else [s.name for s in runtime.settings.sources if not s.upload_only]
    for name in names:
        _source(runtime.settings, name)
    pipeline = Pipeline(runtime.settings, runtime.engine)
    codes = []
    try:
        for name in names:
            report = pipeline.run(name, trigger="cli", baseline=args.baseline, accept_removals=args.accept_removals)
            _print_report(report, args.json)
            codes.append(STATUS_EXIT[report.status])
    except RunRefused as exc:
        print(f"potrack: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _alert(runtime, names)
    return max(codes, key=lambda c: (c != EXIT_OK, c == EXIT_FAILED, c))


def _alert(runtime: Runtime, names: list[str]) -> None:
    """Evaluate the alert rules of the sources run and wait (at most 30 s each) for the notifications and the
    subscribers' events to go out."""
    from potrack import subscribers
    from potrack.alerts.delivery import deliver_within
    from potrack.alerts.evaluate import Evaluator
    from potrack.delivery import run_within

    evaluator = Evaluator(runtime.settings, runtime.engine)
    try:
        for name in names:
            evaluator.evaluate(name)
    except Exception as exc:  # the runs are done and reported: alerting must not change their exit code
        print(f"potrack: evaluating the alert rules failed: {safe_reason(exc)}", file=sys.stderr)
    if not deliver_within(runtime.engine, runtime.settings.alerts, DELIVERY_WAIT_S):
        print(
            f"potrack: alert notifications still being delivered after {DELIVERY_WAIT_S:.0f} s; the app or the "
            "next run sends what is left",
            file=sys.stderr,
        )
    events = runtime.settings.subscribers
    if events and not run_within(
        lambda: subscribers.deliver_pending(runtime.engine, events), DELIVERY_WAIT_S, "event-delivery"
    ):
        print(
            f"potrack: events still being delivered to subscribers after {DELIVERY_WAIT_S:.0f} s; the app or the "
            "next run sends what is left",
            file=sys.stderr,
        )


def _db(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from potrack.logs import configure_logging
    from potrack.store.engine import ensure_schema, make_engine, migration_sql

    settings = load_settings()
    configure_logging(settings.instance_dir, settings.log_level)
    if args.db_command == "sql":
        dialect = args.dialect or make_url(settings.database_url).get_backend_name()
        if dialect not in OFFLINE_DIALECTS:
            raise UsageError(f"--dialect: the store is {dialect}; expected one of {', '.join(OFFLINE_DIALECTS)}")
        print(migration_sql(dialect, args.start), end="")
        return EXIT_OK
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    if args.db_command == "rename-custom-column":
        return _rename_custom_column(settings, engine, args)
    print("store schema is up to date")
    return EXIT_OK


def _rename_custom_column(settings: Settings, engine: sa.Engine, args: argparse.Namespace) -> int:
    """`db rename-custom-column SOURCE OLD NEW`, after NEW replaced OLD in the source's custom_columns."""
    from potrack.fields import custom_key
    from potrack.store.custom_columns import RenameRefused, rename_custom_column

    configured = _source(settings, args.source).custom_columns
    if custom_key(args.old) != custom_key(args.new):  # (one name twice: rename_custom_column refuses it)
        if custom_key(args.new) not in configured:
            raise UsageError(
                f"NEW: {args.new!r} is not a custom column of {args.source} in the configuration; "
                "rename it there first (custom_columns)"
            )
        if custom_key(args.old) in configured:
            raise UsageError(
                f"OLD: {args.old!r} is still a custom column of {args.source}; replace it by "
                f"{args.new!r} in custom_columns first"
            )
    try:
        done = rename_custom_column(engine, args.source, args.old, args.new, "cli")
    except RenameRefused as exc:
        raise UsageError(str(exc)) from None
    print(
        f"{args.source}: custom column {custom_key(args.old)} renamed to {custom_key(args.new)} on "
        f"{done.lines:,} line(s) and {done.events:,} change event(s)"
    )
    return EXIT_OK


def _auth(args: argparse.Namespace) -> int:
    """`users ...` and `tokens ...`; the auth layer's UserError is a usage error."""
    from potrack.auth import commands as auth_commands
    from potrack.auth.users import UserError
    from potrack.runtime import start as start_runtime

    runtime = start_runtime()
    try:
        (auth_commands.run_users if args.command == "users" else auth_commands.run_tokens)(runtime.engine, args)
    except UserError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser(_command(argv)).parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command in ("users", "tokens"):
            return _auth(args)
        return _db(args)
    except ConfigError as exc:
        print(f"potrack: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"potrack: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        print(f"potrack: {safe_reason(exc)}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
