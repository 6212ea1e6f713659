"""Every test in this folder drives a real headless Chromium against a served app: marked `browser` and `slow`
(`pytest -m "not slow"` and `make test-fast` leave them out). Their fixtures are in tests/support/browser.py."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
