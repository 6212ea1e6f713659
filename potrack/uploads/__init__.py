"""Snapshot files uploaded from the dashboard or the API: received to disk, checked, and queued as runs."""
