"""Each API route's answer as pydantic models: exactly the fields serialize.py and the views send, their types and
whether they may be null. routes.py's views name them (contract.endpoint's `returns`), openapi.py describes them,
and the tests validate real answers against them strictly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeAlias, TypeVar

from pydantic import MISSING, BaseModel, ConfigDict, Field

from potrack.api.models import choice_of
from potrack.health import LEVELS
from potrack.store.audit import SEVERITIES
from potrack.store.models import (
    ALERT_RULES,
    ALERT_STATES,
    EVENT_KINDS,
    NOTIFICATION_EVENTS,
    NOTIFICATION_STATES,
    RUN_STATUSES,
    RUN_TRIGGERS,
)

# What serialize.iso and date.isoformat write: UTC with a Z (microseconds only when there are some), a plain date.
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DETAIL_ROWS = 500  # a run's detail lists its first 500 rejected rows and change events

if TYPE_CHECKING:
    Time: TypeAlias = str
    Day: TypeAlias = str
    RunStatus: TypeAlias = str
    Trigger: TypeAlias = str
    Kind: TypeAlias = str
    Severity: TypeAlias = str
    Level: TypeAlias = str
    AlertRule: TypeAlias = str
    AlertState: TypeAlias = str
    NoticeEvent: TypeAlias = str
    NoticeState: TypeAlias = str
else:
    Time = Annotated[str, Field(pattern=TIME_PATTERN, json_schema_extra={"format": "date-time"})]
    Day = Annotated[str, Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"})]
    RunStatus, Trigger, Kind = choice_of(RUN_STATUSES), choice_of(RUN_TRIGGERS), choice_of(EVENT_KINDS)
    Severity, Level = choice_of(SEVERITIES), choice_of(LEVELS)
    AlertRule, AlertState = choice_of(ALERT_RULES), choice_of(ALERT_STATES)
    NoticeEvent, NoticeState = choice_of(NOTIFICATION_EVENTS), choice_of(NOTIFICATION_STATES)

Item = TypeVar("Item", bound=BaseModel)
LOCATION = 'Where the row is in the source: a CSV file\'s name and line ("po.csv:17"); null for database sources.'


class Output(BaseModel):
    """An answer: every field it carries named, nothing else, each of its declared JSON type (strict)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Error(Output):
    """The API's error answer (every 4xx and 5xx under /api, and /metrics' 401)."""

    error: str = Field(
        description="bad_parameter, bad_body, bad_request, unauthorized, forbidden, not_found, "
        "method_not_allowed, conflict, payload_too_large, unsupported_media_type, "
        "internal_error"
    )
    message: str = Field(description="What was wrong, in words (secrets masked).")
    parameter: str | MISSING = Field(MISSING, description="The query parameter, path variable or body field at fault.")
    run_id: int | MISSING = Field(
        MISSING, description="The run that blocks the request (409 of POST /api/runs and POST /api/uploads)."
    )
    upload_id: int | MISSING = Field(
        MISSING, description="The earlier identical upload (409 of POST /api/uploads for a file already applied)."
    )


class Page(Output, Generic[Item]):
    """One numbered page of a list."""

    count: int = Field(description="How many items match the filters in all.")
    results: list[Item]
    page: int = Field(description="This page's number (a page asked for past the end answers the last).")
    pages: int = Field(description="How many pages the matching items fill (at least one).")
    per_page: int


# --- runs ---------------------------------------------------------------------------------------------------------


class Progress(Output):
    """How far a queued or running run has got."""

    stage: str | None = Field(description="extract, validate, xref, diff, commit ...; null while queued.")
    rows_done: int
    rows_total: int | None = Field(description="null until the total is known or estimated.")
    rows_total_estimated: bool = Field(
        description="rows_total is an estimate (the source's previous run's rows, or the share of a CSV source's "
        'files read) until the read ends; false when the source counted its rows first (progress = "count").'
    )
    percent: int | None = Field(
        description="rows_done of rows_total, 0-100 (at most 99 while the total is an estimate); null without a total."
    )
    elapsed_s: float | None = Field(description="Seconds since the run started; null while queued.")


