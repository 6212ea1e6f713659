"""A list's count line says '1 run', '1 failed row', '1 item code' for one match, and the plural otherwise."""

from dataclasses import dataclass

import pytest

from pages._lists import count_line


@dataclass
class Listed:
    total: int
    page: int = 1
    pages: int = 1


@pytest.mark.parametrize(
    ("noun", "one"), [("runs", "1 run"), ("failed rows", "1 failed row"), ("item codes", "1 item code")]
)
def test_one_match_is_counted_in_the_singular(noun, one):
    assert count_line(Listed(1), noun, "newest first", "none") == f"{one} · newest first · page 1 of 1"
    assert count_line(Listed(2), noun, "newest first", "none") == f"2 {noun} · newest first · page 1 of 1"
    assert count_line(Listed(0), noun, "newest first", "none") == "none"
