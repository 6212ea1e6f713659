"""Scheduled jobs: one cron job per source, the dispatcher that executes queued runs, the stale-run check."""
