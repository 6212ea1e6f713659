"""An action's refusal (potrack.actions.Refused) as the API answers it: a status per kind, in the shared error
shape; an invalid input names its field (400 bad_parameter)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from potrack.actions import Refused
from potrack.api.errors import ApiError, BadParameter

STATUS = {"unauthenticated": 401, "forbidden": 403, "invalid": 400, "not_found": 404, "conflict": 409}


def api_error(refused: Refused) -> ApiError:
    """The API's answer to a refusal (with its facts, such as the `run_id` in the way)."""
    if refused.kind == "invalid" and refused.field:
        return BadParameter(refused.field, refused.reason)
    return ApiError(STATUS[refused.kind], refused.reason, **refused.facts)


@contextmanager
def refusals() -> Iterator[None]:
    """Answer an action's refusal inside the block as an API error."""
    try:
        yield
    except Refused as refused:
        raise api_error(refused) from None
