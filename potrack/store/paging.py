"""Numbered pages of a list: how many pages a total fills, and which page to show."""

from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill, at least one."""
    return max(1, -(-total // per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """The page to show for a requested one: within 1 .. the last page (past the end means the last)."""
    return min(max(1, page), page_count(total, per_page))


class Paged:
    """Mixin for a page of results that holds `total` and `per_page`: how many pages they fill."""

    total: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the matching items fill (at least one)."""
        return page_count(self.total, self.per_page)
