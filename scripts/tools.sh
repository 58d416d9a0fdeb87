#!/usr/bin/env bash
# Development tools that come from npm rather than PyPI, kept in .tools/ (ignored by git):
# Mozilla's addons-linter, which tests/test_xpi_lint.py runs on the built add-on.
# 10.13.0 is pinned: it is the newest release the registry serves here.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-save --no-package-lock --no-fund --no-audit --no-update-notifier --prefix .tools addons-linter@10.13.0
