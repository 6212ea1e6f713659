"""Each API route's input as pydantic models: its path variables, query parameters and JSON body, bounded by what
the store holds (potrack.bounds). routes.py names them per route; contract.py validates a request against them and
openapi.py describes them."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from potrack.bounds import MOMENT_FORMS, Flag, Moment, column_max, id_of, text_of, whole_number
from potrack.store.audit import SEVERITIES
from potrack.store.models import (
    ALERT_RULES,
    ALERT_STATES,
    EVENT_KINDS,
    RUN_STATUSES,
    AuditEvent,
    ChangeEvent,
    FailedRow,
    PoLine,
    Run,
    XrefMapping,
)
from potrack.store.xref import GAP_STATES

UTC = dt.UTC
PAGE = "Page number from 1; a page past the end answers the last page (`page` in the answer says which)."


def choice_of(values: Iterable[str]) -> Any:
    """One of these words (an enum in the document)."""
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                "choice", "{value} is not one of {allowed}", {"value": repr(value), "allowed": ", ".join(allowed)}
            )
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "enum": list(allowed)})]


# The bounded types of the fields below: plain int and str to a type checker, pydantic's bounded types at run time.
if TYPE_CHECKING:
    RunId: TypeAlias = int
    FailedRowId: TypeAlias = int
    LineNumber: TypeAlias = int
    PageNumber: TypeAlias = int
    Limit: TypeAlias = int
    ChangesPerPage: TypeAlias = int
    SlipDays: TypeAlias = int
    SourceName: TypeAlias = str
    PoNumber: TypeAlias = str
    Code: TypeAlias = str
    FieldName: TypeAlias = str
    EventType: TypeAlias = str
    ItemCode: TypeAlias = str
    Part: TypeAlias = str
    Status: TypeAlias = str
    Severity: TypeAlias = str
    Kind: TypeAlias = str
    AlertState: TypeAlias = str
    AlertRule: TypeAlias = str
    GapState: TypeAlias = str
    Order: TypeAlias = str
    ExportFormat: TypeAlias = str
else:
    RunId, FailedRowId = id_of(Run.id), id_of(FailedRow.id)
    LineNumber = whole_number(0, column_max(PoLine.line_number))  # some ERPs number lines from 0
    PageNumber, Limit, ChangesPerPage = whole_number(1, 2**31 - 1), whole_number(1, 500), whole_number(1, 1000)
    SlipDays = whole_number(0, 100_000)
    SourceName, PoNumber, Code = text_of(Run.source), text_of(PoLine.po_number), text_of(PoLine.supplier_code)
    FieldName, EventType = text_of(ChangeEvent.field), text_of(AuditEvent.event_type)
    ItemCode, Part = text_of(XrefMapping.item_code), text_of(XrefMapping.internal_part_id)
    Status, Severity, Kind = choice_of(RUN_STATUSES), choice_of(SEVERITIES), choice_of(EVENT_KINDS)
    AlertState, AlertRule, GapState = choice_of(ALERT_STATES), choice_of(ALERT_RULES), choice_of(GAP_STATES)
    Order, ExportFormat = choice_of(("newest", "oldest")), choice_of(("xlsx", "csv"))


def _split(value: Any) -> Any:
    """A comma-separated list (as the query string carries it) as a tuple of its non-empty items."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return value


def comma_list(item: Any) -> Any:
    """One value or a comma-separated list of them."""
    return Annotated[tuple[item, ...], BeforeValidator(_split)]


if TYPE_CHECKING:
    Statuses: TypeAlias = tuple[str, ...]
    Severities: TypeAlias = tuple[str, ...]
    Kinds: TypeAlias = tuple[str, ...]
    FieldNames: TypeAlias = tuple[str, ...]
    EventTypes: TypeAlias = tuple[str, ...]
else:
    Statuses, Severities, Kinds = comma_list(Status), comma_list(Severity), comma_list(Kind)
    FieldNames, EventTypes = comma_list(FieldName), comma_list(EventType)


def _cursor(value: Any) -> Any:
    """The (queue time, run id) an opaque cursor stands for."""
    if isinstance(value, tuple):
        return value
    try:
        text = base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode("ascii")).decode()
        at, run_id = text.split("|")
        queued_at = dt.datetime.fromisoformat(at)
        if queued_at.tzinfo is None or not run_id.isascii() or not run_id.isdigit():
            raise ValueError(text)
        return queued_at, int(run_id)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise PydanticCustomError("cursor", "is not a cursor this API gave out (use the `next` URL as it is)") from None


Cursor = Annotated[
    tuple[Moment, RunId],
    BeforeValidator(_cursor),
    WithJsonSchema({"type": "string", "description": "Opaque: copy the `next` URL of the previous page."}),
]


def encode_cursor(queued_at: dt.datetime, run_id: int) -> str:
    """The opaque cursor after a run: its queue time and id."""
    raw = f"{queued_at.astimezone(UTC).isoformat()}|{run_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after_since(cls: type, until: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
    """until must come after since when both are given."""
    since = info.data.get("since")
    if since is not None and until is not None and until <= since:
        raise PydanticCustomError("span", "must be later than since")
    return until


SINCE = "Only items at or after this moment: " + MOMENT_FORMS + "; naive = UTC, a date = its start in UTC."
UNTIL = "Only items before this moment (same forms as since; must be later than since)."


