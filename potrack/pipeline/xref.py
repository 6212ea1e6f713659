"""Stage 3, xref: maps item codes to internal part ids and counts the codes with no mapping.

The mapping is the source's own xref with the codes mapped in potrack (the xref-gap workbench) over it: those
win. What the source's xref says for each of them is kept, for the workbench to show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from potrack.fields import PART_ID_LIMIT
from potrack.pipeline.validate import FIELD_INDEX, Line, control_character, shown

ITEM_CODE = FIELD_INDEX["item_code"]


def unusable_parts(mapping: Mapping[str, str]) -> list[str]:
    """Item codes whose part id the store cannot hold: longer than its column, or with a control character."""
    return [
        code
        for code, part in mapping.items()
        if len(part) > PART_ID_LIMIT or (not part.isprintable() and control_character(part))
    ]


class XrefResolver:
    """Applies one xref table to the lines of a run and tallies unmapped codes.

    An entry whose part id the store cannot hold is left out (its lines count as unmapped), and said once in the
    run's notes: one odd cell of the ERP's xref must not fail the night.
    """

    def __init__(self, mapping: Mapping[str, str], overrides: Mapping[str, str] | None = None) -> None:
        unusable = unusable_parts(mapping)
        if unusable:
            left_out = set(unusable)
            mapping = {code: part for code, part in mapping.items() if code not in left_out}
        self.notes: tuple[str, ...] = (
            ()
            if not unusable
            else (
                f"xref: {len(unusable)} item code(s) ignored, their part id is longer than {PART_ID_LIMIT} "
                "characters or "
                f"holds a control character: {', '.join(shown(c) for c in sorted(unusable)[:5])}"
                f"{' …' if len(unusable) > 5 else ''}",
            )
        )
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
