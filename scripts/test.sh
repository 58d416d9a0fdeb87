#!/usr/bin/env bash
# Run every test: unit, peer suites, the native host over stdio, and the add-on in a real Thunderbird.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest "$@"
