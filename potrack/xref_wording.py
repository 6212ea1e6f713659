"""In words, for the pages and the API alike: which mapping applies to an item code, and where a gap stands."""

from __future__ import annotations

from potrack.store.xref import Gap, LocalMapping


def mapping_verdict(mapping: LocalMapping) -> str:
    """Which mapping applies, in words."""
    if mapping.erp_checked_run_id is None:
        return f"mapped in potrack by {mapping.mapped_by}: applies from the next run"
    if mapping.erp_part_id is None:
        return f"mapped in potrack by {mapping.mapped_by} (the source's xref has no mapping)"
    if mapping.erp_part_id == mapping.internal_part_id:
        return f"mapped in potrack by {mapping.mapped_by}; the source's xref now maps it the same way"
    return (
        f"mapped in potrack by {mapping.mapped_by}: wins over the source's xref, which maps it to "
        f"{mapping.erp_part_id} (run #{mapping.erp_checked_run_id})"
    )


def gap_resolution(gap: Gap) -> str:
    """Where the gap stands, in words."""
    if gap.is_open:
        return "unmapped" + (f"; {mapping_verdict(gap.mapping)}" if gap.mapping else "")
    if gap.mapped_to is None:
        return "no open line carries this code any more"
    if gap.mapping is not None and gap.mapping.internal_part_id == gap.mapped_to:
        return f"mapped to {gap.mapped_to}; {mapping_verdict(gap.mapping)}"
    return f"mapped to {gap.mapped_to} by the source's xref"
