"""The store's tables as typed SQLAlchemy models (portable: SQLite, PostgreSQL, SQL Server)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from potrack.store.run_status import ALL

# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere ids of big tables are 64-bit.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

ALERT_RULES = ("consecutive_failures", "stale_data", "volume_drop", "new_xref_gap")
ALERT_STATES = ("firing", "resolved")
NOTIFICATION_EVENTS = ("opened", "resolved", "reminder", "test")
NOTIFICATION_STATES = ("pending", "sending", "sent", "failed")
RUN_STATUSES = ALL
ROLES = ("viewer", "operator", "admin")
RUN_TRIGGERS = ("schedule", "manual", "cli", "retry", "row_retry", "upload")
EVENT_KINDS = ("new", "changed", "removed")


@compiles(sa.DateTime, "mssql")
def _sql_server_datetime(type_: sa.DateTime, compiler: Any, **kw: Any) -> str:
    """Date-times are DATETIME2 on SQL Server (migrations included): its DATETIME rounds to 1/300 s, and since
    SQL Server 2016 a DATETIME compares unequal to the DATETIME2 parameter pyodbc sends for the value read back,
    which would break keyset paging and conditional updates on times."""
    return "DATETIMEOFFSET" if type_.timezone else "DATETIME2"


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Stores timezone-aware datetimes as naive UTC and returns them aware (UTC)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints the same everywhere."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Run(Base):
    """One execution of the pipeline for one source, with its progress and metrics."""

    __tablename__ = "runs"
    __table_args__ = (
        sa.Index("ix_runs_queued_status", "queued_at", "status"),
        sa.Index("ix_runs_status_queued", "status", "queued_at"),
        sa.Index("ix_runs_source_queued_status", "source", "queued_at", "status"),
        sa.Index("ix_runs_upload", "upload_id"),
        # At most one run per source executes at a time, whichever app instance claims it.
        sa.Index(
            "ux_runs_one_running_per_source",
            "source",
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
            mssql_where=sa.text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(100))
    trigger: Mapped[str] = mapped_column(sa.String(20))
    retry_of: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))
    requested_by: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(20))
    baseline: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    duration_s: Mapped[float | None] = mapped_column(sa.Float)
    stage: Mapped[str | None] = mapped_column(sa.String(20))
    rows_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_total: Mapped[int | None] = mapped_column(sa.Integer)
    # rows_total is an estimate while the source is read (the previous run's rows, the share of a file read).
    rows_total_estimated: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200))
    lines_processed: Mapped[int] = mapped_column(sa.Integer, default=0)
    lines_new: Mapped[int] = mapped_column(sa.Integer, default=0)
    lines_changed: Mapped[int] = mapped_column(sa.Integer, default=0)
    lines_removed: Mapped[int] = mapped_column(sa.Integer, default=0)
    change_events: Mapped[int] = mapped_column(sa.Integer, default=0)
    batches_reconstructed: Mapped[int] = mapped_column(sa.Integer, default=0)
    custom_values: Mapped[int] = mapped_column(sa.Integer, default=0)
    xref_gaps: Mapped[int] = mapped_column(sa.Integer, default=0)
    errors: Mapped[int] = mapped_column(sa.Integer, default=0)
    retry_attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    error_stage: Mapped[str | None] = mapped_column(sa.String(20))
    check_problems: Mapped[str | None] = mapped_column(sa.Text)
    # What the run says once about its source (a column ignored, fields not provided), one per line.
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # Let a snapshot through that removes more of the source's active lines than max_removed_fraction.
    accept_removals: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # The uploaded file this run reads instead of the source's path (an upload run, and the retries of one).
    upload_id: Mapped[int | None] = mapped_column(sa.ForeignKey("uploads.id"))


class Upload(Base):
    """A snapshot file an operator uploaded for a source: where it is kept, its size, SHA-256 and rows."""

    __tablename__ = "uploads"
    __table_args__ = (sa.Index("ix_uploads_source_sha256", "source", "sha256"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(100))
    file_name: Mapped[str] = mapped_column(sa.String(255))  # as uploaded, made safe to keep (see potrack.uploads)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    rows_total: Mapped[int] = mapped_column(sa.Integer)  # data rows, counted while the file was written
    uploaded_by: Mapped[str] = mapped_column(sa.String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PoLine(Base):
    """The current state of one PO line of one source."""

    __tablename__ = "po_lines"
    __table_args__ = (
        sa.UniqueConstraint("source", "po_number", "line_number"),
        # Only the lines without a part id (a few percent): the xref-gap workbench's lines and open value.
        sa.Index(
            "ix_po_lines_unmapped",
            "source",
            "item_code",
            sqlite_where=sa.text("internal_part_id IS NULL"),
            postgresql_where=sa.text("internal_part_id IS NULL"),
            mssql_where=sa.text("internal_part_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(100))
    po_number: Mapped[str] = mapped_column(sa.String(64))
    line_number: Mapped[int] = mapped_column(sa.Integer)
    item_code: Mapped[str] = mapped_column(sa.String(64))
    supplier_code: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str | None] = mapped_column(sa.String(400))
    uom: Mapped[str | None] = mapped_column(sa.String(20))
    quantity_ordered: Mapped[float] = mapped_column(sa.Float)
    quantity_received: Mapped[float] = mapped_column(sa.Float)
    unit_price: Mapped[float] = mapped_column(sa.Float)
    currency: Mapped[str | None] = mapped_column(sa.String(8))
    order_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    promised_date: Mapped[dt.date] = mapped_column(sa.Date)
    need_by_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(32))
    buyer: Mapped[str | None] = mapped_column(sa.String(64))
    plant: Mapped[str | None] = mapped_column(sa.String(64))
    internal_part_id: Mapped[str | None] = mapped_column(sa.String(64))
    custom: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    digest: Mapped[int] = mapped_column(sa.BigInteger)
    first_seen_run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    last_changed_run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    active: Mapped[bool] = mapped_column(sa.Boolean)
    # Set once a run saw quantity_received fall: only while it never did must its batches add up to it.
    received_decreased: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())


class ChangeEvent(Base):
    """One change of one line in one run: a new line, a changed field, or a removal."""

    __tablename__ = "change_events"
    __table_args__ = (
        sa.Index("ix_change_events_run", "run_id"),
        sa.Index("ix_change_events_line", "source", "po_number", "line_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    source: Mapped[str] = mapped_column(sa.String(100))
    po_number: Mapped[str] = mapped_column(sa.String(64))
    line_number: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(10))
    field: Mapped[str | None] = mapped_column(sa.String(64))
    old_value: Mapped[str | None] = mapped_column(sa.String(1000))
    new_value: Mapped[str | None] = mapped_column(sa.String(1000))


class ReceiptBatch(Base):
    """A receipt inferred from a rise of quantity_received between snapshots."""

    __tablename__ = "receipt_batches"
    __table_args__ = (
        sa.Index("ix_receipt_batches_run", "run_id"),
        sa.Index("ix_receipt_batches_line", "source", "po_number", "line_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    source: Mapped[str] = mapped_column(sa.String(100))
    po_number: Mapped[str] = mapped_column(sa.String(64))
    line_number: Mapped[int] = mapped_column(sa.Integer)
    quantity: Mapped[float] = mapped_column(sa.Float)
    cumulative_received: Mapped[float] = mapped_column(sa.Float)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class UnmappedCode(Base):
    """An item code of a run that had no xref mapping, with how many lines carried it."""

    __tablename__ = "unmapped_codes"
    __table_args__ = (sa.UniqueConstraint("run_id", "item_code"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    item_code: Mapped[str] = mapped_column(sa.String(64))
    line_count: Mapped[int] = mapped_column(sa.Integer)


class FailedRow(Base):
    """A source row that was rejected, kept with its raw data so nothing is lost."""

    __tablename__ = "failed_rows"
    __table_args__ = (
        sa.Index("ix_failed_rows_run", "run_id"),
        sa.Index("ix_failed_rows_source_resolved", "source", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    source: Mapped[str] = mapped_column(sa.String(100))
    stage: Mapped[str] = mapped_column(sa.String(20))
    row_key: Mapped[str | None] = mapped_column(sa.String(200))
    raw_data: Mapped[str] = mapped_column(sa.Text)
    error: Mapped[str] = mapped_column(sa.String(1000))
    retry_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))
    resolution: Mapped[str | None] = mapped_column(sa.String(200))
    location: Mapped[str | None] = mapped_column(sa.String(300))  # where in the source: a CSV file's name and line


class RowRetryItem(Base):
    """A failed row that a row_retry run is to process (the run's selection, written when it is queued)."""

    __tablename__ = "row_retry_items"

    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"), primary_key=True)
    failed_row_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("failed_rows.id"), primary_key=True)


