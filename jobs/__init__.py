"""Scheduled jobs: what runs when (the in-process scheduler arrives with the dashboard)."""
