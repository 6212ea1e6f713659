"""Which column of a source's query each canonical field and custom column is read from.

Names match ignoring case everywhere (PostgreSQL folds unquoted names to lower case, SQL Server keeps the
ERP's spelling). An explicit rename always wins over a column that merely has the canonical name; a rename
whose column the query does not return is an error, whether the field is required or optional; a name that
matches two columns of the query is an error naming both. What the run should know about the mapping (a
column ignored, fields the source does not provide) is returned as notes, said once per run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from potrack.fields import FIELDS, KEY_FIELDS, REQUIRED
from potrack.sources.errors import SourceError


@dataclass(frozen=True)
class ColumnMap:
    """Column positions by canonical field or (normalised) custom column name, and the notes of the mapping."""

    columns: list[str]
    positions: dict[str, int]
    notes: tuple[str, ...]


def resolve_columns(
    columns: Sequence[str],
    renames: Mapping[str, str],
    custom: Sequence[str],
    returns: str = "the source query returns",
) -> ColumnMap:
    """Map the query's columns onto the canonical fields and the custom columns (normalised names).

    `renames` maps a source column (as configured) to its canonical field or custom column (normalised).
    Raises SourceError (permanent) naming what is missing or ambiguous and the columns the query returns
    (`returns` says who returns them, e.g. an uploaded file's header).
    """
    columns = list(columns)
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(columns):
        by_name.setdefault(name.lower(), []).append(i)
    renamed_from = {target: source for source, target in renames.items()}
    taken = {source.lower() for source in renames}  # a column renamed to a field is not also read by its own name

    def find(name: str, target: str) -> int | None:
        hits = by_name.get(name.lower(), [])
        if len(hits) > 1:
            both = " and ".join(f'"{columns[i]}"' for i in hits)
            raise SourceError(
                f"{returns} {both}, which match {target} ignoring case; potrack cannot tell "
                "which to read (rename or drop one of them in the query)",
                transient=False,
            )
        return hits[0] if hits else None

    positions: dict[str, int] = {}
    notes: list[str] = []
    absent_renames: list[str] = []
    missing: list[str] = []
    unprovided: list[str] = []
    for target in (*KEY_FIELDS, *FIELDS, *custom):
        source = renamed_from.get(target)
        if source is not None:
            index = find(source, target)
            if index is None:
                absent_renames.append(f'"{source}" (for {target})')
                continue
            positions[target] = index
            shadowed = [i for i in by_name.get(target, []) if i != index and target not in taken]
            if shadowed:
                ignored = ", ".join(columns[i] for i in shadowed)
                notes.append(f"column {ignored} ignored: {target} comes from {columns[index]}")
            continue
        index = None if target in taken else find(target, target)
        if index is not None:
            positions[target] = index
        elif target in REQUIRED or target in custom:
            missing.append(target)
        else:
            unprovided.append(target)
    returned = ", ".join(columns)
    if absent_renames:
        raise SourceError(
            f"columns: {returns} no column {', '.join(absent_renames)} (it returns: {returned})",
            transient=False,
        )
    if missing:
        raise SourceError(
            f"{returns} no column for {', '.join(missing)} (columns: {returned}; map them with `columns`)",
            transient=False,
        )
    if unprovided:
        notes.append(f"not provided by the source: {', '.join(unprovided)}")
    return ColumnMap(columns, positions, tuple(notes))