class Run(Output):
    """A run: the CLI's --json fields, who queued it and when."""

    run_id: int
    source: str
    status: RunStatus
    baseline: bool
    duration_s: float | None
    lines_processed: int
    lines_new: int = Field(description="Lines the run saw for the first time (each a change of kind new).")
    lines_changed: int
    lines_removed: int
    change_events: int = Field(
        description="Change events: one per changed field of a line and one per removed line (new lines are lines_new)."
    )
    batches_reconstructed: int
    custom_values: int
    xref_gaps: int
    errors: int
    retry_attempts: int
    error: str | None = Field(description="Why the run failed (secrets masked).")
    notes: list[str] = Field(
        description="What the run said once about its source's columns and xref (a column "
        "ignored, fields the source does not provide)."
    )
    accept_removals: bool = Field(
        description="The run was allowed to remove more of the source's active lines than its max_removed_fraction."
    )
    trigger: Trigger
    retry_of: int | None = Field(description="The run this one retried.")
    requested_by: str | None = Field(description="Who queued it (a user or token), for requested runs.")
    queued_at: Time
    started_at: Time | None
    finished_at: Time | None
    progress: Progress | MISSING = Field(MISSING, description="Only while the run is queued or running.")


class RunPage(Output):
    """A page of runs, newest first (keyset paging)."""

    count: int = Field(description="How many runs match the filters in all.")
    results: list[Run]
    next: str | None = Field(description="Relative URL of the next page (same filters), or null on the last.")


class Change(Output):
    """One change of a run: a new line, or a change event (a field's old → new value, or a removal)."""

    po_number: str
    line_number: int
    kind: Kind
    field: str | None = Field(description="The changed field; null for new and removed lines.")
    old_value: str | None
    new_value: str | None


class Attempt(Output):
    """One failed attempt to read the source."""

    attempt: int
    error: str = Field(description="Why it failed (secrets masked).")
    transient: bool = Field(description="The error was one worth retrying.")
    wait_s: float | None = Field(description="Seconds waited before the next attempt; null after the last.")
    at: Time


class RejectedRow(Output):
    """A row the run rejected."""

    id: int = Field(description="The failed row's id (to retry it by).")
    stage: str
    row_key: str | None = Field(description="PO/line, when the row had them.")
    source: str
    raw: dict[str, Any] = Field(description="The source row as read.")
    error: str = Field(description="Why it was rejected (secrets masked).")
    location: str | None = Field(description=LOCATION)


class Unmapped(Output):
    """An item code the run found without an xref mapping."""

    item_code: str
    lines: int = Field(description="The run's lines with this code.")


class RunDetail(Run):
    """A run with why it failed, its unmapped codes, attempts, first rejected rows and changes, and its retries."""

    error_stage: str | None = Field(description="The stage the run failed in.")
    check_problems: list[str] = Field(description="What the run's checks found, a line each (secrets masked).")
    unmapped: list[Unmapped]
    attempts: list[Attempt]
    rejected: list[RejectedRow] = Field(description=f"The first {DETAIL_ROWS} rejected rows.")
    rejected_total: int
    changes: list[Change] = Field(
        description=f"The first {DETAIL_ROWS} changes, in the order written (the rest: /api/runs/{{run_id}}/changes)."
    )
    changes_total: int = Field(description="How many changes the run wrote: change_events + lines_new.")
    retried_by: list[int] = Field(description="The runs that retried this one, oldest first.")


class RunChangePage(Page[Change]):
    """A page of a run's changes (change events and new lines), in the order written."""

    run_id: int


class Queued(Output):
    """A run queued (Location: its URL)."""

    run_id: int
    status: Literal["queued"]


class RetryQueued(Queued):
    """A retry queued (Location: its URL)."""

    retry_of: int = Field(description="The run retried.")


class UploadQueued(Output):
    """An uploaded file taken and queued as a run of its source (Location: the run's URL)."""

    upload_id: int
    run_id: int
    status: Literal["queued"]


class UploadItem(Output):
    """An upload and how its run is going (its newest run: the upload run, or a retry of it)."""

    upload_id: int
    run_id: int | None
    source: str
    file_name: str
    size_bytes: int
    sha256: str
    status: RunStatus | None
    stage: str | None = Field(description="The run's stage while it runs.")
    rows_processed: int = Field(description="Rows read so far (all of them once the run has finished).")
    rows_total: int = Field(description="The file's data rows, counted when it was received.")
    percent_complete: int = Field(description="rows_processed of rows_total, 0-100.")
    started_at: Time | None
    elapsed_seconds: float | None = Field(description="Since the run started (its duration once finished).")
    uploaded_by: str
    uploaded_at: Time


