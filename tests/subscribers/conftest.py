"""The subscribers' tests ask for the webhook receiver of tests/support/subscribers.py by name."""

from tests.support.subscribers import event_hook  # noqa: F401 - a fixture, found by its name
