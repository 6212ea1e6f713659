"""Stage 3, xref: maps item codes to internal part ids and counts the codes with no mapping.

The mapping is the source's own xref with the codes mapped in potrack (the xref-gap workbench) over it: those
win. What the source's xref says for each of them is kept, for the workbench to show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from potrack.pipeline.validate import FIELD_INDEX, Line

ITEM_CODE = FIELD_INDEX["item_code"]


class XrefResolver:
    """Applies one xref table to the lines of a run and tallies unmapped codes."""

    def __init__(self, mapping: Mapping[str, str], overrides: Mapping[str, str] | None = None) -> None:
        self.mapping = {**mapping, **overrides} if overrides else mapping  # (no copy of a big xref for nothing)
        self.source_view: dict[str, str | None] = {code: mapping.get(code) for code in overrides or {}}
        self.unmapped: Counter[str] = Counter()

    def resolve(self, line: Line) -> None:
        """Set the line's part id; an unmapped code is still ingested, and counted."""
        code = line.values[ITEM_CODE]
        line.part_id = self.mapping.get(code)
        if line.part_id is None:
            self.unmapped[code] += 1

    def forget(self, item_code: str) -> None:
        """Take back one line of a code (its row turned out to be rejected)."""
        if item_code not in self.mapping and self.unmapped[item_code] > 0:
            self.unmapped[item_code] -= 1
            if not self.unmapped[item_code]:
                del self.unmapped[item_code]