class UploadPage(Output):
    """Uploads, newest first (keyset paging, like /api/runs)."""

    active_uploads: int = Field(description="Uploads whose run is queued or running.")
    recent_uploads: list[UploadItem]
    next: str | None = Field(description="Relative URL of the next page, or null on the last.")


class QueuedRows(Output):
    """A row_retry run queued for a source's rows."""

    run_id: int
    source: str
    rows: int = Field(description="How many failed rows it retries.")


class RowsQueued(Output):
    """The row_retry runs queued, one per source (Location: the first's URL)."""

    runs: list[QueuedRows]
    status: Literal["queued"]


class RowRetryPending(Output):
    """One failed row queued for a retry (Location: the row_retry run's URL)."""

    status: Literal["pending"]
    message: str = Field(description="What was queued, in words.")
    retry_count: int = Field(description="The row's retry count once this retry has run (every retry counts).")
    run_id: int = Field(description="The row_retry run that takes it.")
    runs: list[QueuedRows]


# --- failed rows, audit, alerts -----------------------------------------------------------------------------------


class FailedRow(Output):
    """A rejected row with its run, retries and resolution."""

    id: int
    run_id: int = Field(description="The run that rejected it.")
    source: str
    stage: str
    row_key: str | None = Field(description="PO/line, when the row had them.")
    raw: dict[str, Any] = Field(description="The source row as read.")
    error: str = Field(description="Why it was rejected (secrets masked).")
    retry_count: int
    resolved_at: Time | None
    resolved_by_run_id: int | None
    resolution: str | None
    rejected_at: Time = Field(description="When the run that rejected it was queued.")
    location: str | None = Field(description=LOCATION)


class FailedRowPage(Page[FailedRow]):
    """A page of rejected rows, by their run's queue time."""


class AuditEvent(Output):
    """One audit event."""

    id: int
    at: Time
    severity: Severity
    event_type: str
    source: str | None
    run_id: int | None
    actor: str
    message: str = Field(description="What happened (secrets masked).")
    details: dict[str, Any] | None


class AuditPage(Page[AuditEvent]):
    """A page of audit events, newest first."""


class Delivery(Output):
    """One notification of the alert to one channel."""

    channel: str = Field(description="The channel's name in potrack.toml.")
    event: NoticeEvent
    state: NoticeState = Field(description="failed: every attempt failed.")
    attempts: int = Field(description="Delivery attempts so far.")
    last_error: str | None = Field(description="Why the latest attempt failed (secrets masked).")


class Alert(Output):
    """An alert with its notifications."""

    id: int
    source: str
    rule: AlertRule
    state: AlertState
    opened_at: Time
    resolved_at: Time | None
    message: str = Field(description="Why the rule held when the alert opened.")
    resolution: str | None = Field(description="Why it stopped holding (resolved alerts).")
    run_id: int | None = Field(description="The run that showed it.")
    deliveries: list[Delivery]


class AlertList(Output):
    """Alerts, firing first, then newest first."""

    count: int = Field(description="How many alerts are in results.")
    results: list[Alert]


# --- health -------------------------------------------------------------------------------------------------------


class LastRun(Output):
    """A source's latest finished run that read a whole snapshot: identity and times, no error text."""

    id: int
    status: RunStatus
    trigger: Trigger
    queued_at: Time
    finished_at: Time | None


class SourceHealth(Output):
    """One configured source's verdict."""

    name: str
    status: Level
    last_run: LastRun | None
    last_success_at: Time | None = Field(description="When its latest completed run finished.")
    stale: bool


class Health(Output):
    """The overall verdict and each configured source's."""

    status: Level
    sources: list[SourceHealth]


# --- changes and lines --------------------------------------------------------------------------------------------


