#!/usr/bin/env bash
# Run potrack's ingestion from cron or another outside scheduler, with the project's virtualenv.
# Usage: scripts/run_ingestion.sh [--source NAME | --all] [--baseline] [--json]
# Exit codes: 0 success, 3 partial, 1 failed, 2 usage or configuration error.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
exec "$here/.venv/bin/python" -m potrack run "$@"
