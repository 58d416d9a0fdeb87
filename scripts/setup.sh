#!/usr/bin/env bash
# Set up a development checkout: a virtual environment with Whence and its test tools, the native
# host registered for Thunderbird, the add-on built into dist/whence.xpi — then analyse a sample.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[test]'
bash scripts/tools.sh        # addons-linter (npm), for the add-on's lint test
.venv/bin/python installer/install.py
.venv/bin/whence analyze --offline samples/etc-phish.eml