class RetryAttempt(Base):
    """One failed attempt of a run's extract stage."""

    __tablename__ = "retry_attempts"
    __table_args__ = (sa.Index("ix_retry_attempts_run", "run_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    attempt: Mapped[int] = mapped_column(sa.Integer)
    error: Mapped[str] = mapped_column(sa.String(1000))
    transient: Mapped[bool] = mapped_column(sa.Boolean)
    wait_s: Mapped[float | None] = mapped_column(sa.Float)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """An append-only record of something that happened; no code path updates or deletes one."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    severity: Mapped[str] = mapped_column(sa.String(10))
    event_type: Mapped[str] = mapped_column(sa.String(50))
    source: Mapped[str | None] = mapped_column(sa.String(100))
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))
    actor: Mapped[str] = mapped_column(sa.String(100))
    message: Mapped[str] = mapped_column(sa.String(1000))
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class User(Base):
    """A person who signs in to the dashboard, with a role and a password hash (never the password)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    disabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """A failed sign-in of a user name from an address (the throttle counts them; shared by all workers)."""

    __tablename__ = "login_failures"
    __table_args__ = (sa.Index("ix_login_failures_name_address_at", "user_name", "address", "at"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Alert(Base):
    """A rule that held for a source: firing until it stops holding, then resolved.

    `firing_key` is "source/rule" while firing and NULL once resolved; its unique index (filtered to
    non-NULL keys: SQL Server's unique constraints admit one NULL only) lets one alert at most fire per
    source and rule, whoever evaluates.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        sa.Index("ix_alerts_source_opened", "source", "opened_at"),
        sa.Index(
            "ux_alerts_firing_key",
            "firing_key",
            unique=True,
            sqlite_where=sa.text("firing_key IS NOT NULL"),
            postgresql_where=sa.text("firing_key IS NOT NULL"),
            mssql_where=sa.text("firing_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(100))
    rule: Mapped[str] = mapped_column(sa.String(30))
    state: Mapped[str] = mapped_column(sa.String(10))
    firing_key: Mapped[str | None] = mapped_column(sa.String(140))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(sa.String(1000))
    resolution: Mapped[str | None] = mapped_column(sa.String(1000))
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))
    facts: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class OutboxRow:
    """The columns every outbox row has: its state, payload, when it was queued, claimed and finished, its attempts
    and last error (potrack/store/outbox.py claims and finishes them)."""

    state: Mapped[str] = mapped_column(sa.String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))


class Attempt:
    """The columns of one attempt to deliver an outbox row: its number, when, whether it worked, its error, time."""

    attempt: Mapped[int] = mapped_column(sa.Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(sa.Boolean)
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    duration_ms: Mapped[float] = mapped_column(sa.Float)


class AlertNotification(OutboxRow, Base):
    """One message to one channel (the outbox): claimed by a conditional UPDATE, so it is sent once."""

    __tablename__ = "alert_notifications"
    __table_args__ = (
        sa.Index("ix_alert_notifications_state", "state", "created_at"),
        sa.Index("ix_alert_notifications_alert", "alert_id"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alerts.id"))
    channel: Mapped[str] = mapped_column(sa.String(100))
    event: Mapped[str] = mapped_column(sa.String(10))


class AlertDelivery(Attempt, Base):
    """One attempt to deliver a notification, and how it went."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (sa.Index("ix_alert_deliveries_notification", "notification_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("alert_notifications.id"))


class EventDelivery(OutboxRow, Base):
    """One event (or one page of a large one) for one subscriber (the outbox): claimed by a conditional UPDATE,
    so it is delivered once; queued at most once per subscriber, topic, run and page."""

    __tablename__ = "event_deliveries"
    __table_args__ = (
        sa.Index("ix_event_deliveries_state", "state", "created_at"),
        sa.Index("ix_event_deliveries_subscriber", "subscriber", "created_at"),
        sa.Index("ux_event_deliveries_once", "subscriber", "topic", "run_id", "page", unique=True),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    subscriber: Mapped[str] = mapped_column(sa.String(100))
    topic: Mapped[str] = mapped_column(sa.String(40))
    source: Mapped[str] = mapped_column(sa.String(100))
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id"))
    page: Mapped[int] = mapped_column(sa.Integer, default=1)
    pages: Mapped[int] = mapped_column(sa.Integer, default=1)


class EventDeliveryAttempt(Attempt, Base):
    """One attempt to deliver an event to a subscriber, and how it went."""

    __tablename__ = "event_delivery_attempts"
    __table_args__ = (sa.Index("ix_event_delivery_attempts_delivery", "delivery_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("event_deliveries.id"))


class Lease(Base):
    """A named claim that expires unless its holder renews it.

    `scheduler` is held by the app instance that runs the scheduled jobs; `instance:<id>` by each app
    instance while it is alive, so the runs of an instance that died can be told from slow ones.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class XrefMapping(Base):
    """An item code mapped to an internal part in potrack (the xref-gap workbench), for one source.

    It applies from the source's next run and wins over the source's own xref. Each run records what the
    source's xref said for the code (`erp_part_id`, None when it has no mapping), so the workbench can say
    which mapping won.
    """

    __tablename__ = "xref_mappings"
    __table_args__ = (sa.UniqueConstraint("source", "item_code"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(100))
    item_code: Mapped[str] = mapped_column(sa.String(64))
    internal_part_id: Mapped[str] = mapped_column(sa.String(64))
    mapped_by: Mapped[str] = mapped_column(sa.String(100))
    mapped_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    erp_part_id: Mapped[str | None] = mapped_column(sa.String(64))
    erp_checked_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))