class Input(BaseModel):
    """A route's input: every field named, nothing else accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoQuery(Input):
    """A route that takes no query parameter."""


class RunPath(Input):
    run_id: RunId = Field(description="The run's id.")


class RowPath(Input):
    row_id: FailedRowId = Field(description="The failed row's id.")


class LinePath(Input):
    source: SourceName = Field(description="The source.")
    po_number: PoNumber = Field(description="The PO number (a '/' in it may be sent as it is or as %2F).")
    line_number: LineNumber = Field(description="The line number.")


class RunsQuery(Input):
    status: Statuses = Field((), description="One status or a comma-separated list.")
    source: SourceName | None = Field(None, description="Only runs of this source.")
    since: Moment | None = Field(None, description=SINCE)
    until: Moment | None = Field(None, description=UNTIL)
    limit: Limit = Field(50, description="Runs per page.")
    cursor: Cursor | None = None

    later = field_validator("until")(_after_since)


class UploadsQuery(Input):
    source: SourceName | None = Field(None, description="Only uploads to this source.")
    limit: Limit = Field(50, description="Uploads per page.")
    cursor: Cursor | None = None


class UploadQuery(Input):
    source: SourceName = Field(description="The source the file is a snapshot of (it must have upload = true).")
    accept_removals: Flag = Field(
        False, description="Let the run past the removal guard (a file that removes more lines than allowed); admin."
    )


class RunChangesQuery(Input):
    page: PageNumber = Field(1, description=PAGE)
    per_page: ChangesPerPage = Field(200, description="Items per page.")


class FailedRowsQuery(Input):
    source: SourceName | None = Field(None, description="Only rows of this source.")
    run_id: RunId | None = Field(None, description="Only rows of this run.")
    upload_id: RunId | None = Field(None, description="Only rows rejected by a run of this upload.")
    since: Moment | None = Field(None, description=SINCE)
    until: Moment | None = Field(None, description=UNTIL)
    resolved: Flag | None = Field(None, description="true: only resolved rows; false: only unresolved.")
    page: PageNumber = Field(1, description=PAGE)
    per_page: Limit = Field(50, description="Items per page.")
    order: Order = Field("newest", description="By the queue time of the rejecting run.")

    later = field_validator("until")(_after_since)


class AuditQuery(Input):
    event_type: EventTypes = Field((), description="One type or a comma-separated list.")
    severity: Severities = Field((), description="info, warning, error, or a comma-separated list of them.")
    source: SourceName | None = Field(None, description="Only events of this source.")
    since: Moment | None = Field(None, description=SINCE)
    until: Moment | None = Field(None, description=UNTIL)
    page: PageNumber = Field(1, description=PAGE)
    per_page: Limit = Field(50, description="Items per page.")

    later = field_validator("until")(_after_since)


class AlertsQuery(Input):
    state: AlertState | None = Field(None, description="firing or resolved.")
    source: SourceName | None = Field(None, description="Only alerts of this source.")
    rule: AlertRule | None = Field(None, description="Only alerts of this rule.")
    since: Moment | None = Field(None, description="Only alerts opened at or after this moment: " + MOMENT_FORMS + ".")
    until: Moment | None = Field(None, description="Only alerts opened before this moment (later than since).")
    limit: Limit = Field(100, description="At most this many alerts.")

    later = field_validator("until")(_after_since)


class ChangeFilters(Input):
    since: Moment | None = Field(
        None, description="Only changes of runs queued at or after this moment: " + MOMENT_FORMS + "."
    )
    until: Moment | None = Field(None, description="Only changes of runs queued before this moment (later than since).")
    source: SourceName | None = Field(None, description="Only changes of this source.")
    supplier: Code | None = Field(None, description="Only changes of lines whose supplier_code (now) is this.")
    buyer: Code | None = Field(None, description="Only changes of lines whose buyer (now) is this.")
    plant: Code | None = Field(None, description="Only changes of lines whose plant (now) is this.")
    field: FieldNames = Field(
        (),
        description="Only changes of these fields, comma-separated (e.g. promised_date,unit_price); new and "
        "removed lines have no field.",
    )
    kind: Kinds = Field((), description="Only these kinds, comma-separated: new, changed, removed.")
    slipped_over: SlipDays | None = Field(
        None, description="Only promised_date changes that moved the date later by more than this many days."
    )

    later = field_validator("until")(_after_since)


class ChangesQuery(ChangeFilters):
    page: PageNumber = Field(1, description=PAGE)
    per_page: Limit = Field(50, description="Items per page.")


class ChangesExportQuery(ChangeFilters):
    format: ExportFormat = Field("xlsx", description="The file's format.")


class GapsQuery(Input):
    source: SourceName | None = Field(None, description="Only gaps of this source.")
    state: GapState = Field("open", description="open (the latest completed run lists the code), resolved, or all.")
    page: PageNumber = Field(1, description=PAGE)
    per_page: Limit = Field(50, description="Items per page.")


class RunNowBody(Input):
    source: SourceName = Field(description="A configured source.")
    baseline: StrictBool = Field(False, description="Run as a baseline (record the snapshot, no change events).")
    accept_removals: StrictBool = Field(
        False,
        description="Let the run remove more of the source's active lines "
        "than its max_removed_fraction (a deliberate purge). "
        "Needs the admin role.",
    )


class MappingBody(Input):
    source: SourceName = Field(description="A configured source.")
    item_code: ItemCode = Field(description="The source's item code.")
    internal_part_id: Part = Field(description="The internal part it stands for.")