class ChangeRow(Output):
    """A change event with its line's supplier, item, part, buyer, plant and open quantity now."""

    id: int
    run_id: int
    run_at: Time = Field(description="When the run was queued.")
    source: str
    po_number: str
    line_number: int
    kind: Kind
    field: str | None = Field(description="The changed field; null for new and removed lines.")
    old_value: str | None
    new_value: str | None
    supplier_code: str | None
    item_code: str | None
    internal_part_id: str | None
    buyer: str | None
    plant: str | None
    open_quantity: float
    days: int | None = Field(description="A date field: new - old in days.")
    delta: float | None = Field(description="A number field: new - old.")
    percent: float | None = Field(description="A number field: the change in percent of the old value.")
    value_impact: float | None = Field(description="A price change: Δunit_price × open quantity.")
    line_url: str = Field(description="The line's history page.")


class ChangeRowPage(Page[ChangeRow]):
    """A page of change events across runs, newest first."""


class LineValues(Output):
    """The line's canonical fields as stored now."""

    item_code: str
    supplier_code: str
    description: str | None
    uom: str | None
    quantity_ordered: float
    quantity_received: float
    unit_price: float
    currency: str | None
    order_date: Day | None
    promised_date: Day
    need_by_date: Day | None
    status: str
    buyer: str | None
    plant: str | None


class FieldChange(Output):
    """One change event of the line."""

    kind: Kind
    field: str | None
    old_value: str | None
    new_value: str | None


class Night(Output):
    """What one run changed on the line."""

    run_id: int
    run_at: Time
    trigger: Trigger
    changes: list[FieldChange]


class Receipt(Output):
    """A receipt batch reconstructed from a rise of quantity_received."""

    run_id: int
    received_at: Time
    quantity: float
    cumulative: float = Field(description="Received so far.")
    ordered: float


class Touch(Output):
    """A run that touched the line, and how."""

    run_id: int
    run_at: Time
    trigger: Trigger
    status: RunStatus
    how: list[str] = Field(description="first seen, appeared again, changed, removed, received, rejected a row.")


class LineHistory(Output):
    """Everything stored about one PO line."""

    source: str
    po_number: str
    line_number: int
    values: LineValues
    internal_part_id: str | None
    custom: dict[str, str | float] = Field(
        description="The custom columns' values by name (numbers, ISO dates or text)."
    )
    active: bool
    first_seen_run_id: int
    last_changed_run_id: int
    nights: list[Night] = Field(description="Its change events run by run, oldest first.")
    receipts: list[Receipt]
    runs: list[Touch]
    rejected: list[FailedRow] = Field(description="The rows rejected with its key.")


# --- xref ---------------------------------------------------------------------------------------------------------


class XrefMapping(Output):
    """An item code mapped in potrack."""

    source: str
    item_code: str
    internal_part_id: str
    mapped_by: str
    mapped_at: Time
    erp_part_id: str | None = Field(description="What the source's xref said for the code at its latest run.")
    erp_checked_run_id: int | None
    verdict: str = Field(description="Which mapping applies, in words.")


class MappingCreated(Output):
    """The mapping as stored."""

    mapping: XrefMapping


class Gap(Output):
    """An item code a completed run left unmapped, with its lifecycle."""

    source: str
    item_code: str
    first_run_id: int
    first_seen_at: Time
    last_run_id: int
    last_seen_at: Time
    nights: int = Field(
        description="Nights that listed the code: the distinct calendar days, in potrack's configured time zone, "
        "on which a completed run (not a row retry) that listed it started; several runs on one day are one night."
    )
    is_open: bool
    lines_now: int
    open_value: float
    currency: str | None = Field(description="The lines' currency, or mixed.")
    resolved_run_id: int | None
    resolved_at: Time | None
    mapping: XrefMapping | None = Field(description="The mapping made in potrack, if any.")
    mapped_to: str | None = Field(description="The part the code's active lines carry now (resolved gaps).")
    state: Literal["open", "resolved"]
    resolution: str = Field(description="Where the gap stands, in words.")


class GapPage(Page[Gap]):
    """A page of gaps, costliest (open value) first."""


# --- the document -------------------------------------------------------------------------------------------------


class OpenApiDocument(Output):
    """An OpenAPI 3.1 document."""

    openapi: Literal["3.1.0"]
    info: dict[str, Any]
    servers: list[dict[str, Any]]
    security: list[dict[str, list[str]]]
    components: dict[str, Any]
    paths: dict[str, Any]
